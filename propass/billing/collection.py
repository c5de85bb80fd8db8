"""Collecting card invoices on their due date, with retries and suspension."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import BusinessMembership
from propass.billing.gateways import GatewayUnavailable, PaymentDeclined, gateway
from propass.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from propass.billing.signals import invoice_finally_unpaid, invoice_paid, invoices_paid
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput
from propass.core.selectors import program_current
from propass.core.services import audit_record, audit_record_many
from propass.core.statuses import status_move, statuses_move
from propass.notifications.services import business_notify, notification_business, notifications_businesses

logger = logging.getLogger(__name__)

PAYMENT_RECEIVED_TITLE = _("Payment received for invoice %(number)s")
PAYMENT_RECEIVED_BODY = _("Thank you: %(total)s %(currency)s.")
# A failed charge is tried again this many days after the due date; then the membership is suspended.
RETRY_DAYS = (1, 3, 7)


COLLECT_CHUNK = 1000


def invoice_collect_due(*, at: datetime) -> int:
    """Charge every card invoice whose (re)try date has come, all of them: a day with 20,000
    due charges them that day (no cap per run). Read in chunks by id, so memory stays flat and
    an invoice charged meanwhile by a parallel run is skipped by `invoice_collect`'s lock.
    Returns how many were tried."""
    today = timezone.localtime(at).date()
    due = Invoice.objects.filter(
        payment_method="card",
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE],
        next_charge_on__lte=today,
    ).order_by("pk")
    tried, after = 0, 0
    while chunk := list(due.filter(pk__gt=after).values_list("pk", flat=True)[:COLLECT_CHUNK]):
        invoices_collect(invoice_ids=chunk, today=today)
        tried += len(chunk)
        after = chunk[-1]
    return tried


def invoices_collect(*, invoice_ids: list[int], today: date) -> None:
    """`invoice_collect` for many invoices, with the database work done a batch at a time:
    every attempt recorded in one transaction before any card is charged (each under its unique
    idempotency key, which the gateway also receives, so a second run cannot charge twice), the
    cards charged one by one, then every success recorded together (payments, invoices paid,
    audit entries, bells). A declined card goes the single invoice's way (retry, suspension)."""
    succeeded: list[tuple[Payment, str]] = []
    for payment, card in _attempts_record(invoice_ids, today):
        try:
            charge = gateway().charge(
                card=card, amount=payment.amount, currency=payment.currency, idempotency_key=payment.idempotency_key
            )
        except GatewayUnavailable:
            logger.warning("payment gateway unavailable for %s; the next run tries again", payment.idempotency_key)
            continue
        except PaymentDeclined as declined:
            payment_failed(payment_id=payment.pk, reason=str(declined), today=today)
            continue
        succeeded.append((payment, charge.reference))
    if succeeded:
        _payments_succeeded(succeeded)


def _attempts_record(invoice_ids: list[int], today: date) -> list[tuple[Payment, str]]:
    """Lock the invoices still due, record this attempt of each (or find it, after a crash)
    and return the attempts still pending with the card to charge."""
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(
                pk__in=invoice_ids,
                payment_method="card",
                status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE],
                next_charge_on__lte=today,
            )
            .order_by("pk")
        )
        keys = {invoice.pk: f"{invoice.number}:charge:{invoice.charge_attempts + 1}" for invoice in invoices}
        payments = {p.idempotency_key: p for p in Payment.objects.filter(idempotency_key__in=keys.values())}
        new = [
            Payment(invoice=invoice, attempt=invoice.charge_attempts + 1, method="card", amount=invoice.total,
                    currency=invoice.currency, idempotency_key=keys[invoice.pk])
            for invoice in invoices
            if keys[invoice.pk] not in payments
        ]  # fmt: skip
        payments |= {payment.idempotency_key: payment for payment in Payment.objects.bulk_create(new)}
    return [
        (payments[keys[invoice.pk]], invoice.subscription.card_reference if invoice.subscription else "")
        for invoice in invoices
        if payments[keys[invoice.pk]].status == Payment.Status.PENDING
    ]


