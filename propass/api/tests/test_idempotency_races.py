"""Twenty requests at once with one `Idempotency-Key`: one of them runs the operation, the
others replay its answer or hear that it is still in progress (409), and a retry replays it.

Real threads, each with its own database connection, through the API. Meaningful on PostgreSQL.
"""

import io

import pytest

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.models import Invoice, InvoiceRequest
from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.points.models import LedgerEntry
from propass.products.legacy import legacy_import
from propass.products.models import Registration
from propass.products.tests.helpers import register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.clients import api_clients
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
CHECKOUT = {"tier": "gold", "accept_terms": True, "payment_method": "card", "payment_token": "tok_visa"}


def _settle(clients, results, post):
    """Every answer is the first one, replayed, or "in progress" (409); a retry of those
    replays the first. Returns the final answers, one per client."""
    assert errors_in(results) == []
    final = []
    for client, response in zip(clients, results, strict=True):
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "idempotency_key_in_progress"
            assert response.headers["Retry-After"] == "1"
            response = post(client)
        final.append(response)
    return final


def test_twenty_checkouts_with_one_key_buy_once_and_all_see_the_first_201(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    clients = api_clients(owner, THREADS)

    def post(client):
        return client.post("/api/v1/subscriptions/", CHECKOUT, format="json", headers={"Idempotency-Key": "buy-gold"})

    results = run_at_once(THREADS, lambda i: post(clients[i]))
    final = _settle(clients, results, post)
    assert {response.status_code for response in final} == {201}
    assert len({response.content for response in final}) == 1
    assert [response.headers.get("Idempotent-Replayed") for response in final].count(None) == 1
    subscription = Subscription.objects.get(business=business)
    assert final[0].json()["membership_number"] == subscription.membership_number
    assert InvoiceRequest.objects.count() == 1
    assert Invoice.objects.count() == 1
    assert AuditLog.objects.filter(action="subscription.checkout").count() == 1


def test_twenty_migrations_with_one_key_migrate_once_and_all_see_the_first_201():
    business, other = BusinessFactory(legacy_email="old@example.com"), BusinessFactory()
    register(other, cameras()[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products()))
    clients = api_clients(MembershipFactory(business=business, role="superuser").user, THREADS)

    def post(client):
        return client.post("/api/v1/migration/", headers={"Idempotency-Key": "migrate"})

    results = run_at_once(THREADS, lambda i: post(clients[i]))
    final = _settle(clients, results, post)
    assert {response.status_code for response in final} == {201}
    assert len({response.content for response in final}) == 1
    assert Registration.objects.filter(business=business).count() == 12
    assert LedgerEntry.objects.filter(business=business, reason="migration").count() == 8
