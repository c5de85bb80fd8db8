import pytest

from propass.accounts.models import Business
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.staff import staff_user


@pytest.fixture
def shop(program, business):
    """Alpha Studio in the Netherlands (EUR), with points enough for every tier."""
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(
        points_balance=3000, country="NL", currency="EUR", street="Keizersgracht 1", postal_code="1015 CJ",
        city="Amsterdam", language="nl",
    )  # fmt: skip
    business.refresh_from_db()
    return business


@pytest.fixture
def agent(db):
    return staff_user("service@propass.test", "service", first_name="Sam", last_name="Service")
