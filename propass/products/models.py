from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel


class LegacyAccount(TimeStampedModel):
    """An account of the old CPS program, loaded by staff; found by its e-mail."""

    email = models.EmailField(_("old CPS e-mail"))
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    membership_number = models.CharField(_("old membership number"), max_length=30, blank=True)
    level = models.CharField(_("old level"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("legacy CPS account")
        verbose_name_plural = _("legacy CPS accounts")
        constraints = [models.UniqueConstraint(Lower("email"), name="legacy_account_email_unique")]

    def __str__(self) -> str:
        return self.email


class LegacyRegistration(models.Model):
    """A product registered in the old program; any detail may be missing."""

    account = models.ForeignKey(LegacyAccount, on_delete=models.CASCADE, related_name="registrations")
    product_code = models.CharField(_("product code"), max_length=50, blank=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    country_of_purchase = models.CharField(_("country of purchase"), max_length=2, blank=True)
    dealer = models.CharField(_("dealer"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legacy registration")
        verbose_name_plural = _("legacy registrations")

    def __str__(self) -> str:
        return f"{self.product_code or self.product_name} {self.serial_number}"