def _payments_succeeded(succeeded: list[tuple[Payment, str]]) -> None:
    """`payment_succeeded` for a batch: the payments still pending succeed, their open
    invoices are paid (one guarded UPDATE each, audited per invoice, `invoices_paid` sent, a
    bell for each business); an invoice paid or voided meanwhile is recorded as a surplus."""
    references = {payment.pk: reference for payment, reference in succeeded}
    now = timezone.now()
    with transaction.atomic():
        # Payments first, then invoices: the order every payment step keeps.
        payments = list(
            Payment.objects.select_for_update(of=("self",))
            .filter(pk__in=references, status=Payment.Status.PENDING)
            .order_by("pk")
        )
        if not payments:
            return
        moved = statuses_move(
            Payment.objects.filter(pk__in=[p.pk for p in payments]), [Payment.Status.PENDING],
            Payment.Status.SUCCEEDED, finished_at=now,
        )  # fmt: skip
        for payment in payments:
            payment.gateway_reference = references[payment.pk]
        Payment.objects.bulk_update(payments, ["gateway_reference"])
        if moved != len(payments):
            raise Conflict()  # locked and pending: cannot happen; roll back rather than half-record
        via = {payment.invoice_id: f"card:{payment.gateway_reference}" for payment in payments}
        invoices = list(Invoice.objects.select_for_update(of=("self",)).filter(pk__in=via).order_by("pk"))
        open_ = [invoice for invoice in invoices if invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)]
        for invoice in invoices:
            if invoice not in open_:  # paid by other means or voided: finance refunds it
                audit_record(actor=None, action=AuditAction.PAYMENT_SURPLUS, target=invoice,
                             data={"via": via[invoice.pk]})  # fmt: skip
        if not open_:
            return
        before = {invoice.pk: str(invoice.status) for invoice in open_}
        paid = statuses_move(
            Invoice.objects.filter(pk__in=before), [InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE], InvoiceStatus.PAID,
            paid_at=now, next_charge_on=None,
        )  # fmt: skip
        if paid != len(open_):
            raise Conflict()
        # The invoices as they are now (paid), with the people their bells go to.
        open_ = list(
            Invoice.objects.filter(pk__in=before)
            .select_related("business")
            .prefetch_related(
                Prefetch("business__memberships", queryset=BusinessMembership.objects.filter(user__is_active=True))
            )
            .order_by("pk")
        )
        audit_record_many(
            action=AuditAction.INVOICE_PAID,
            entries=[
                (invoice, {"via": via[invoice.pk], "before": {"status": before[invoice.pk]},
                           "after": {"status": str(InvoiceStatus.PAID)}})
                for invoice in open_
            ],
        )  # fmt: skip
        invoices_paid.send(sender=Invoice, invoices=open_, via={invoice.pk: via[invoice.pk] for invoice in open_})
        notifications_businesses(
            entries=[
                (invoice.business, {"number": invoice.number, "total": invoice.total, "currency": invoice.currency})
                for invoice in open_
            ],
            kind="payment_received",
            title=PAYMENT_RECEIVED_TITLE,
            body=PAYMENT_RECEIVED_BODY,
            url=reverse("memberships:subscriptions"),
        )


