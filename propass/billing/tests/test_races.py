"""Twenty requests or job runs at once on one invoice: money moves exactly once.

Real threads, each with its own database connection, through the back-office pages where
finance acts and through the services the scheduler calls. Meaningful on PostgreSQL.
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from propass.billing.bank import bank_statement_import
from propass.billing.collection import invoice_collect, invoice_collect_due, invoices_chase_overdue
from propass.billing.credit_notes import credit_note_issue
from propass.billing.finance import invoice_mark_paid_manually
from propass.billing.models import BANK_LINE_TRANSITIONS, BankLine, BankStatement, Invoice, InvoiceStatus, Payment
from propass.core.models import AuditLog, ScheduledRun
from propass.core.scheduling import registry, scheduled_run_due
from propass.memberships.models import Subscription
from propass.notifications.models import Notification
from propass.testing.camt import camt053
from propass.testing.clients import logged_in
from propass.testing.gateway import RecordingGateway, gateway_record
from propass.testing.invariants import assert_gap_free, assert_moves_along, moves_count, status_moves
from propass.testing.shop import buy, morning
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.fixture
def gateway(monkeypatch):
    return gateway_record(monkeypatch)


# Where an invoice's status may go (issued → paid / overdue / void; a credit note is paid
# back once); nothing leaves paid or void.
INVOICE_MOVES = {
    InvoiceStatus.ISSUED: {InvoiceStatus.PAID, InvoiceStatus.OVERDUE, InvoiceStatus.VOID},
    InvoiceStatus.OVERDUE: {InvoiceStatus.PAID, InvoiceStatus.VOID},
}


def _audits(action):
    return AuditLog.objects.filter(action=action).count()


def _finance(finance_agent):
    return logged_in(finance_agent, THREADS)


def test_the_same_statement_uploaded_twenty_times_at_once_pays_once(shop, owner, finance_agent):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    data = camt053([{"amount": invoice.total, "reference": invoice.reference}])
    clients = _finance(finance_agent)

    def upload(index):
        return clients[index].post("/backoffice/bank/", {"file": SimpleUploadedFile("s.xml", data, "application/xml")})

    with status_moves(Invoice) as moves:
        results = run_at_once(THREADS, upload)
    assert errors_in(results) == []
    assert {response.status_code for response in results} == {302}
    assert (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count()) == (1, 1, 1)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert (_audits("bank_statement.import"), _audits("invoice.paid")) == (1, 1)
    assert moves_count(moves) == {(InvoiceStatus.ISSUED, InvoiceStatus.PAID): 1}


def test_twenty_confirmations_of_one_suggested_line_record_one_payment(shop, owner, finance_agent):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    bank_statement_import(data=camt053([{"amount": invoice.total, "name": "ALPHA STUDIO"}]), file_name="s", actor=None)
    line = BankLine.objects.get(status="suggested")
    clients = _finance(finance_agent)
    url = f"/backoffice/bank/lines/{line.pk}/confirm/"
    with status_moves(Invoice, BankLine) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, {"invoice_id": invoice.pk}))
    assert errors_in(results) == []
    assert {response.status_code for response in results} == {302}
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.idempotency_key) == (
        "bank_transfer",
        invoice.total,
        f"bank:{line.pk}",
    )
    assert BankLine.objects.get(pk=line.pk).status == "matched"
    assert (_audits("bank_line.confirm"), _audits("invoice.paid")) == (1, 1)
    assert_moves_along([m for m in moves if m.table == BankLine._meta.db_table], BANK_LINE_TRANSITIONS)
    assert moves_count(moves) == {("issued", "paid"): 1, ("suggested", "matched"): 1}


def test_twenty_agents_marking_one_invoice_paid_record_one_payment(shop, owner, finance_agent):
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    Subscription.objects.filter(pk=subscription.pk).update(status="suspended")
    clients = _finance(finance_agent)
    url = f"/backoffice/finance/invoices/{invoice.pk}/"
    form = {"action": "mark_paid", "paid_on": timezone.localdate().isoformat(), "note": "Paid at the counter"}
    with status_moves(Invoice, Subscription) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, form))
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [200] * (THREADS - 1) + [302]
    assert Payment.objects.get().method == "manual"
    assert (_audits("invoice.mark_paid_manually"), _audits("invoice.paid"), _audits("subscription.reinstate")) == (
        1,
        1,
        1,
    )
    assert moves_count(moves) == {("issued", "paid"): 1, ("suspended", "active"): 1}


def test_twenty_full_credits_of_an_unpaid_invoice_issue_one_credit_note(shop, owner, finance_agent):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    clients = _finance(finance_agent)
    url = f"/backoffice/finance/invoices/{invoice.pk}/"
    with status_moves(Invoice) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, {"action": "credit", "reason": "Sold twice"}))
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [200] * (THREADS - 1) + [302]
    credit = Invoice.objects.get(kind="credit_note")
    assert credit.total == -invoice.total
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.VOID
    assert moves_count(moves) == {("issued", "void"): 1}
    assert_gap_free(Invoice.objects.values_list("number", flat=True))


def test_twenty_agents_recording_one_refund_by_hand_record_one(shop, owner, finance_agent):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    invoice_mark_paid_manually(invoice_id=invoice.pk, actor=finance_agent, paid_on=timezone.localdate(), note="Cash")
    credit = credit_note_issue(invoice_id=invoice.pk, reason="Cancelled", actor=finance_agent)
    clients = _finance(finance_agent)
    url = f"/backoffice/finance/invoices/{credit.pk}/"
    form = {"action": "refunded", "refunded_on": timezone.localdate().isoformat(), "note": "SEPA 77"}
    with status_moves(Invoice) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, form))
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [200] * (THREADS - 1) + [302]
    refund = Payment.objects.get(method="refund")
    assert (refund.invoice, refund.amount, refund.status) == (credit, credit.total, "succeeded")
    assert AuditLog.objects.filter(action="credit_note.mark_refunded").count() == 1
    assert moves_count(moves) == {("issued", "paid"): 1}


def test_twenty_partial_credits_of_a_paid_card_invoice_never_credit_more_than_it(shop, owner, gateway):
    _subscription, invoice = buy(shop, owner)
    invoice_collect(invoice_id=invoice.pk, today=invoice.due_date)
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    tenth = (invoice.net / 10).quantize(Decimal("0.01"))
    results = run_at_once(
        THREADS, lambda _i: credit_note_issue(invoice_id=invoice.pk, reason="Goodwill", actor=None, net=tenth)
    )
    issued = [result for result in results if isinstance(result, Invoice)]
    assert len(issued) == int(invoice.net // tenth)
    assert {type(result).__name__ for result in errors_in(results)} <= {"InvalidInput"}
    credits = Invoice.objects.filter(kind="credit_note")
    assert -sum(credits.values_list("net", flat=True)) <= invoice.net
    assert -sum(credits.values_list("vat", flat=True)) <= invoice.vat
    assert_gap_free(credits.values_list("number", flat=True))
    # One refund per credit note, sent once to the gateway, each for its credit note's total.
    refunds = Payment.objects.filter(method="refund")
    assert refunds.count() == len(issued)
    assert set(refunds.values_list("status", flat=True)) == {"succeeded"}
    assert gateway.done("refund") == sorted((f"{c.number}:refund", -c.total) for c in credits)
    assert gateway.done("charge") == [(f"{invoice.number}:charge:1", invoice.total)]


def test_twenty_collection_runs_charge_each_attempt_once_and_suspend_once(shop, owner, gateway):
    subscription, invoice = buy(shop, owner, token="tok_insufficientFunds")
    due = invoice.due_date
    with status_moves(Invoice, Subscription) as moves:
        for day in (due, due + timedelta(days=1), due + timedelta(days=3), due + timedelta(days=7)):
            results = run_at_once(THREADS, lambda _i, day=day: invoice_collect_due(at=morning(day)))
            assert errors_in(results) == []
    keys = [f"{invoice.number}:charge:{attempt}" for attempt in (1, 2, 3, 4)]
    assert [key for key, _amount in gateway.done("charge")] == keys
    payments = Payment.objects.order_by("attempt")
    assert list(payments.values_list("attempt", "status")) == [(n, "failed") for n in (1, 2, 3, 4)]
    invoice.refresh_from_db()
    assert (invoice.charge_attempts, invoice.next_charge_on, invoice.status) == (4, None, "overdue")
    assert Subscription.objects.get(pk=subscription.pk).status == "suspended"
    assert _audits("subscription.suspend") == 1
    assert moves_count(moves) == {("issued", "overdue"): 1, ("active", "suspended"): 1}


def test_twenty_scheduler_runs_at_once_run_each_job_once_and_charge_once(shop, owner, gateway):
    _subscription, invoice = buy(shop, owner)
    results = run_at_once(THREADS, lambda _i: scheduled_run_due(at=morning(invoice.due_date)))
    assert errors_in(results) == []
    outcomes = [outcome for run in results for outcome in run]
    assert {outcome for _job, outcome in outcomes} == {"ran", "already ran"}
    ran = sorted(job for job, outcome in outcomes if outcome == "ran")
    assert ran == sorted(registry)  # every job once, by one of the twenty schedulers
    assert ScheduledRun.objects.count() == len(registry)
    assert gateway.done("charge") == [(f"{invoice.number}:charge:1", invoice.total)]
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert (Payment.objects.count(), _audits("invoice.paid")) == (1, 1)


def test_twenty_reminder_runs_at_once_remind_once_per_step_and_suspend_once(shop, owner):
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    due = invoice.due_date
    with status_moves(Invoice, Subscription) as moves:
        for days in (1, 7, 14):
            results = run_at_once(THREADS, lambda _i, days=days: invoices_chase_overdue(today=due + timedelta(days)))
            assert errors_in(results) == []
    assert Notification.objects.filter(kind="payment_reminder", user=owner).count() == 2
    assert Invoice.objects.get(pk=invoice.pk).reminders_sent == 3
    assert Subscription.objects.get(pk=subscription.pk).status == "suspended"
    assert _audits("subscription.suspend") == 1
    assert moves_count(moves) == {("issued", "overdue"): 1, ("active", "suspended"): 1}
    assert_moves_along([m for m in moves if m.table == Invoice._meta.db_table], INVOICE_MOVES)


class _HeldGateway(RecordingGateway):
    """A gateway whose answer waits until `release` is set: something else happens to the
    invoice while its card is being charged."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def charge(self, *, card, amount, currency, idempotency_key):
        assert self.release.wait(timeout=30)
        return super().charge(card=card, amount=amount, currency=currency, idempotency_key=idempotency_key)


