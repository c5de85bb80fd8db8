import pytest

from propass.accounts.models import Business
from propass.testing.shop import buy


@pytest.fixture
def shop(shop, business):
    """The root `shop` (program, sellers and tiers seeded), and the business as a Dutch one
    paying in EUR, with 600 points."""
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def invoice(shop, owner):
    """An issued bank-transfer invoice of Alpha Studio for a Silver membership."""
    return buy(shop, owner, method="bank_transfer")[1]
