from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from propass.billing.collection import invoice_collect_due
from propass.billing.finance import invoice_mark_paid_manually
from propass.billing.models import Invoice, Payment
from propass.core.errors import Conflict, InvalidInput
from propass.core.models import AuditLog
from propass.testing.shop import buy, morning


def _actions(invoice):
    return list(
        AuditLog.objects.filter(target_type="billing.invoice", target_id=str(invoice.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_finance_marks_a_bank_transfer_invoice_paid_on_the_day_received(shop, owner, staff):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    received = timezone.localdate() - timedelta(days=2)
    payment = invoice_mark_paid_manually(
        invoice_id=invoice.pk, actor=staff, paid_on=received, note="  Transfer seen in the ABN AMRO portal  "
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert timezone.localtime(invoice.paid_at).date() == received
    assert (payment.method, payment.amount, payment.currency, payment.status) == (
        "manual", invoice.total, "EUR", "succeeded"
    )  # fmt: skip
    assert (payment.recorded_by, payment.note) == (staff, "Transfer seen in the ABN AMRO portal")
    assert _actions(invoice) == ["invoice.paid", "invoice.mark_paid_manually"]
    entry = AuditLog.objects.get(action="invoice.mark_paid_manually")
    assert entry.actor == staff
    assert entry.data["note"] == "Transfer seen in the ABN AMRO portal"
    assert entry.data["paid_on"] == received.isoformat()


def test_money_received_today_keeps_the_moment_it_was_recorded(shop, owner, staff):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    before = timezone.now()
    invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=timezone.localdate(), note="Cash")
    invoice.refresh_from_db()
    assert invoice.paid_at >= before


@pytest.mark.parametrize("note", ["", "   "])
def test_a_note_is_required_and_nothing_changes_without_it(shop, owner, staff, note):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    with pytest.raises(InvalidInput) as refused:
        invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=timezone.localdate(), note=note)
    assert refused.value.fields["note"] == ["Write a note saying how the payment was received."]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_at) == ("issued", None)
    assert Payment.objects.count() == 0
    assert _actions(invoice) == []


def test_a_date_in_the_future_is_refused(shop, owner, staff):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=tomorrow, note="Early bird")
    assert refused.value.fields["paid_on"] == ["The date received cannot be in the future."]
    assert Invoice.objects.get(pk=invoice.pk).status == "issued"
    assert Payment.objects.count() == 0


def test_an_invoice_is_marked_paid_by_hand_once(shop, owner, staff):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=timezone.localdate(), note="Bank")
    with pytest.raises(Conflict) as refused:
        invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=timezone.localdate(), note="Again")
    assert str(refused.value) == f"Invoice {invoice.number} was already marked paid by hand."
    assert Payment.objects.count() == 1
    assert _actions(invoice).count("invoice.mark_paid_manually") == 1


def test_an_invoice_already_paid_by_card_cannot_be_marked_paid(shop, owner, staff):
    _subscription, invoice = buy(shop, owner)
    invoice_collect_due(at=morning(invoice.due_date))
    with pytest.raises(Conflict) as refused:
        invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=timezone.localdate(), note="Bank")
    assert str(refused.value) == f"Invoice {invoice.number} is not open for payment (Paid)."
    assert list(Payment.objects.values_list("method", flat=True)) == ["card"]


def test_marking_paid_reinstates_the_membership_suspended_for_it(shop, owner, staff):
    subscription, invoice = buy(shop, owner, token="tok_insufficientFunds")
    due = timezone.localdate() - timedelta(days=10)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=due, next_charge_on=due)
    for offset in (0, 1, 3, 7):
        invoice_collect_due(at=morning(due + timedelta(days=offset)))
    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    invoice_mark_paid_manually(invoice_id=invoice.pk, actor=staff, paid_on=due, note="Paid by transfer instead")
    subscription.refresh_from_db()
    invoice.refresh_from_db()
    assert (invoice.status, subscription.status) == ("paid", "active")
    assert invoice.paid_at == timezone.make_aware(datetime.combine(due, time.min))
    assert "subscription.reinstate" in _actions(invoice)
