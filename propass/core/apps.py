from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "propass.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app registers its periodic jobs in its own jobs.py.
        autodiscover_modules("jobs")
