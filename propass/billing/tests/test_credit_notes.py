from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from propass.billing.collection import invoice_collect_due
from propass.billing.credit_notes import credit_note_issue, refunds_retry
from propass.billing.models import Invoice, InvoiceLine, Payment
from propass.core.errors import Conflict, InvalidInput
from propass.core.models import AuditLog
from propass.testing.shop import buy, morning

FROZEN = [
    "number", "series", "issue_date", "due_date", "net", "vat", "total", "vat_rate", "vat_treatment", "currency",
    "seller_snapshot", "buyer_snapshot", "reference", "po_number", "pdf",
]  # fmt: skip


def _frozen(invoice):
    invoice.refresh_from_db()
    lines = list(InvoiceLine.objects.filter(invoice=invoice).values_list("description", "net", "vat"))
    return {name: getattr(invoice, name) for name in FROZEN} | {"lines": lines}


def test_a_credit_note_never_edits_the_paid_invoice_and_refunds_the_card(shop, owner):
    _subscription, invoice = buy(shop, owner)
    invoice.pdf.save("x.pdf", ContentFile(b"%PDF-1.4 issued"), save=True)
    invoice_collect_due(at=morning(invoice.due_date))
    before = _frozen(invoice)
    credit = credit_note_issue(invoice_id=invoice.pk, reason="Customer cancelled within 14 days", actor=owner)
    assert _frozen(invoice) == before
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert credit.kind == "credit_note"
    assert credit.number.startswith("CN-") and credit.number != invoice.number
    assert (credit.net, credit.vat, credit.total) == (-invoice.net, -invoice.vat, -invoice.total)
    assert credit.credited_invoice == invoice
    assert refunds_retry() == 1
    refund = Payment.objects.get(method="refund")
    assert (refund.status, refund.amount, refund.invoice) == ("succeeded", -invoice.total, credit)
    credit.refresh_from_db()
    assert credit.status == "paid"
    assert refunds_retry() == 0
    assert AuditLog.objects.filter(action="invoice.credit", target_id=str(invoice.pk)).count() == 1


def test_credit_notes_have_their_own_gap_free_series_and_cannot_exceed_the_invoice(shop, owner):
    _subscription, invoice = buy(shop, owner)
    invoice_collect_due(at=morning(invoice.due_date))
    first = credit_note_issue(invoice_id=invoice.pk, reason="Goodwill", net=Decimal("10.00"))
    second = credit_note_issue(invoice_id=invoice.pk, reason="Goodwill", net=invoice.net - Decimal("10.00"))
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert first.vat + second.vat == -invoice.vat  # no cent lost to rounding across partial credits
    with pytest.raises(InvalidInput):
        credit_note_issue(invoice_id=invoice.pk, reason="Too much", net=Decimal("0.01"))
    with pytest.raises(InvalidInput):
        credit_note_issue(invoice_id=invoice.pk, reason="  ")
    with pytest.raises(Conflict):
        credit_note_issue(invoice_id=first.pk, reason="A credit note is not credited")


def test_an_unpaid_invoice_credited_in_full_leaves_collection(shop, owner):
    _subscription, invoice = buy(shop, owner)
    with pytest.raises(InvalidInput):
        credit_note_issue(invoice_id=invoice.pk, reason="Partial", net=Decimal("5"))
    before = _frozen(invoice)
    credit = credit_note_issue(invoice_id=invoice.pk, reason="Issued by mistake")
    assert _frozen(invoice) == before
    invoice.refresh_from_db()
    assert (invoice.status, invoice.next_charge_on) == ("void", None)
    assert credit.status == "paid"  # nothing to refund: the credit settles the unpaid invoice
    assert invoice_collect_due(at=morning(invoice.due_date)) == 0
    assert not Payment.objects.exists()
    assert Invoice.objects.count() == 2