def invoice_collect(*, invoice_id: int, today: date) -> Payment | None:
    """One charge attempt for one invoice. The attempt is recorded before the gateway is
    called, under a unique idempotency key that the gateway also receives: a second run,
    in parallel or after a crash, reuses the key and cannot charge twice."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=invoice_id)
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE) or invoice.next_charge_on is None:
            return None
        if invoice.next_charge_on > today:
            return None
        attempt = invoice.charge_attempts + 1
        key = f"{invoice.number}:charge:{attempt}"
        payment = Payment.objects.filter(idempotency_key=key).first()
        if payment is None:
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        invoice=invoice, attempt=attempt, method="card", amount=invoice.total,
                        currency=invoice.currency, idempotency_key=key,
                    )  # fmt: skip
            except IntegrityError:
                payment = Payment.objects.get(idempotency_key=key)
        if payment.status != Payment.Status.PENDING:
            return payment
        card = invoice.subscription.card_reference if invoice.subscription else ""
    try:
        charge = gateway().charge(card=card, amount=invoice.total, currency=invoice.currency, idempotency_key=key)
    except GatewayUnavailable:
        logger.warning("payment gateway unavailable for %s; the next run tries again", key)
        return payment
    except PaymentDeclined as declined:
        return payment_failed(payment_id=payment.pk, reason=str(declined), today=today)
    return payment_succeeded(payment_id=payment.pk, reference=charge.reference)


def payment_succeeded(*, payment_id: int, reference: str) -> Payment:
    """The gateway reports the card payment as succeeded (at once or by webhook): it is
    recorded and the invoice paid, also after the same attempt was recorded as failed (the
    money arrived; that wins)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == Payment.Status.SUCCEEDED:
            return payment
        status_move(payment, Payment.Status.SUCCEEDED, gateway_reference=reference, finished_at=timezone.now())
        # The invoice as it is now (locked after the payment, the order every payment step
        # keeps): paid by transfer or voided by a credit note a moment ago counts.
        payment.invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=payment.invoice_id)
        if payment.invoice.status in (InvoiceStatus.PAID, InvoiceStatus.VOID):
            # Paid meanwhile by other means, or voided: the money is recorded, finance refunds it.
            audit_record(
                actor=None,
                action=AuditAction.PAYMENT_SURPLUS,
                target=payment.invoice,
                data={"via": f"card:{reference}"},
            )
        else:
            invoice_mark_paid(invoice=payment.invoice, actor=None, via=f"card:{reference}")
    return payment


