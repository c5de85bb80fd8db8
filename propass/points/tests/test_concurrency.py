"""Points under concurrency: threads against the real database (PostgreSQL in CI)."""

import pytest

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory
from propass.core.errors import InvalidInput
from propass.points.services import points_verify
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.products.tests.helpers import camera, register
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)


def _run(count, work):
    # The same business registering its own serial again is refused: expected.
    errors = [error for error in errors_in(run_at_once(count, work)) if not isinstance(error, InvalidInput)]
    assert errors == []


def test_the_same_serial_from_two_businesses_at_once_is_credited_exactly_once():
    product = camera()
    businesses = [BusinessFactory(), BusinessFactory()]
    _run(20, lambda i: register(businesses[i % 2], product))
    credited = Registration.objects.filter(status=RegistrationStatus.COMPLETE)
    assert credited.count() == 1
    assert sum(Business.objects.values_list("points_balance", flat=True)) == 220
    assert points_verify() == []


def test_many_products_at_once_leave_balance_equal_to_the_ledger():
    product = camera()
    business = BusinessFactory()
    _run(20, lambda i: register(business, product, serial=f"{i:012d}"))
    assert Registration.objects.filter(status=RegistrationStatus.COMPLETE).count() == 20
    assert Business.objects.get(pk=business.pk).points_balance == 20 * 220
    assert points_verify() == []
