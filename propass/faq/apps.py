from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FaqConfig(AppConfig):
    name = "propass.faq"
    label = "faq"
    verbose_name = _("FAQ")
