"""An invoice moves only along its table: issued -> paid / overdue / void, overdue -> paid /
void; paid and void are final. Billing tells memberships through its signals."""

from datetime import timedelta

import pytest

from propass.billing.collection import invoice_record_payment, invoices_chase_overdue
from propass.billing.credit_notes import credit_note_issue
from propass.billing.models import Invoice, InvoiceStatus
from propass.billing.signals import invoice_finally_unpaid, invoice_paid
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, IllegalTransition
from propass.core.models import AuditLog
from propass.core.statuses import status_move
from propass.testing.shop import buy


def _pay(invoice, key):
    return invoice_record_payment(
        invoice_id=invoice.pk, method="bank_transfer", amount=invoice.total, currency=invoice.currency, key=key
    )


def _actions(target):
    return list(
        AuditLog.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_an_invoice_is_paid_once(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    _pay(invoice, "bank:1")
    with pytest.raises(Conflict):
        _pay(invoice, "bank:2")
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    with pytest.raises(IllegalTransition):
        status_move(invoice, InvoiceStatus.PAID, action=AuditAction.INVOICE_PAID)
    assert _actions(invoice) == ["invoice.paid"]
    entry = AuditLog.objects.get(action="invoice.paid")
    assert (entry.data["before"], entry.data["after"]) == ({"status": "issued"}, {"status": "paid"})


def test_a_paid_invoice_is_never_void_nor_overdue(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    _pay(invoice, "bank:1")
    invoice.refresh_from_db()
    for new in (InvoiceStatus.VOID, InvoiceStatus.OVERDUE, InvoiceStatus.ISSUED):
        with pytest.raises(IllegalTransition):
            status_move(invoice, new)
    credit_note_issue(invoice_id=invoice.pk, reason="Goodwill")  # a refund is a credit note…
    invoice.refresh_from_db()
    assert invoice.status == "paid"  # …the paid invoice stays paid


def test_an_unpaid_invoice_credited_in_full_is_void_and_no_longer_payable(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    credit = credit_note_issue(invoice_id=invoice.pk, reason="Wrong company")
    invoice.refresh_from_db()
    assert (invoice.status, credit.status) == ("void", "paid")
    with pytest.raises(Conflict):
        _pay(invoice, "bank:1")
    with pytest.raises(IllegalTransition):
        status_move(invoice, InvoiceStatus.PAID)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_at) == ("void", None)


def test_a_move_from_a_stale_invoice_changes_nothing(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    stale = Invoice.objects.get(pk=invoice.pk)
    _pay(invoice, "bank:1")
    assert status_move(stale, InvoiceStatus.OVERDUE, action=AuditAction.INVOICE_PAID) is False
    assert stale.status == "issued"
    stale.refresh_from_db()
    assert stale.status == "paid"
    assert _actions(invoice) == ["invoice.paid"]


def test_an_overdue_invoice_is_paid_late(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    assert status_move(invoice, InvoiceStatus.OVERDUE)
    _pay(invoice, "bank:1")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.next_charge_on) == ("paid", None)


def test_the_invoice_hooks_suspend_and_reinstate_the_membership(shop, owner):
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    status_move(invoice, InvoiceStatus.OVERDUE)
    invoice_finally_unpaid.send(sender=Invoice, invoice=invoice)
    invoice_finally_unpaid.send(sender=Invoice, invoice=invoice)  # sent twice, suspended once
    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    assert _actions(subscription).count("subscription.suspend") == 1
    suspended = AuditLog.objects.get(action="subscription.suspend")
    assert suspended.data == {
        "invoice": invoice.number,
        "before": {"status": "active"},
        "after": {"status": "suspended"},
    }
    _pay(invoice, "bank:1")  # sends invoice_paid
    subscription.refresh_from_db()
    assert subscription.status == "active"
    reinstated = AuditLog.objects.get(action="subscription.reinstate")
    assert (reinstated.target_type, reinstated.target_id) == ("billing.invoice", str(invoice.pk))
    assert reinstated.data["subscription"] == subscription.pk
    invoice_paid.send(sender=Invoice, invoice=invoice, via="manual")  # an active membership stays as it is
    assert AuditLog.objects.filter(action="subscription.reinstate").count() == 1


def test_a_bank_invoice_unpaid_after_the_grace_period_suspends_through_the_hook(shop, owner):
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    received = []

    def listener(sender, *, invoice, **kwargs):
        received.append(invoice.pk)

    invoice_finally_unpaid.connect(listener, dispatch_uid="test.listener")
    try:
        invoices_chase_overdue(today=invoice.due_date + timedelta(days=30))
        invoices_chase_overdue(today=invoice.due_date + timedelta(days=31))
    finally:
        invoice_finally_unpaid.disconnect(dispatch_uid="test.listener")
    invoice.refresh_from_db()
    subscription.refresh_from_db()
    assert (invoice.status, subscription.status) == ("overdue", "suspended")
    assert received == [invoice.pk]  # once, though the job ran twice
