from django.db import models
from django.utils.translation import gettext_lazy as _


class TierFamily(models.TextChoices):
    STANDARD = "standard", _("Standard")
    CORPORATE = "corporate", _("Corporate")
