"""The Stripe gateway and Stripe's signed webhooks, against a local server that answers like Stripe."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect_due
from propass.billing.credit_notes import credit_note_issue
from propass.billing.gateways import GatewayUnavailable, PaymentDeclined, gateway
from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, Payment, PaymentEvent
from propass.billing.stripe_gateway import StripeGateway, minor_units
from propass.billing.tests.fake_stripe import FakeStripe
from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.threads import errors_in, run_at_once

WEBHOOK = "/api/v1/webhooks/payments/stripe/"
SECRET = "whsec_propass_test"


@pytest.fixture
def fake():
    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def stripe_mode(settings, fake):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = fake.api_key
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return fake


def _at(day):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 6, 0))


def _buy(business, owner, token="pm_card_visa"):
    """Checkout through the API with a Stripe payment method id, then the invoice is issued."""
    api = APIClient()
    api.force_authenticate(owner)
    created = api.post("/api/v1/subscriptions/", {"tier": "silver", "accept_terms": True, "payment_method": "card",
                                                  "payment_token": token}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    subscription = Subscription.objects.get(business=business)
    return subscription, invoice_issue(request_id=subscription.invoice_requests.get().pk)


def _signed(payload: str, secret: str = SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _deliver(client, event: dict, **signing):
    payload = json.dumps(event)
    return client.post(WEBHOOK, payload, content_type="application/json",
                       headers={"Stripe-Signature": _signed(payload, **signing)})  # fmt: skip


def _event(event_id: str, kind: str, subject: dict, created: int | None = None) -> dict:
    return {"id": event_id, "object": "event", "type": kind, "created": created or int(time.time()),
            "livemode": False, "data": {"object": subject}}  # fmt: skip


def _intent(payment: Payment, status: str, intent_id: str = "pi_from_webhook") -> dict:
    intent = {"id": intent_id, "object": "payment_intent", "status": status,
              "amount": minor_units(payment.amount, payment.currency), "currency": payment.currency.lower(),
              "metadata": {"idempotency_key": payment.idempotency_key}}  # fmt: skip
    if status == "requires_payment_method":
        intent["last_payment_error"] = {"code": "card_declined", "decline_code": "insufficient_funds",
                                        "message": "Your card has insufficient funds."}  # fmt: skip
    return intent


def _pending_payment(shop, owner, fake) -> Payment:
    """A charge whose answer never arrived: the payment stays pending until Stripe tells."""
    _subscription, invoice = _buy(shop, owner)
    fake.outage = 100
    invoice_collect_due(at=_at(invoice.due_date))
    fake.outage = 0
    payment = Payment.objects.get()
    assert payment.status == "pending"
    return payment


# --- the gateway --------------------------------------------------------------------------


def test_amounts_go_to_stripe_in_the_currencys_minor_unit():
    assert minor_units(Decimal("85.00"), "EUR") == 8500
    assert minor_units(Decimal("1234.5"), "sek") == 123450
    assert minor_units(Decimal("1000"), "JPY") == 1000
    assert minor_units(Decimal("2990.00"), "HUF") == 299000
    assert minor_units(Decimal("1.250"), "KWD") == 1250
    with pytest.raises(ValueError):
        minor_units(Decimal("10.5"), "JPY")


def test_authorise_stores_the_card_for_charges_later(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    assert (card.brand, card.last4) == ("visa", "4242")
    customer, method = card.reference.split("/")
    assert customer.startswith("cus_") and method.startswith("pm_")
    (setup,) = stripe_mode.posts("/v1/setup_intents")
    assert setup.form["customer"] == customer
    assert setup.form["payment_method"] == "pm_card_visa"
    assert (setup.form["confirm"], setup.form["usage"]) == ("true", "off_session")
    assert setup.headers["authorization"] == "Bearer sk_test_propass"


def test_a_second_card_of_the_same_business_goes_to_the_same_customer(stripe_mode):
    first = gateway().authorise(token="pm_card_visa", customer="business-7")
    second = gateway().authorise(token="pm_card_mastercard", customer="business-7")
    assert second.reference.split("/")[0] == first.reference.split("/")[0]
    assert (second.brand, second.last4) == ("mastercard", "4444")
    assert len(stripe_mode.posts("/v1/customers")) == 1


def test_a_card_declined_at_setup_is_refused(stripe_mode):
    with pytest.raises(PaymentDeclined, match=r"Your card was declined\.") as refused:
        gateway().authorise(token="pm_card_chargeDeclined", customer="business-7")
    assert refused.value.code == "generic_decline"


def test_a_token_that_is_no_payment_method_is_refused(stripe_mode):
    with pytest.raises(PaymentDeclined, match="not valid"):
        gateway().authorise(token="tok_visa", customer="business-7")
    assert stripe_mode.requests == []
    with pytest.raises(PaymentDeclined, match="not valid"):
        gateway().authorise(token="pm_made_up", customer="business-7")


def test_charge_sends_cents_and_the_idempotency_key(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    charge = gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    (sent,) = stripe_mode.posts("/v1/payment_intents")
    assert sent.headers["idempotency-key"] == "INV-1:1"
    assert (sent.form["amount"], sent.form["currency"]) == ("8500", "eur")
    assert (sent.form["off_session"], sent.form["confirm"]) == ("true", "true")
    assert sent.form["metadata[idempotency_key]"] == "INV-1:1"
    assert f"{sent.form['customer']}/{sent.form['payment_method']}" == card.reference
    assert charge.reference.startswith("pi_")
    assert charge.reference in stripe_mode.payment_intents


def test_the_same_key_twice_is_one_payment_intent(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    first = gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    again = gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    assert again.reference == first.reference
    assert len(stripe_mode.payment_intents) == 1


def test_a_declined_charge_says_why(stripe_mode):
    card = gateway().authorise(token="pm_card_chargeCustomerFail", customer="business-7")
    with pytest.raises(PaymentDeclined, match="insufficient funds") as declined:
        gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    assert declined.value.code == "insufficient_funds"


def test_a_server_error_is_retried_with_the_same_key(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    stripe_mode.outage = 1
    charge = gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    tries = stripe_mode.posts("/v1/payment_intents")
    assert [sent.headers["idempotency-key"] for sent in tries] == ["INV-1:1", "INV-1:1"]
    assert charge.reference in stripe_mode.payment_intents


def test_stripe_failing_or_unreachable_is_unavailable(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    stripe_mode.outage = 100
    with pytest.raises(GatewayUnavailable):
        gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    stripe_mode.stop()
    with pytest.raises(GatewayUnavailable):
        StripeGateway(max_network_retries=0).authorise(token="pm_card_visa", customer="business-7")
    stripe_mode.start()  # the fixture stops it again


def test_a_refund_sends_the_amount_and_its_key(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    charge = gateway().charge(card=card.reference, amount=Decimal("85.00"), currency="EUR", idempotency_key="INV-1:1")
    refund = gateway().refund(charge=charge.reference, amount=Decimal("20.50"), idempotency_key="CN-1:refund")
    (sent,) = stripe_mode.posts("/v1/refunds")
    assert (sent.form["payment_intent"], sent.form["amount"]) == (charge.reference, "2050")
    assert sent.headers["idempotency-key"] == "CN-1:refund"
    assert refund in stripe_mode.refunds


def test_a_deposit_hold_is_a_manual_capture_intent_authorised_not_charged(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    hold = gateway().hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    (sent,) = stripe_mode.posts("/v1/payment_intents")
    assert (sent.form["amount"], sent.form["currency"], sent.form["capture_method"]) == ("40000", "eur", "manual")
    assert (sent.form["off_session"], sent.form["confirm"]) == ("true", "true")
    assert sent.headers["idempotency-key"] == "LN-1:hold"
    intent = stripe_mode.payment_intents[hold.reference]
    assert (intent["status"], intent["amount_received"]) == ("requires_capture", 0)
    assert (hold.amount, hold.currency) == (Decimal("400.00"), "EUR")


def test_a_released_hold_cancels_the_intent(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    hold = gateway().hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    gateway().release(hold=hold, idempotency_key="LN-1:release")
    (sent,) = stripe_mode.posts(f"/v1/payment_intents/{hold.reference}/cancel")
    assert sent.headers["idempotency-key"] == "LN-1:release"
    assert stripe_mode.payment_intents[hold.reference]["status"] == "canceled"
    gateway().release(hold=hold, idempotency_key="LN-1:release")  # told twice: Stripe replays the first answer
    with pytest.raises(PaymentDeclined):  # a released hold cannot be captured any more
        gateway().capture(hold=hold, amount=Decimal("10.00"), idempotency_key="LN-1:capture")


def test_a_capture_takes_part_of_the_hold_and_never_more(stripe_mode):
    card = gateway().authorise(token="pm_card_visa", customer="business-7")
    hold = gateway().hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    with pytest.raises(PaymentDeclined):
        gateway().capture(hold=hold, amount=Decimal("400.01"), idempotency_key="LN-1:capture-too-much")
    charge = gateway().capture(hold=hold, amount=Decimal("150.00"), idempotency_key="LN-1:capture")
    refused, sent = stripe_mode.posts(f"/v1/payment_intents/{hold.reference}/capture")
    assert refused.form["amount_to_capture"] == "40001"
    assert (sent.form["amount_to_capture"], sent.headers["idempotency-key"]) == ("15000", "LN-1:capture")
    assert (charge.reference, charge.amount, charge.currency) == (hold.reference, Decimal("150.00"), "EUR")
    assert stripe_mode.payment_intents[hold.reference]["amount_received"] == 15000


def test_a_hold_on_a_card_that_cannot_pay_is_declined(stripe_mode):
    card = gateway().authorise(token="pm_card_chargeCustomerFail", customer="business-7")
    with pytest.raises(PaymentDeclined) as declined:
        gateway().hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    assert declined.value.code == "insufficient_funds"


# --- end to end -----------------------------------------------------------------------------


def test_a_stripe_checkout_is_charged_once_on_the_due_date(stripe_mode, shop, owner):
    subscription, invoice = _buy(shop, owner)
    assert subscription.card_last4 == "4242"
    assert subscription.card_reference.startswith("cus_")
    invoice_collect_due(at=_at(invoice.due_date))
    invoice_collect_due(at=_at(invoice.due_date) + timedelta(hours=1))
    (sent,) = stripe_mode.posts("/v1/payment_intents")
    assert int(sent.form["amount"]) == minor_units(invoice.total, "EUR")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    payment = Payment.objects.get()
    assert (payment.status, payment.gateway_reference) == ("succeeded", next(iter(stripe_mode.payment_intents)))


def test_a_card_that_fails_on_the_due_date_makes_the_invoice_overdue(stripe_mode, shop, owner):
    _subscription, invoice = _buy(shop, owner, token="pm_card_chargeCustomerFail")
    invoice_collect_due(at=_at(invoice.due_date))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.next_charge_on) == ("overdue", invoice.due_date + timedelta(days=1))
    assert Payment.objects.get().error == "Your card has insufficient funds."


def test_a_declined_card_at_checkout_creates_nothing(stripe_mode, shop, owner):
    api = APIClient()
    api.force_authenticate(owner)
    data = {"tier": "silver", "accept_terms": True, "payment_method": "card", "payment_token": "pm_card_chargeDeclined"}
    refused = api.post("/api/v1/subscriptions/", data, format="json")
    assert refused.status_code == 402
    assert refused.json()["error"]["message"] == (
        "Your card was not accepted, so nothing was charged and no membership was created. "
        "Try another card or choose Bank Transfer."
    )
    assert refused.json()["error"]["code"] == "generic_decline"  # the processor's decline code, for integrators
    assert not Subscription.objects.exists()


# --- webhooks ---------------------------------------------------------------------------------


def test_an_event_with_a_bad_signature_is_refused_and_not_stored(stripe_mode, client, db):
    event = _event("evt_1", "payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    wrong_secret = _deliver(client, event, secret="whsec_someone_else")
    assert wrong_secret.status_code == 400
    assert set(wrong_secret.json()["error"]) == {"code", "message", "fields"}
    assert wrong_secret.json()["error"]["code"] == "invalid_signature"
    assert _deliver(client, event, at=int(time.time()) - 3600).status_code == 400  # replayed an hour later
    unsigned = client.post(WEBHOOK, json.dumps(event), content_type="application/json")
    assert unsigned.status_code == 400
    assert PaymentEvent.objects.count() == 0


def test_events_of_an_unknown_provider_are_not_found(stripe_mode, client):
    event = _event("evt_1", "payment_intent.succeeded", {})
    payload = json.dumps(event)
    response = client.post("/api/v1/webhooks/payments/paypal/", payload, content_type="application/json",
                           headers={"Stripe-Signature": _signed(payload)})  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_success_delivered_three_times_and_an_older_failure_pay_the_invoice_once(stripe_mode, shop, owner, client):
    payment = _pending_payment(shop, owner, stripe_mode)
    succeeded = _event("evt_succeeded", "payment_intent.succeeded", _intent(payment, "succeeded"))
    failed = _event("evt_failed", "payment_intent.payment_failed", _intent(payment, "requires_payment_method"),
                    created=succeeded["created"] - 60)  # fmt: skip
    for event in (succeeded, failed, succeeded, failed, succeeded):
        assert _deliver(client, event).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.gateway_reference) == ("succeeded", "pi_from_webhook")
    assert Payment.objects.count() == 1
    assert Invoice.objects.get().status == "paid"
    assert AuditLog.objects.filter(action="invoice.paid").count() == 1
    assert sorted(PaymentEvent.objects.values_list("event_id", flat=True)) == ["evt_failed", "evt_succeeded"]
    assert "unchanged" in PaymentEvent.objects.get(event_id="evt_failed").outcome
    charges = len(stripe_mode.posts("/v1/payment_intents"))
    invoice_collect_due(at=_at(Invoice.objects.get().due_date + timedelta(days=1)))
    assert len(stripe_mode.posts("/v1/payment_intents")) == charges  # no charge after the webhook paid it


def test_a_success_after_a_failure_of_the_same_attempt_wins(stripe_mode, shop, owner, client):
    payment = _pending_payment(shop, owner, stripe_mode)
    _deliver(client, _event("evt_failed", "payment_intent.payment_failed", _intent(payment, "requires_payment_method")))
    payment.refresh_from_db()
    invoice = Invoice.objects.get()
    assert (payment.status, payment.error, invoice.status) == ("failed", "Your card has insufficient funds.", "overdue")
    assert invoice.next_charge_on == invoice.due_date + timedelta(days=1)
    _deliver(client, _event("evt_succeeded", "payment_intent.succeeded", _intent(payment, "succeeded")))
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.status, invoice.status, invoice.next_charge_on) == ("succeeded", "paid", None)
    assert AuditLog.objects.filter(action="invoice.paid").count() == 1


def test_a_success_for_another_amount_changes_nothing(stripe_mode, shop, owner, client):
    payment = _pending_payment(shop, owner, stripe_mode)
    intent = {**_intent(payment, "succeeded"), "amount": 100}
    response = _deliver(client, _event("evt_odd", "payment_intent.succeeded", intent))
    assert response.status_code == 200
    assert "amount differs" in response.json()["outcome"]
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_a_refund_is_noted_on_the_event(stripe_mode, client, db):
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount_refunded": 2050, "currency": "eur"}
    response = _deliver(client, _event("evt_refund", "charge.refunded", charge))
    assert response.status_code == 200
    assert PaymentEvent.objects.get().outcome == "refunded 20.50 EUR of pi_1; refund of pi_1: no card payment of ours"


def _paid_by_card(shop, owner, fake):
    _subscription, invoice = _buy(shop, owner)
    invoice_collect_due(at=_at(invoice.due_date))
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    return invoice, Payment.objects.get(invoice=invoice).gateway_reference


def _refunded(intent_id: str, invoice, amount, refund_id="re_dashboard_1", currency=None) -> dict:
    cents = minor_units(Decimal(amount), invoice.currency)
    return {"id": "ch_1", "object": "charge", "payment_intent": intent_id,
            "amount": minor_units(invoice.total, "EUR"),
            "amount_refunded": cents, "currency": (currency or invoice.currency).lower(), "refunded": True,
            "refunds": {"object": "list", "data": [{"id": refund_id, "object": "refund", "amount": cents}]},
            }  # fmt: skip


def test_a_dashboard_refund_creates_one_settled_credit_note_however_often_it_is_told(stripe_mode, shop, owner, client):
    invoice, intent_id = _paid_by_card(shop, owner, stripe_mode)
    charge = _refunded(intent_id, invoice, invoice.total)
    for _ in range(3):  # the same event delivered three times
        assert _deliver(client, _event("evt_refund", "charge.refunded", charge)).status_code == 200
    # and told again by a later event carrying the same total refunded
    assert _deliver(client, _event("evt_refund_again", "charge.refunded", charge)).status_code == 200
    (credit_note,) = Invoice.objects.filter(kind="credit_note")
    assert (credit_note.credited_invoice, credit_note.total, credit_note.net) == (invoice, -invoice.total, -invoice.net)
    assert credit_note.status == "paid"
    refund = Payment.objects.get(method="refund")
    assert (refund.status, refund.gateway_reference, refund.amount) == ("succeeded", "re_dashboard_1", -invoice.total)
    assert stripe_mode.refunds == {}  # nothing was sent back to Stripe
    assert "credit note" in PaymentEvent.objects.get(event_id="evt_refund").outcome


def test_a_partial_dashboard_refund_is_credited_for_its_amount_then_the_rest(stripe_mode, shop, owner, client):
    invoice, intent_id = _paid_by_card(shop, owner, stripe_mode)
    part = Decimal("60.50")
    _deliver(client, _event("evt_part", "charge.refunded", _refunded(intent_id, invoice, part, "re_a")))
    (first,) = Invoice.objects.filter(kind="credit_note")
    assert first.total == -part
    assert first.net + first.vat == -part
    _deliver(client, _event("evt_rest", "charge.refunded", _refunded(intent_id, invoice, invoice.total, "re_b")))
    totals = sorted(Invoice.objects.filter(kind="credit_note").values_list("total", flat=True))
    assert sum(totals) == -invoice.total
    assert len(totals) == 2


def test_a_refund_propass_made_itself_is_not_credited_twice_when_stripe_reports_it(
    stripe_mode, shop, owner, client, django_capture_on_commit_callbacks
):
    invoice, intent_id = _paid_by_card(shop, owner, stripe_mode)
    with django_capture_on_commit_callbacks(execute=True):
        credit_note_issue(invoice_id=invoice.pk, reason="Cancelled within 14 days")
    assert len(stripe_mode.refunds) == 1
    _deliver(client, _event("evt_ours", "charge.refunded", _refunded(intent_id, invoice, invoice.total)))
    assert Invoice.objects.filter(kind="credit_note").count() == 1
    assert "already credited" in PaymentEvent.objects.get(event_id="evt_ours").outcome


def test_a_refund_in_another_currency_is_left_to_finance(stripe_mode, shop, owner, client):
    invoice, intent_id = _paid_by_card(shop, owner, stripe_mode)
    _deliver(client, _event("evt_odd", "charge.refunded", _refunded(intent_id, invoice, "10.00", currency="USD")))
    assert not Invoice.objects.filter(kind="credit_note").exists()
    entry = AuditLog.objects.get(action="refund.unmatched")
    assert entry.target_id == str(invoice.pk)
    assert "left to finance" in PaymentEvent.objects.get(event_id="evt_odd").outcome


@pytest.mark.django_db(transaction=True)
def test_three_deliveries_of_a_dashboard_refund_at_once_credit_once(stripe_mode, shop, owner):
    invoice, intent_id = _paid_by_card(shop, owner, stripe_mode)
    charge = _refunded(intent_id, invoice, invoice.total)

    def deliver(n):
        return _deliver(Client(), _event(f"evt_at_once_{n}", "charge.refunded", charge)).status_code

    results = run_at_once(3, deliver)
    assert errors_in(results) == []
    assert results == [200, 200, 200]
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_an_unknown_event_type_is_stored_and_ignored(stripe_mode, client, db):
    response = _deliver(client, _event("evt_customer", "customer.created", {"id": "cus_1", "object": "customer"}))
    assert response.status_code == 200
    event = PaymentEvent.objects.get()
    assert (event.provider, event.type, event.outcome) == ("stripe", "customer.created", "ignored")
    assert event.processed_at is not None
    assert event.payload["data"]["object"]["id"] == "cus_1"
    assert event.occurred_at is not None


def test_an_event_for_no_payment_of_ours_is_noted(stripe_mode, client, db):
    intent = {"id": "pi_elsewhere", "object": "payment_intent", "amount": 100, "currency": "eur", "metadata": {}}
    response = _deliver(client, _event("evt_other", "payment_intent.succeeded", intent))
    assert response.status_code == 200
    assert PaymentEvent.objects.get().outcome == "no payment for pi_elsewhere"


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_twice_at_once_pays_once(settings):
    program_seed()
    sellers_seed()
    tiers_seed()
    fake = FakeStripe().start()
    try:
        settings.PAYMENT_PROVIDER = "stripe"
        settings.STRIPE_SECRET_KEY = fake.api_key
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_WEBHOOK_SECRET = SECRET
        business = BusinessFactory(points_balance=600, country="NL", currency="EUR")
        owner = MembershipFactory(business=business, role="superuser").user
        payment = _pending_payment(business, owner, fake)
        event = _event("evt_succeeded", "payment_intent.succeeded", _intent(payment, "succeeded"))
        results = run_at_once(2, lambda _index: _deliver(Client(), event).status_code)
    finally:
        fake.stop()
    assert errors_in(results) == []
    assert results == [200, 200]
    assert PaymentEvent.objects.count() == 1
    assert AuditLog.objects.filter(action="invoice.paid").count() == 1
    assert Payment.objects.get().status == "succeeded"
