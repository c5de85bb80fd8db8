from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel


class SellerEntity(TimeStampedModel):
    """A company of the operator that sells memberships and issues invoices."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    country = models.CharField(_("country"), max_length=2)
    currency = models.CharField(_("currency"), max_length=3)
    vat_number = models.CharField(_("VAT number"), max_length=20)
    vat_rate = models.DecimalField(_("domestic VAT rate (%)"), max_digits=5, decimal_places=2)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    buyer_countries = models.JSONField(
        _("sells to"), default=list, blank=True, help_text=_("Buyer countries; empty means every other country.")
    )

    class Meta:
        verbose_name = _("seller entity")
        verbose_name_plural = _("seller entities")

    def __str__(self) -> str:
        return self.name


class VatRate(models.Model):
    """The standard VAT rate of an EU country, for buyers without a VAT number."""

    country = models.CharField(_("country"), max_length=2, unique=True)
    rate = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country} {self.rate}%"


class InvoiceRequest(models.Model):
    """What is owed and must be invoiced: written in the same transaction as the purchase
    or the upgrade, so that no sale is ever without its invoice. The invoicing worker of
    the billing capability turns each into a numbered invoice once."""

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("Membership")
        UPGRADE = "upgrade", _("Upgrade")

    subscription = models.ForeignKey(
        "memberships.Subscription", on_delete=models.PROTECT, related_name="invoice_requests"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    net = models.DecimalField(_("net"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")

    def __str__(self) -> str:
        return f"{self.description} {self.net} {self.currency}"
