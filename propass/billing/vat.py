"""Which seller sells to a business, and which VAT applies (PRODUCT.md §9, as data)."""

from collections.abc import Iterable
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
# Liechtenstein is in the Swiss VAT area (the customs treaty of 1923; its VAT law mirrors the
# Swiss one): a seller in Switzerland charges it Swiss VAT as at home, a seller in the EU sells
# to it outside the scope of EU VAT, as to Switzerland.
VAT_AREAS = {"LI": "CH"}


def vat_area(country: str) -> str:
    """The country whose VAT applies in this country (itself, but Switzerland for Liechtenstein)."""
    return VAT_AREAS.get(country, country)


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


def seller_among(sellers: Iterable[SellerEntity], country: str) -> SellerEntity | None:
    """The seller that sells to a buyer country: the one naming the country, else the one
    naming its VAT area (a seller for Switzerland also sells to Liechtenstein), else the one
    naming no country."""
    sellers = list(sellers)
    for wanted in dict.fromkeys((country, vat_area(country))):
        for seller in sellers:
            if wanted in (seller.buyer_countries or []):
                return seller
    return next((seller for seller in sellers if not seller.buyer_countries), None)


def seller_for(*, country: str) -> SellerEntity:
    """The seller for a buyer country (the sellers are installed by `propass setup`)."""
    sellers = list(SellerEntity.objects.all())
    if not sellers:
        raise NotInstalled()
    seller = seller_among(sellers, country)
    if seller is None:
        raise ServiceUnavailable(_("No seller entity is configured for this country."))
    return seller


def vat_decide(*, business: Business) -> VatDecision:
    """Domestic VAT in the seller's country (and its VAT area: Liechtenstein with
    Switzerland); reverse charge for EU businesses with a VAT number in another EU country;
    the buyer country's rate for EU buyers without one; outside the scope of EU VAT elsewhere
    (Norway, Switzerland, Liechtenstein)."""
    # The decision follows the business's country and whether it has a VAT number, never the
    # prefix of that number (invoices_issue decides once per such pair). A membership is a
    # service, and for services Northern Ireland follows UK VAT rules: the XI prefix and the
    # EU's rules apply to its trade in goods only. So a business with an XI number is a GB
    # business, invoiced like any other: UK VAT from the UK seller, and never the EU reverse
    # charge from the EU one.
    country = str(business.country)
    seller = seller_for(country=country)
    if vat_area(country) == vat_area(seller.country):
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
