"""Finance staff's own actions on invoices."""

from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import User
from propass.billing.collection import invoice_record_payment
from propass.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput, NotFound
from propass.core.services import audit_record
from propass.core.statuses import status_move


def invoice_mark_paid_manually(*, invoice_id: int, actor: User, paid_on: date, note: str) -> Payment:
    """Finance marks an open invoice paid by hand, with the day the money arrived (not in the
    future) and a mandatory note saying how they know. An invoice is marked paid by hand once;
    its paid date becomes the day received."""
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if not note:
        errors["note"] = [str(_("Write a note saying how the payment was received."))]
    today = timezone.localdate()
    if paid_on > today:
        errors["paid_on"] = [str(_("The date received cannot be in the future."))]
    if errors:
        raise InvalidInput(fields=errors)
    key = f"manual:{invoice_id}"
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice_id).first()
        if invoice is None:
            raise NotFound(_("No invoice has this number."))
        if Payment.objects.filter(idempotency_key=key).exists():
            raise Conflict(
                _("Invoice %(number)s was already marked paid by hand."),
                code="already_marked_paid",
                number=invoice.number,
            )
        payment = invoice_record_payment(
            invoice_id=invoice.pk,
            method=Payment.Method.MANUAL,
            amount=invoice.total,
            currency=invoice.currency,
            key=key,
            actor=actor,
            note=note,
        )
        if paid_on != today:
            paid_at = timezone.make_aware(datetime.combine(paid_on, time.min))
            Invoice.objects.filter(pk=invoice.pk).update(paid_at=paid_at)
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_MARK_PAID_MANUALLY,
            target=invoice,
            data={
                "before": {"status": invoice.status},
                "after": {"status": InvoiceStatus.PAID.value},
                "paid_on": paid_on.isoformat(),
                "note": note,
                "payment": payment.pk,
                "amount": str(invoice.total),
                "currency": invoice.currency,
            },
        )
    return payment


def credit_note_mark_refunded(*, credit_note_id: int, actor: User, refunded_on: date, note: str) -> Payment:
    """Finance records that the money of a credit note was paid back by hand (a bank transfer
    to the member); card refunds go through the gateway by themselves. Once per credit note."""
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if not note:
        errors["note"] = [str(_("Write a note saying how the money was paid back."))]
    if refunded_on > timezone.localdate():
        errors["refunded_on"] = [str(_("The date cannot be in the future."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        credit = Invoice.objects.select_for_update(of=("self",)).filter(pk=credit_note_id).first()
        if credit is None or credit.kind != InvoiceKind.CREDIT_NOTE:
            raise NotFound(_("No credit note has this number."))
        if credit.status != InvoiceStatus.ISSUED or credit.payments.filter(status=Payment.Status.PENDING).exists():
            raise Conflict(
                _("Credit note %(number)s has nothing left to pay back by hand."),
                code="nothing_to_refund",
                number=credit.number,
            )
        payment = Payment.objects.create(
            invoice=credit, method=Payment.Method.REFUND, amount=credit.total, currency=credit.currency,
            idempotency_key=f"refund-manual:{credit.pk}", status=Payment.Status.SUCCEEDED,
            finished_at=timezone.now(), recorded_by=actor, note=note[:300],
        )  # fmt: skip
        status_move(
            credit,
            InvoiceStatus.PAID,
            actor=actor,
            action=AuditAction.CREDIT_NOTE_MARK_REFUNDED,
            data={
                "refunded_on": refunded_on.isoformat(),
                "note": note,
                "amount": str(credit.total),
                "currency": credit.currency,
            },
            paid_at=timezone.make_aware(datetime.combine(refunded_on, time.min)),
        )
    return payment
