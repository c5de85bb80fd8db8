"""`Idempotency-Key` on the money and migration calls: the first answer to a key is stored and
replayed for 24 hours for the same caller, method, path and body; another body is a 422."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.billing.collection import invoice_collect
from propass.billing.gateways import GatewayUnavailable, SandboxGateway
from propass.billing.models import Invoice, InvoiceRequest, Payment
from propass.core.idempotency import idempotency_claim
from propass.core.models import IdempotencyKey
from propass.memberships.models import PlanChange, Subscription
from propass.points.models import LedgerEntry
from propass.products.legacy import legacy_import
from propass.products.models import Registration
from propass.products.tests.helpers import register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.gateway import gateway_record
from propass.testing.shop import buy

CHECKOUT = {"tier": "silver", "accept_terms": True, "payment_method": "card", "payment_token": "tok_visa"}
SUBSCRIPTIONS = "/api/v1/subscriptions/"
CHANGE_PLAN = "/api/v1/subscriptions/current/change-plan/"
CANCEL = "/api/v1/subscriptions/current/cancel/"
MIGRATION = "/api/v1/migration/"


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def _post(api, path, body=None, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post(path, body, format="json", headers=headers)


def _replayed(response):
    return response.headers.get("Idempotent-Replayed") == "true"


def _assert_reused(response):
    assert response.status_code == 422
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "idempotency_key_reused"


# --- POST /subscriptions/ ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the invoice is issued once the checkout committed
def test_a_retried_checkout_replays_the_first_201_and_buys_once(shop, api):
    first = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    again = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    assert first.status_code == 201
    assert not _replayed(first)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert _replayed(again)
    assert Subscription.objects.filter(business=shop).count() == 1
    assert InvoiceRequest.objects.count() == 1
    assert Invoice.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_changes_nothing(shop, api):
    first = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    other = _post(api, SUBSCRIPTIONS, {**CHECKOUT, "tier": "gold"}, key="checkout-1")
    _assert_reused(other)
    subscription = Subscription.objects.get(business=shop)
    assert (subscription.tier.code, subscription.membership_number) == ("silver", first.json()["membership_number"])
    assert InvoiceRequest.objects.count() == 1
    # The stored answer is still the one replayed for the original body.
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1").json() == first.json()


def test_the_same_body_in_another_key_order_is_the_same_request(shop, api):
    first = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    reordered = dict(reversed(list(CHECKOUT.items())))
    again = _post(api, SUBSCRIPTIONS, reordered, key="checkout-1")
    assert (again.status_code, again.json()) == (201, first.json())


def test_another_key_gets_the_normal_409(shop, api):
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1").status_code == 201
    second = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-2")
    assert second.status_code == 409
    assert not _replayed(second)
    assert Subscription.objects.filter(business=shop).count() == 1


def test_without_a_key_a_retry_runs_again(shop, api):
    assert _post(api, SUBSCRIPTIONS, CHECKOUT).status_code == 201
    assert _post(api, SUBSCRIPTIONS, CHECKOUT).status_code == 409
    assert not IdempotencyKey.objects.exists()


def test_a_refusal_is_stored_and_replayed_too(shop, api):
    declined = _post(api, SUBSCRIPTIONS, {**CHECKOUT, "payment_token": "tok_chargeDeclined"}, key="checkout-1")
    again = _post(api, SUBSCRIPTIONS, {**CHECKOUT, "payment_token": "tok_chargeDeclined"}, key="checkout-1")
    assert declined.status_code == 402
    assert (again.status_code, again.json()) == (402, declined.json())
    assert _replayed(again)
    assert not Subscription.objects.exists()
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-2").status_code == 201


def test_a_server_error_is_not_stored_so_a_retry_runs_again(shop, api, monkeypatch):
    class Unavailable(SandboxGateway):
        def authorise(self, *, token, customer):
            raise GatewayUnavailable()

    monkeypatch.setattr("propass.memberships.services.gateway", Unavailable)
    failed = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    assert failed.status_code == 503
    assert not Subscription.objects.exists()
    monkeypatch.setattr("propass.memberships.services.gateway", SandboxGateway)
    retried = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    assert retried.status_code == 201
    assert not _replayed(retried)
    assert Subscription.objects.filter(business=shop).count() == 1


def test_keys_belong_to_their_caller_and_path(shop, api, outsider):
    Business.objects.filter(pk=outsider.membership.business_id).update(points_balance=3000, country="NL")
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="shared").status_code == 201
    theirs = APIClient()
    theirs.force_authenticate(outsider)
    other = _post(theirs, SUBSCRIPTIONS, CHECKOUT, key="shared")
    assert other.status_code == 201
    assert not _replayed(other)
    assert Subscription.objects.count() == 2
    # The same key on another operation is another request.
    cancelled = _post(api, CANCEL, {}, key="shared")
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_at"] is not None


def test_a_key_must_be_short_printable_ascii(shop, api):
    for key in ("", " ", "k" * 256, "caf\u00e9", "tab\there"):
        refused = _post(api, SUBSCRIPTIONS, CHECKOUT, key=key)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "invalid"
        assert "Idempotency-Key" in refused.json()["error"]["fields"]
    assert not Subscription.objects.exists()


# --- 24 hours ---------------------------------------------------------------------------


@pytest.fixture
def later(monkeypatch):
    """later(hours): the clock moved to that many hours after the test started."""
    start = timezone.now()

    def move(hours):
        moment = start + timedelta(hours=hours)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return move


def test_a_key_is_replayed_for_24_hours_and_not_after(shop, api, later):
    first = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    later(23)
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1").json() == first.json()
    later(25)
    late = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    assert late.status_code == 409  # run again: a second membership is refused as usual
    assert not _replayed(late)
    assert Subscription.objects.filter(business=shop).count() == 1


def test_the_scheduler_purges_keys_older_than_24_hours(shop, api, later):
    _post(api, SUBSCRIPTIONS, CHECKOUT, key="old")
    later(20)
    _post(api, CANCEL, {}, key="young")
    moment = later(25)
    call_command("run-scheduled", "--at", moment.isoformat())
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["young"]


def test_a_key_claimed_by_a_request_that_died_is_taken_over_after_five_minutes(shop, owner, api, later):
    # A worker claimed the key, then was killed before it answered.
    idempotency_claim(
        user=owner, key="checkout-1", method="POST", path=SUBSCRIPTIONS, fingerprint=_fingerprint_of(CHECKOUT)
    )
    busy = _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1")
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "idempotency_key_in_progress"
    assert busy.headers["Retry-After"] == "1"
    later(0.1)
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1").status_code == 201
    assert _post(api, SUBSCRIPTIONS, CHECKOUT, key="checkout-1").headers["Idempotent-Replayed"] == "true"
    assert Subscription.objects.filter(business=shop).count() == 1


def _fingerprint_of(body):
    """What core/api.py records for a JSON body (checked: a replay needs the same fingerprint)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- change plan, cancel with refund ----------------------------------------------------


