import pytest

from propass.core.demo import sellers_seed, tiers_seed
from propass.support.tests.helpers import staff_user


@pytest.fixture
def shop(program):
    sellers_seed()
    tiers_seed()


@pytest.fixture
def agent(db):
    return staff_user("sara.support@propass.test", "support")


@pytest.fixture
def finance_staff(db):
    return staff_user("fin@propass.test", "finance", first_name="Fin", last_name="Ance")
