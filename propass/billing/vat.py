"""Which seller sells to a business, and which VAT applies (PRODUCT.md §9, as data)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business
from propass.billing.models import SellerEntity, VatRate
from propass.core.errors import NotInstalled, ServiceUnavailable

EU = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
}  # fmt: skip


class VatTreatment:
    DOMESTIC = "domestic"
    REVERSE_CHARGE = "reverse_charge"
    BUYER_COUNTRY = "buyer_country"
    OUTSIDE_SCOPE = "outside_scope"


@dataclass(frozen=True)
class VatDecision:
    seller: SellerEntity
    treatment: str
    rate: Decimal  # percent
    note: str

    def vat_on(self, net: Decimal) -> Decimal:
        """VAT on one line, rounded once to the cent, half up, as the invoice prints it."""
        return (net * self.rate / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def seller_for(*, country: str) -> SellerEntity:
    """The seller for a buyer country (the sellers are installed by `propass setup`)."""
    sellers = list(SellerEntity.objects.all())
    if not sellers:
        raise NotInstalled()
    for seller in sellers:
        if country in (seller.buyer_countries or []):
            return seller
    for seller in sellers:
        if not seller.buyer_countries:
            return seller
    raise ServiceUnavailable(_("No seller entity is configured for this country."))


def vat_decide(*, business: Business) -> VatDecision:
    """Domestic VAT in the seller's country; reverse charge for EU businesses with a VAT
    number in another EU country; the buyer country's rate for EU buyers without one;
    outside the scope of EU VAT elsewhere (Norway, Switzerland)."""
    country = str(business.country)
    seller = seller_for(country=country)
    if country == seller.country:
        return VatDecision(seller, VatTreatment.DOMESTIC, seller.vat_rate, "")
    if country in EU and seller.country in EU:
        if business.vat_number:
            return VatDecision(
                seller,
                VatTreatment.REVERSE_CHARGE,
                Decimal("0"),
                str(
                    _("Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).")
                ),
            )
        rate = VatRate.objects.filter(country=country).values_list("rate", flat=True).first()
        return VatDecision(seller, VatTreatment.BUYER_COUNTRY, rate if rate is not None else seller.vat_rate, "")
    return VatDecision(seller, VatTreatment.OUTSIDE_SCOPE, Decimal("0"), str(_("Outside the scope of EU VAT.")))