def test_a_retried_upgrade_replays_the_first_answer_and_bills_once(shop, owner, api):
    buy(shop, owner, tier="silver")
    first = _post(api, CHANGE_PLAN, {"tier": "gold"}, key="upgrade-1")
    again = _post(api, CHANGE_PLAN, {"tier": "gold"}, key="upgrade-1")
    assert first.status_code == 200
    assert (again.status_code, again.json()) == (200, first.json())
    assert _replayed(again)
    _assert_reused(_post(api, CHANGE_PLAN, {"tier": "platinum"}, key="upgrade-1"))
    assert _post(api, CHANGE_PLAN, {"tier": "gold"}, key="upgrade-2").status_code == 400  # already gold
    assert PlanChange.objects.count() == 1
    assert InvoiceRequest.objects.filter(kind="upgrade").count() == 1
    assert Subscription.objects.get().tier.code == "gold"


@pytest.mark.django_db(transaction=True)  # the refund runs once the cancellation committed
def test_a_retried_cancellation_with_refund_replays_and_refunds_once(shop, owner, api, monkeypatch):
    gateway = gateway_record(monkeypatch)
    _subscription, invoice = buy(shop, owner, tier="gold")
    invoice_collect(invoice_id=invoice.pk, today=invoice.due_date)
    first = _post(api, CANCEL, {"refund": True}, key="cancel-1")
    again = _post(api, CANCEL, {"refund": True}, key="cancel-1")
    assert first.status_code == 200
    assert (again.status_code, again.json()) == (200, first.json())
    assert _replayed(again)
    _assert_reused(_post(api, CANCEL, {"refund": False}, key="cancel-1"))
    assert _post(api, CANCEL, {"refund": True}, key="cancel-2").status_code == 404  # nothing left to cancel
    credit = Invoice.objects.get(kind="credit_note")
    assert Payment.objects.filter(method="refund").count() == 1
    assert gateway.done("refund") == [(f"{credit.number}:refund", invoice.total)]


# --- POST /migration/ -------------------------------------------------------------------


@pytest.fixture
def legacy_business(business, other_business):
    register(other_business, cameras()[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products()))
    Business.objects.filter(pk=business.pk).update(legacy_email="OLD@example.com")
    return business


def test_a_retried_migration_replays_the_first_201_and_migrates_once(legacy_business, api):
    first = _post(api, MIGRATION, key="migrate-1")
    again = _post(api, MIGRATION, key="migrate-1")
    assert first.status_code == 201
    assert first.json()["points"] == 800
    assert (again.status_code, again.json()) == (201, first.json())
    assert _replayed(again)
    _assert_reused(_post(api, MIGRATION, {"note": "again"}, key="migrate-1"))
    other = _post(api, MIGRATION, key="migrate-2")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "already_migrated"
    assert Registration.objects.filter(business=legacy_business).count() == 12
    assert LedgerEntry.objects.filter(business=legacy_business, reason="migration").count() == 8


# --- schema -----------------------------------------------------------------------------


def test_the_schema_declares_the_header_on_every_money_and_migration_call(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    for path in (SUBSCRIPTIONS, CHANGE_PLAN, CANCEL, MIGRATION):
        operation = schema["paths"][path]["post"]
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert "422" in operation["responses"], path