def payment_failed(*, payment_id: int, reason: str, today: date) -> Payment:
    """The gateway reports the card payment as failed: only a pending payment changes (retry
    or suspension as on the due date); after a success it changes nothing."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
        if payment.status != Payment.Status.PENDING:
            return payment
        status_move(payment, Payment.Status.FAILED, error=reason[:300], finished_at=timezone.now())
        invoice = payment.invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=payment.invoice_id)
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE):
            return payment  # paid or voided meanwhile: nothing is left to collect
        retries_done = payment.attempt - 1
        retry_on = (
            invoice.due_date + timedelta(days=RETRY_DAYS[retries_done]) if retries_done < len(RETRY_DAYS) else None
        )
        _overdue(invoice, charge_attempts=payment.attempt, next_charge_on=retry_on)
        if retry_on is None:
            invoice_finally_unpaid.send(sender=Invoice, invoice=invoice)
        else:
            business_notify(
                business=invoice.business,
                kind="payment_failed",
                title=_("The card payment of invoice %(number)s failed"),
                body=_(
                    "Reason: %(reason)s. We will try again on %(retry)s. To avoid a suspension of the membership, "
                    "replace the card under Manage Subscription."
                ),
                url=reverse("memberships:manage"),
                params={"number": invoice.number, "reason": reason, "retry": str(invoice.next_charge_on)},
                billing_only=True,
            )
    return payment


def _overdue(invoice: Invoice, **fields: Any) -> None:
    """Write `fields` to a locked open invoice, which is overdue from now on (an issued one moves)."""
    if invoice.status == InvoiceStatus.ISSUED:
        status_move(invoice, InvoiceStatus.OVERDUE, **fields)
        return
    for name, value in fields.items():
        setattr(invoice, name, value)
    invoice.save(update_fields=list(fields))


# A bank-transfer invoice unpaid after its due date is reminded on these days after it.
BANK_REMINDER_DAYS = (1, 7)


def invoices_chase_overdue(*, today: date) -> int:
    """Bank-transfer invoices unpaid after their due date: marked overdue, reminded 1 and 7
    days after it, and after the program's grace period (default 14 days) the membership is
    suspended until the invoice is paid. Each step happens once per invoice."""
    grace = program_current().payment_grace_days
    overdue = list(
        Invoice.objects.filter(
            kind=InvoiceKind.INVOICE, payment_method="bank_transfer",
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE], due_date__lt=today,
        ).values_list("pk", flat=True)[:2000]
    )  # fmt: skip
    for invoice_id in overdue:
        _chase(invoice_id, today, grace)
    return len(overdue)


def _chase(invoice_id: int, today: date, grace: int) -> None:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("subscription").get(pk=invoice_id)
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE):
            return
        days_late = (today - invoice.due_date).days
        steps = [days for days in BANK_REMINDER_DAYS if days < grace] + [grace]
        done = sum(1 for days in steps if days <= days_late)
        if done <= invoice.reminders_sent:
            _overdue(invoice)
            return
        _overdue(invoice, reminders_sent=done)
        params = {
            "number": invoice.number, "total": invoice.total, "currency": invoice.currency,
            "due": str(invoice.due_date), "reference": invoice.reference,
            "iban": invoice.seller_snapshot.get("iban", ""), "bic": invoice.seller_snapshot.get("bic", ""),
            "suspend_on": str(invoice.due_date + timedelta(days=grace)),
        }  # fmt: skip
        if done == len(steps):
            invoice_finally_unpaid.send(sender=Invoice, invoice=invoice)
            return
        business_notify(
            business=invoice.business,
            kind="payment_reminder",
            title=_("Reminder: invoice %(number)s is overdue"),
            body=_(
                "Invoice %(number)s of %(total)s %(currency)s was due on %(due)s. Please transfer it to IBAN "
                "%(iban)s, BIC %(bic)s, with the reference %(reference)s. Unpaid on %(suspend_on)s, the membership "
                "is suspended."
            ),
            url=reverse("memberships:subscriptions"),
            params=params,
            billing_only=True,
        )


def invoice_mark_paid(*, invoice: Invoice, actor: object, via: str) -> None:
    """An invoice is paid: it leaves collection, and the apps above are told (`invoice_paid`:
    a membership suspended for it is active again). Must run inside the caller's transaction,
    with the invoice locked; an invoice that is not open for payment raises IllegalTransition."""
    if not status_move(
        invoice,
        InvoiceStatus.PAID,
        actor=actor,
        action=AuditAction.INVOICE_PAID,
        data={"via": via},
        paid_at=timezone.now(),
        next_charge_on=None,
    ):
        raise Conflict()
    invoice_paid.send(sender=Invoice, invoice=invoice, via=via)
    notification_business(
        business=invoice.business,
        kind="payment_received",
        title=PAYMENT_RECEIVED_TITLE,
        body=PAYMENT_RECEIVED_BODY,
        url=reverse("memberships:subscriptions"),
        params={"number": invoice.number, "total": invoice.total, "currency": invoice.currency},
    )


def invoice_record_payment(
    *,
    invoice_id: int,
    method: str,
    amount: Decimal,
    currency: str,
    key: str,
    actor: object = None,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Record money received for an invoice outside the card run (a bank transfer found in a
    statement, or finance marking it paid by hand) and mark the invoice paid. `key` makes it
    idempotent: the same bank line or the same request recorded twice is one payment. A
    payment for an invoice that is already paid, void, or a credit note is refused."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
        existing = Payment.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        if invoice.kind != InvoiceKind.INVOICE or invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE):
            raise Conflict(
                _("Invoice %(number)s is not open for payment (%(status)s)."),
                code="invoice_not_open",
                number=invoice.number,
                status=invoice.get_status_display(),
            )
        if currency != invoice.currency:
            raise InvalidInput(
                _("The payment is in %(currency)s but the invoice is in %(invoice_currency)s."),
                code="currency_mismatch",
                currency=currency,
                invoice_currency=invoice.currency,
            )
        payment = Payment.objects.create(
            invoice=invoice, attempt=1, method=method, amount=amount, currency=currency, idempotency_key=key,
            status=Payment.Status.SUCCEEDED, gateway_reference=reference[:100], finished_at=timezone.now(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
            note=note[:300],
        )  # fmt: skip
        invoice_mark_paid(invoice=invoice, actor=actor, via=f"{method}:{reference or key}")
    return payment


def invoices_retry_with_new_card(*, subscription_id: int, today: date) -> int:
    """After the card is replaced, unpaid card invoices are charged again at the next run."""
    return Invoice.objects.filter(
        subscription_id=subscription_id, payment_method="card",
        status__in=[InvoiceStatus.OVERDUE, InvoiceStatus.ISSUED], due_date__lte=today,
    ).update(next_charge_on=today)  # fmt: skip
