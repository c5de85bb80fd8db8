from decimal import Decimal

import pytest

from propass.accounts.tests.factories import BusinessFactory
from propass.billing.vat import VatTreatment, vat_decide
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
