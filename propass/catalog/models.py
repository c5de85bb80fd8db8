import re

from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.catalog.enums import Category
from propass.core.models import TimeStampedModel


class ProductModel(TimeStampedModel):
    """A product that can be registered, with the points it is worth today."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    points = models.PositiveIntegerField(_("points"), default=0)
    eligible = models.BooleanField(_("earns points"), default=True)
    serial_pattern = models.CharField(
        _("serial number pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression the whole serial number must match, e.g. [0-9]{12}."),
    )
    launch_date = models.DateField(_("launch date"), null=True, blank=True)
    end_of_support = models.DateField(_("end of support"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("product model")
        verbose_name_plural = _("product models")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def points_value(self) -> int:
        """What a registration of this model earns now: accessories and ineligible models earn 0."""
        return self.points if self.eligible else 0

    def serial_matches(self, serial: str) -> bool:
        return not self.serial_pattern or re.fullmatch(self.serial_pattern, serial) is not None


class Dealer(models.Model):
    """A known dealer, offered as a suggestion; members may type any other name."""

    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return self.name