def _while_charging(monkeypatch, invoice, other):
    """Charge `invoice` in one thread and do `other` in another while the gateway answers."""
    held = _HeldGateway()
    monkeypatch.setattr("propass.billing.collection.gateway", lambda: held)

    def work(index):
        if index == 0:
            return invoice_collect(invoice_id=invoice.pk, today=invoice.due_date + timedelta(days=7))
        while not Payment.objects.filter(invoice=invoice, status="pending").exists():
            time.sleep(0.01)  # until the attempt is recorded and the gateway is answering
        try:
            return other()
        finally:
            held.release.set()

    results = run_at_once(2, work)
    assert errors_in(results) == []


def test_a_card_declined_while_finance_marks_the_invoice_paid_leaves_it_paid(shop, owner, finance_agent, monkeypatch):
    """The last retry fails while the transfer is being recorded: the invoice stays paid and
    the membership active (the failure used to save a stale invoice back to overdue)."""
    subscription, invoice = buy(shop, owner, token="tok_insufficientFunds")
    Invoice.objects.filter(pk=invoice.pk).update(
        status="overdue", charge_attempts=3, next_charge_on=invoice.due_date + timedelta(days=7)
    )
    _while_charging(
        monkeypatch,
        invoice,
        lambda: invoice_mark_paid_manually(
            invoice_id=invoice.pk, actor=finance_agent, paid_on=timezone.localdate(), note="Transfer"
        ),
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.charge_attempts) == ("paid", 3)
    assert Subscription.objects.get(pk=subscription.pk).status == "active"
    assert list(Payment.objects.order_by("pk").values_list("method", "status")) == [
        ("card", "failed"),
        ("manual", "succeeded"),
    ]


def test_a_card_charged_while_the_invoice_is_credited_records_a_surplus(shop, owner, monkeypatch):
    """The card is charged while finance credits the unpaid invoice in full: the invoice stays
    void and the money is recorded as a surplus for finance to refund, never paid over the void."""
    _subscription, invoice = buy(shop, owner)
    Invoice.objects.filter(pk=invoice.pk).update(next_charge_on=invoice.due_date)
    _while_charging(
        monkeypatch, invoice, lambda: credit_note_issue(invoice_id=invoice.pk, reason="Cancelled", actor=None)
    )
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.VOID
    assert Payment.objects.get(method="card").status == "succeeded"
    assert (_audits("payment.surplus"), _audits("invoice.paid")) == (1, 0)
