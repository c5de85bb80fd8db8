"""Events the payment provider sends about payments (webhooks): verified, stored once, applied once.

Events may come late, twice, or out of order. Each is stored once by its id; applying it looks at
the payment's current state, so a repeated or older event changes nothing: a failure after a
success is ignored, a success after a failure wins (the money arrived).
"""

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.billing.collection import payment_failed, payment_succeeded
from propass.billing.credit_notes import invoice_refunded_by_provider
from propass.billing.models import Payment, PaymentEvent
from propass.billing.stripe_gateway import from_minor_units, minor_units
from propass.core.errors import InvalidInput, NotFound

logger = logging.getLogger(__name__)


class InvalidSignature(InvalidInput):
    code = "invalid_signature"
    default_message = _("The signature of the event is missing or not valid.")


def payment_event_receive(*, provider: str, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
    """An event from the payment provider counts only with a valid signature. It is stored once
    by its id (a redelivery finds the stored event and changes nothing) and then applied."""
    if provider != "stripe" or not settings.STRIPE_WEBHOOK_SECRET:
        raise NotFound(_("Events from %(provider)s are not received here."), provider=provider)
    try:
        stripe.Webhook.construct_event(payload, headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET)
        data = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError) as error:
        logger.warning("a %s event was refused: %s", provider, error)
        raise InvalidSignature() from error
    event_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(event_id, str) or not event_id:
        raise InvalidInput(_("The event has no id."), code="invalid_event")
    created = data.get("created")
    try:
        with transaction.atomic():
            event = PaymentEvent.objects.create(
                provider=provider,
                event_id=event_id[:100],
                type=str(data.get("type", ""))[:100],
                occurred_at=datetime.fromtimestamp(created, tz=UTC) if isinstance(created, int) else None,
                payload=data,
            )
    except IntegrityError:
        event = PaymentEvent.objects.get(provider=provider, event_id=event_id[:100])
    # A stored event whose processing failed earlier is applied on the redelivery.
    return payment_event_process(event_id=event.pk)


def payment_event_process(*, event_id: int) -> PaymentEvent:
    """Apply a stored event once: a succeeded payment intent pays its invoice, a failed one
    fails its payment only while that is still pending, refunds are noted; other types are
    ignored. The outcome is written on the event."""
    with transaction.atomic():
        event = PaymentEvent.objects.select_for_update().get(pk=event_id)
        if event.processed_at is not None:
            return event
        handler = STRIPE_HANDLERS.get(event.type) if event.provider == "stripe" else None
        payload = event.payload if isinstance(event.payload, dict) else {}
        subject = (payload.get("data") or {}).get("object") or {}
        event.outcome = (handler(subject) if handler else "ignored")[:300]
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "processed_at"])
    return event


def _payment_of(intent: dict[str, Any]) -> Payment | None:
    """The card payment a payment intent is for: by the idempotency key put in its metadata at
    charge time (also when the answer to that call was lost), else by the reference stored."""
    key = (intent.get("metadata") or {}).get("idempotency_key")
    if key:
        payment = Payment.objects.filter(method=Payment.Method.CARD, idempotency_key=key).first()
        if payment is not None:
            return payment
    reference = intent.get("id")
    if not reference:
        return None
    return Payment.objects.filter(method=Payment.Method.CARD, gateway_reference=reference).first()


def _amount_differs(payment: Payment, intent: dict[str, Any]) -> str:
    currency = str(intent.get("currency", "")).upper()
    if currency == payment.currency and intent.get("amount") == minor_units(payment.amount, payment.currency):
        return ""
    amount = from_minor_units(int(intent.get("amount") or 0), currency or payment.currency)
    logger.error("payment intent %s is for %s %s, payment %s for %s %s", intent.get("id"), amount, currency,
                 payment.pk, payment.amount, payment.currency)  # fmt: skip
    return f"amount differs: {amount} {currency} for payment {payment.pk} of {payment.amount} {payment.currency}"


def _intent_succeeded(intent: dict[str, Any]) -> str:
    payment = _payment_of(intent)
    if payment is None:
        return f"no payment for {intent.get('id')}"
    if differs := _amount_differs(payment, intent):
        return differs
    if payment.status == Payment.Status.SUCCEEDED:
        return f"payment {payment.pk} had succeeded already"
    payment_succeeded(payment_id=payment.pk, reference=str(intent["id"]))
    return f"payment {payment.pk} succeeded"


def _intent_failed(intent: dict[str, Any]) -> str:
    payment = _payment_of(intent)
    if payment is None:
        return f"no payment for {intent.get('id')}"
    if payment.status != Payment.Status.PENDING:
        return f"payment {payment.pk} is {payment.status}: unchanged"
    error = intent.get("last_payment_error") or {}
    reason = str(error.get("message") or _("The card was declined."))
    payment = payment_failed(payment_id=payment.pk, reason=reason, today=timezone.localdate())
    return f"payment {payment.pk} {payment.status}: {reason}"


def _charge_refunded(charge: dict[str, Any]) -> str:
    """A refund on one of our card charges: whatever no credit note covers yet (a refund made in
    the provider's dashboard) gets its credit note, once (credit_notes.invoice_refunded_by_provider)."""
    currency = str(charge.get("currency", "")).upper()
    amount = from_minor_units(int(charge.get("amount_refunded") or 0), currency or "EUR")
    paid_by = str(charge.get("payment_intent") or charge.get("id") or "")
    refunds = ((charge.get("refunds") or {}).get("data")) or []
    reference = str(refunds[0].get("id")) if refunds and isinstance(refunds[0], dict) else str(charge.get("id", ""))
    outcome = invoice_refunded_by_provider(
        charge_reference=paid_by, refunded_total=amount, currency=currency, reference=reference
    )
    return f"refunded {amount} {currency} of {paid_by}; {outcome}"


def _refund_updated(refund: dict[str, Any]) -> str:
    currency = str(refund.get("currency", "")).upper()
    amount = from_minor_units(int(refund.get("amount") or 0), currency or "EUR")
    return (
        f"refund {refund.get('id')} of {amount} {currency} for {refund.get('payment_intent')}: {refund.get('status')}"
    )


STRIPE_HANDLERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "charge.refunded": _charge_refunded,
    "refund.updated": _refund_updated,
}
