"""Twenty points-at-risk runs at once (two schedulers, a rerun after an outage): each product is
announced once per threshold, each business told once. Real threads, each with its own database
connection; meaningful on PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.memberships.points_at_risk import points_at_risk_run
from propass.notifications.models import Notification, OutboxMessage
from propass.products.models import EndOfSupportNotice
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import tiers_seed
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def test_twenty_runs_at_once_tell_each_business_once(program):
    tiers_seed()
    today = timezone.localdate()
    old = camera("EOS-OLD", points=300, end_of_support=today + timedelta(days=60))
    owners = []
    for n in range(6):
        business = BusinessFactory(name=f"Shop {n}", currency="EUR")
        owners.append(MembershipFactory(business=business, role="superuser").user)
        register(business, old, f"10000000000{n}")
    results = run_at_once(THREADS, lambda _i: points_at_risk_run(today=today, businesses=2))
    assert errors_in(results) == []
    assert sum(results) == 6
    assert EndOfSupportNotice.objects.count() == 6
    for owner in owners:
        assert Notification.objects.filter(user=owner, kind="points_at_risk").count() == 1
        assert OutboxMessage.objects.filter(to=owner.email, subject__startswith="Products reach").count() == 1
