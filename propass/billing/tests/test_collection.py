from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect_due
from propass.billing.gateways import GatewayUnavailable, SandboxGateway
from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, Payment
from propass.core.models import AuditLog
from propass.memberships.services import CheckoutInput, subscription_checkout, subscription_replace_card
from propass.notifications.models import Notification, OutboxMessage
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.shop import buy
from propass.testing.threads import errors_in, run_at_once


def _buy(business, owner, token="tok_visa"):
    subscription = subscription_checkout(
        business=business, actor=owner,
        data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="card", payment_token=token),
    )  # fmt: skip
    invoice = invoice_issue(request_id=subscription.invoice_requests.get().pk)
    return subscription, invoice


def _at(day):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 6, 0))


def test_a_card_invoice_is_charged_once_on_its_due_date(shop, owner):
    _subscription, invoice = _buy(shop, owner)
    assert invoice_collect_due(at=_at(invoice.due_date - timedelta(days=1))) == 0
    call_command("run-scheduled", "--at", _at(invoice.due_date).isoformat())
    call_command("run-scheduled", "--at", (_at(invoice.due_date) + timedelta(hours=2)).isoformat())
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert Payment.objects.get().amount == invoice.total


def test_insufficient_funds_retries_then_suspends_then_a_new_card_reinstates(shop, owner):
    subscription, invoice = _buy(shop, owner, token="tok_insufficientFunds")
    due = timezone.localdate() - timedelta(days=10)  # the invoice fell due ten days ago
    Invoice.objects.filter(pk=invoice.pk).update(due_date=due, next_charge_on=due)
    for offset in (0, 1, 3):
        invoice_collect_due(at=_at(due + timedelta(days=offset)))
        subscription.refresh_from_db()
        assert subscription.status == "active"
    invoice_collect_due(at=_at(due + timedelta(days=7)))
    subscription.refresh_from_db()
    invoice.refresh_from_db()
    assert subscription.status == "suspended"
    assert (invoice.status, invoice.charge_attempts, invoice.next_charge_on) == ("overdue", 4, None)
    assert Payment.objects.filter(status="failed").count() == 4
    assert Notification.objects.filter(kind="payment_failed", user=owner).count() == 3
    assert Notification.objects.filter(kind="subscription_suspended", user=owner).count() == 1
    failed_mails = OutboxMessage.objects.filter(to=owner.email, subject__contains="card payment of invoice")
    assert failed_mails.count() == 3
    assert "insufficient funds" in failed_mails.first().body_text
    assert invoice_collect_due(at=_at(due + timedelta(days=8))) == 0
    subscription_replace_card(business=shop, actor=owner, token="tok_visa")
    invoice_collect_due(at=timezone.now())
    subscription.refresh_from_db()
    invoice.refresh_from_db()
    assert (invoice.status, subscription.status) == ("paid", "active")


def test_a_bank_transfer_invoice_is_never_charged(shop, owner):
    _subscription, invoice = buy(shop, owner, method="bank_transfer")
    assert invoice_collect_due(at=_at(invoice.due_date + timedelta(days=10))) == 0
    assert Payment.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_runs_in_parallel_charge_once():
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(points_balance=600, country="NL", currency="EUR")
    owner = MembershipFactory(business=business, role="superuser").user
    _subscription, invoice = _buy(business, owner)
    results = run_at_once(2, lambda _index: invoice_collect_due(at=_at(invoice.due_date)))
    assert errors_in(results) == []
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert Payment.objects.count() == 1
    assert Invoice.objects.get().status == "paid"


def test_one_run_charges_every_invoice_due_however_many(program, monkeypatch):
    """No cap per run: five invoices due, read two at a time, are all charged in one run."""
    monkeypatch.setattr("propass.billing.collection.COLLECT_CHUNK", 2)
    sellers_seed()
    tiers_seed()
    invoices = []
    for i in range(5):
        business = BusinessFactory(name=f"Studio {i}", country="NL", currency="EUR", points_balance=600)
        owner = MembershipFactory(business=business, role="superuser").user
        invoices.append(_buy(business, owner)[1])
    due = max(invoice.due_date for invoice in invoices)
    assert invoice_collect_due(at=_at(due)) == 5
    assert set(Invoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list("status", flat=True)) == {"paid"}
    assert Payment.objects.filter(status="succeeded").count() == 5
    assert invoice_collect_due(at=_at(due)) == 0


def _customers(count, tokens):
    sellers_seed()
    tiers_seed()
    bought = []
    for i in range(count):
        business = BusinessFactory(name=f"Batch {i}", country="NL", currency="EUR", points_balance=600)
        owner = MembershipFactory(business=business, role="superuser").user
        bought.append((owner, *_buy(business, owner, token=tokens[i % len(tokens)])))
    return bought


def test_a_batch_pays_each_invoice_as_one_at_a_time_would(program):
    """Three cards charged in one batch, one declined: the two paid each get their payment,
    their audit entry (before/after status, how paid) and a bell; the declined one goes the
    retry way with its e-mail."""
    bought = _customers(3, ["tok_visa", "tok_insufficientFunds", "tok_visa"])
    due = max(invoice.due_date for _owner, _subscription, invoice in bought)
    assert invoice_collect_due(at=_at(due)) == 3
    statuses = [Invoice.objects.get(pk=invoice.pk).status for _o, _s, invoice in bought]
    assert statuses == ["paid", "overdue", "paid"]
    for owner, _subscription, invoice in (bought[0], bought[2]):
        payment = Payment.objects.get(invoice=invoice)
        assert (payment.status, payment.gateway_reference[:3]) == ("succeeded", "ch_")
        entry = AuditLog.objects.get(action="invoice.paid", target_id=str(invoice.pk))
        assert entry.data == {"via": f"card:{payment.gateway_reference}", "before": {"status": "issued"},
                              "after": {"status": "paid"}}  # fmt: skip
        assert Notification.objects.get(user=owner, kind="payment_received").params["number"] == invoice.number
    declined_owner = bought[1][0]
    assert Notification.objects.filter(user=declined_owner, kind="payment_failed").count() == 1
    assert not Notification.objects.filter(user=declined_owner, kind="payment_received").exists()


def test_a_run_cut_off_after_recording_its_attempts_charges_once_when_run_again(program, monkeypatch):
    bought = _customers(2, ["tok_visa"])
    due = max(invoice.due_date for _owner, _subscription, invoice in bought)

    def unavailable(self, **kwargs):
        raise GatewayUnavailable("down")

    with monkeypatch.context() as patch:
        patch.setattr(SandboxGateway, "charge", unavailable)
        invoice_collect_due(at=_at(due))
    assert list(Payment.objects.values_list("status", flat=True)) == ["pending", "pending"]
    invoice_collect_due(at=_at(due))
    assert sorted(Payment.objects.values_list("attempt", "status")) == [(1, "succeeded"), (1, "succeeded")]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
