import pytest

from propass.support.tests.helpers import staff_user


@pytest.fixture
def agent(db):
    return staff_user("sara.support@propass.test", "support")


@pytest.fixture
def finance_staff(db):
    return staff_user("fin@propass.test", "finance", first_name="Fin", last_name="Ance")
