from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect_due
from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, Payment
from propass.memberships.services import CheckoutInput, subscription_checkout, subscription_replace_card
from propass.notifications.models import Notification, OutboxMessage
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
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
    subscription = subscription_checkout(
        business=shop, actor=owner,
        data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="bank_transfer"),
    )  # fmt: skip
    invoice = invoice_issue(request_id=subscription.invoice_requests.get().pk)
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
