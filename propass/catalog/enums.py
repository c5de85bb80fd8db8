from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    CAMERA = "camera", _("Camera")
    LENS = "lens", _("Lens")
    VIDEO = "video", _("Video camera")
    PRINTER = "printer", _("Printer")
    ACCESSORY = "accessory", _("Accessory")
