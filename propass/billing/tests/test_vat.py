from decimal import Decimal

import pytest

from propass.accounts.tests.factories import BusinessFactory
from propass.billing.models import SellerEntity
from propass.billing.vat import VatTreatment, seller_for, vat_decide
from propass.program_admin.setup import sellers_seed


@pytest.fixture
def sellers(db):
    sellers_seed()


@pytest.mark.parametrize(
    ("country", "vat_number", "seller", "treatment", "rate"),
    [
        ("GB", "GB980780684", "uk", VatTreatment.DOMESTIC, Decimal("20")),
        ("NL", "NL004495445B01", "eu", VatTreatment.DOMESTIC, Decimal("21")),
        ("IT", "IT00743110157", "eu", VatTreatment.REVERSE_CHARGE, Decimal("0")),
        ("IT", "", "eu", VatTreatment.BUYER_COUNTRY, Decimal("22")),
        ("DE", "", "eu", VatTreatment.BUYER_COUNTRY, Decimal("19")),
        ("NO", "NO995525828MVA", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
        ("CH", "", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
        ("CH", "CHE105048256", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
        ("GB", "XI432525179", "uk", VatTreatment.DOMESTIC, Decimal("20")),
        ("LI", "LI51234", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
        ("LI", "CHE123456788", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
        ("LI", "", "eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0")),
    ],
)
def test_the_seller_and_the_vat_follow_the_buyer(sellers, country, vat_number, seller, treatment, rate):
    decision = vat_decide(business=BusinessFactory(country=country, vat_number=vat_number))
    assert (decision.seller.code, decision.treatment, decision.rate) == (seller, treatment, rate)


def test_reverse_charge_carries_its_legal_note(sellers):
    decision = vat_decide(business=BusinessFactory(country="IT", vat_number="IT00743110157"))
    assert "Reverse charge" in decision.note


def test_vat_is_rounded_once_half_up(sellers):
    decision = vat_decide(business=BusinessFactory(country="IT", vat_number=""))
    assert decision.vat_on(Decimal("100.00")) == Decimal("22.00")
    assert decision.vat_on(Decimal("161.50")) == Decimal("35.53")


def test_a_northern_ireland_business_is_never_reverse_charged_by_the_eu_seller(sellers):
    # A membership is a service: Northern Ireland follows UK VAT rules for services, the XI
    # prefix and the EU's rules are for goods. Without a UK seller, the EU seller sells to it
    # as to any UK business: outside the scope of EU VAT, not under the EU reverse charge.
    SellerEntity.objects.filter(code="uk").delete()
    decision = vat_decide(business=BusinessFactory(country="GB", vat_number="XI432525179"))
    assert (decision.seller.code, decision.treatment, decision.rate) == ("eu", VatTreatment.OUTSIDE_SCOPE, Decimal("0"))


@pytest.fixture
def swiss_seller(sellers):
    return SellerEntity.objects.create(
        code="ch", name="Canon Professional Services Schweiz AG", address="Industriestrasse 12\n8305 Dietlikon",
        country="CH", currency="CHF", vat_number="CHE105048256", vat_rate=Decimal("8.1"), buyer_countries=["CH"],
        invoice_series="CH",
    )  # fmt: skip


def test_a_seller_for_switzerland_sells_to_liechtenstein_with_swiss_vat(swiss_seller):
    # Liechtenstein is in the Swiss VAT area: Swiss VAT as at home, for both.
    assert seller_for(country="LI") == swiss_seller
    for country, vat_number in (("LI", "LI51234"), ("CH", "CHE123456788")):
        decision = vat_decide(business=BusinessFactory(country=country, vat_number=vat_number, currency="CHF"))
        assert (decision.seller, decision.treatment, decision.rate) == (
            swiss_seller,
            VatTreatment.DOMESTIC,
            Decimal("8.1"),
        )


def test_a_seller_naming_liechtenstein_itself_comes_before_the_one_for_switzerland(swiss_seller):
    own = SellerEntity.objects.create(
        code="li", name="CPS Liechtenstein", address="Vaduz", country="LI", currency="CHF", vat_number="LI51234",
        vat_rate=Decimal("8.1"), buyer_countries=["LI"], invoice_series="LI",
    )  # fmt: skip
    assert seller_for(country="LI") == own
    assert seller_for(country="CH") == swiss_seller
    assert seller_for(country="AT").code == "eu"
