"""Credit notes and refunds: an issued invoice is never changed; a correction or a refund is
a new document in the seller's credit-note series."""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.billing.gateways import GatewayUnavailable, PaymentDeclined, gateway
from propass.billing.invoicing import _enqueue_pdf, structured_reference
from propass.billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput
from propass.core.services import audit_record, sequence_next
from propass.core.statuses import status_move

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def invoice_credited_net(*, invoice: Invoice) -> Decimal:
    """How much of an invoice's net has been credited so far (a positive amount)."""
    credited = invoice.credit_notes.aggregate(total=Sum("net"))["total"] or Decimal("0")
    return -credited


def credit_note_issue(
    *,
    invoice_id: int,
    reason: str,
    actor: object = None,
    net: Decimal | None = None,
    refunded_by_provider: str = "",
) -> Invoice:
    """Credit an issued invoice, in full or for part of its net, with a credit note in the
    seller's credit-note series for the year (gap-free) and the invoice's VAT treatment and
    rate; amounts are negative. The invoice keeps every field as issued; an unpaid invoice
    credited in full leaves collection (void). Money paid by card is refunded through the
    gateway once the credit note is committed, unless `refunded_by_provider` names a refund the
    provider already made (in its dashboard): the refund is then recorded as done and the
    credit note settled, nothing is sent."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(fields={"reason": [str(_("Say why the invoice is credited."))]})
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("seller").get(pk=invoice_id)
        if invoice.kind != InvoiceKind.INVOICE or invoice.status == InvoiceStatus.VOID:
            raise Conflict(_("Only an issued invoice can be credited."), code="not_creditable")
        open_net = invoice.net - invoice_credited_net(invoice=invoice)
        amount = open_net if net is None else net.quantize(CENT, rounding=ROUND_HALF_UP)
        if amount <= 0 or amount > open_net:
            raise InvalidInput(
                _("The credit must be more than zero and at most %(open)s %(currency)s."),
                code="credit_amount",
                fields={"net": [str(_("Enter an amount up to what is left to credit."))]},
                open=open_net,
                currency=invoice.currency,
            )
        if invoice.status != InvoiceStatus.PAID and amount != open_net:
            raise InvalidInput(
                _("An unpaid invoice can only be credited in full; issue a new invoice for the right amount."),
                code="credit_partial_unpaid",
                fields={"net": [str(_("Credit the whole amount."))]},
            )
        vat = (amount * invoice.vat_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount == open_net:  # the last credit takes exactly the VAT that is left, no cent lost to rounding
            credited_vat = -(invoice.credit_notes.aggregate(total=Sum("vat"))["total"] or Decimal("0"))
            vat = invoice.vat - credited_vat
        today = timezone.localdate()
        series = f"{invoice.seller.credit_note_series}-{today.year}"
        number = f"{series}-{sequence_next(name=f'credit_note:{series}'):06d}"
        paid = invoice.status == InvoiceStatus.PAID
        credit_note = Invoice.objects.create(
            business_id=invoice.business_id, subscription_id=invoice.subscription_id, kind=InvoiceKind.CREDIT_NOTE,
            status=InvoiceStatus.ISSUED if paid else InvoiceStatus.PAID, series=series, number=number,
            issue_date=today, due_date=today, seller=invoice.seller, seller_snapshot=invoice.seller_snapshot,
            buyer_snapshot=invoice.buyer_snapshot, currency=invoice.currency, net=-amount, vat=-vat,
            total=-(amount + vat), vat_rate=invoice.vat_rate, vat_treatment=invoice.vat_treatment,
            vat_note=invoice.vat_note, po_number=invoice.po_number, payment_method=invoice.payment_method,
            reference=structured_reference(number), language=invoice.language, credited_invoice=invoice,
            credit_reason=reason[:300],
        )  # fmt: skip
        for line in invoice.lines.all()[:1]:
            InvoiceLine.objects.create(
                invoice=credit_note, description=line.description, period_start=line.period_start,
                period_end=line.period_end, net=-amount, vat=-vat,
            )  # fmt: skip
        if not paid and amount == open_net:
            # Nothing is owed any more: the invoice leaves collection; its content stays as issued.
            status_move(invoice, InvoiceStatus.VOID, next_charge_on=None)
        refund: Payment | None = None
        if paid and invoice.payment_method == "card":
            charge = invoice.payments.filter(method=Payment.Method.CARD, status=Payment.Status.SUCCEEDED).first()
            if charge is not None and refunded_by_provider:
                Payment.objects.create(
                    invoice=credit_note, method=Payment.Method.REFUND, amount=-(amount + vat),
                    currency=invoice.currency, idempotency_key=f"{number}:refund", status=Payment.Status.SUCCEEDED,
                    gateway_reference=refunded_by_provider[:100], finished_at=timezone.now(),
                )  # fmt: skip
                status_move(credit_note, InvoiceStatus.PAID, paid_at=timezone.now())
            elif charge is not None:
                refund = Payment.objects.create(
                    invoice=credit_note, method=Payment.Method.REFUND, amount=-(amount + vat),
                    currency=invoice.currency, idempotency_key=f"{number}:refund",
                    gateway_reference=charge.gateway_reference,
                )  # fmt: skip
        audit_record(
            actor=actor,
            action=AuditAction.INVOICE_CREDIT,
            target=invoice,
            data={"credit_note": number, "net": str(amount), "vat": str(vat), "reason": reason[:300]},
        )
        transaction.on_commit(lambda: _enqueue_pdf(credit_note.pk))
        if refund is not None:
            refund_id = refund.pk
            transaction.on_commit(lambda: _refund_soon(refund_id))
    return credit_note


def invoice_refunded_by_provider(
    *, charge_reference: str, refunded_total: Decimal, currency: str, reference: str
) -> str:
    """Money refunded outside ProPass (in the provider's dashboard) on a card charge: the part
    of `refunded_total` (everything refunded on that charge so far, as the provider counts it)
    that no credit note covers yet gets one, settled, with the provider's `reference`; a refund
    ProPass made itself (pending or done) already has its credit note. Exactly once however
    often, and in whatever order, the provider tells: the invoice is locked and the covered
    amount recomputed each time. When it cannot be split into net and VAT of the invoice (another
    currency, more than is left), nothing is credited and the answer says so, for finance, who
    see it in the invoice's audit entries. Returns what was done, for the event's record."""
    charge = (
        Payment.objects.filter(
            method=Payment.Method.CARD, status=Payment.Status.SUCCEEDED, gateway_reference=charge_reference
        )
        .order_by("pk")
        .first()
    )
    if charge is None:
        return f"refund of {charge_reference}: no card payment of ours"
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=charge.invoice_id)
        covered = -(
            Payment.objects.filter(invoice__credited_invoice=invoice, method=Payment.Method.REFUND)
            .exclude(status=Payment.Status.FAILED)
            .aggregate(total=Sum("amount"))["total"]
            or Decimal("0")
        )
        missing = refunded_total - covered
        if missing <= 0:
            return f"refund of {charge_reference}: {refunded_total} {currency} already credited"
        credited = invoice.credit_notes.aggregate(net=Sum("net"), vat=Sum("vat"))
        open_total = invoice.total + (credited["net"] or 0) + (credited["vat"] or 0)
        net = None if missing == open_total else _net_of(missing, invoice.vat_rate)
        if currency != invoice.currency or missing > open_total or (net is None and missing != open_total):
            audit_record(
                actor=None,
                action=AuditAction.REFUND_UNMATCHED,
                target=invoice,
                data={
                    "refunded": f"{missing} {currency}",
                    "reference": reference,
                    "open": f"{open_total} {invoice.currency}",
                },
            )
            left = f"{open_total} {invoice.currency}"
            return f"refund of {missing} {currency} on {invoice.number}: left to finance (open {left})"
        credit_note = credit_note_issue(
            invoice_id=invoice.pk,
            reason=str(_("Refunded in the payment provider (%(reference)s)") % {"reference": reference}),
            net=net,
            refunded_by_provider=reference,
        )
    return f"refund of {missing} {currency} on {invoice.number}: credit note {credit_note.number}"


def _net_of(gross: Decimal, rate: Decimal) -> Decimal | None:
    """The net whose VAT at `rate` (rounded half up, as credit notes round it) makes `gross`."""
    guess = (gross * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    for net in (guess, guess - CENT, guess + CENT):
        if net > 0 and net + (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP) == gross:
            return net
    return None


def _refund_soon(payment_id: int) -> None:
    try:
        refund_execute(payment_id=payment_id)
    except Exception:
        logger.exception("refund %s failed; the refund job tries again", payment_id)


def refund_execute(*, payment_id: int) -> Payment:
    """Send a pending refund to the gateway, under its idempotency key: run twice, or after a
    crash, it refunds once. When it succeeds, the credit note is settled."""
    payment = Payment.objects.select_related("invoice").get(pk=payment_id)
    if payment.status != Payment.Status.PENDING:
        return payment
    try:
        reference = gateway().refund(
            charge=payment.gateway_reference, amount=-payment.amount, idempotency_key=payment.idempotency_key
        )
    except GatewayUnavailable:
        logger.warning("gateway unavailable for refund %s; the refund job tries again", payment.idempotency_key)
        return payment
    except PaymentDeclined as refused:
        status_move(
            payment,
            Payment.Status.FAILED,
            action=AuditAction.REFUND_FAILED,
            audit_target=payment.invoice,
            data={"error": str(refused)[:300]},
            error=str(refused)[:300],
            finished_at=timezone.now(),
        )
        payment.refresh_from_db()
        return payment
    with transaction.atomic():
        if status_move(payment, Payment.Status.SUCCEEDED, gateway_reference=reference, finished_at=timezone.now()):
            credit_note = Invoice.objects.select_for_update(of=("self",)).get(pk=payment.invoice_id)
            if credit_note.status == InvoiceStatus.ISSUED:
                status_move(
                    credit_note,
                    InvoiceStatus.PAID,
                    action=AuditAction.REFUND_SUCCEEDED,
                    data={"reference": reference},
                    paid_at=timezone.now(),
                )
    payment.refresh_from_db()
    return payment


def refunds_retry() -> int:
    """Send every refund still pending (the periodic catch-up after a gateway outage)."""
    pending = list(
        Payment.objects.filter(method=Payment.Method.REFUND, status=Payment.Status.PENDING).values_list("pk", flat=True)
    )
    for payment_id in pending:
        refund_execute(payment_id=payment_id)
    return len(pending)
