from datetime import timedelta

import pytest
from django.core.management import call_command

from propass.accounts.models import Business
from propass.billing.collection import invoice_record_payment, invoices_chase_overdue
from propass.billing.models import Invoice
from propass.core.models import Program
from propass.notifications.models import Notification, OutboxMessage
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy, morning


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="DE", currency="EUR")
    business.refresh_from_db()
    return business


def test_an_unpaid_bank_transfer_is_reminded_then_suspends_after_the_grace_period(shop, owner, member):
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    due = invoice.due_date
    assert invoices_chase_overdue(today=due) == 0
    for offset in (1, 1, 6):  # the first reminder once, even when the job runs twice
        invoices_chase_overdue(today=due + timedelta(days=offset))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.reminders_sent) == ("overdue", 1)
    invoices_chase_overdue(today=due + timedelta(days=7))
    invoices_chase_overdue(today=due + timedelta(days=13))
    subscription.refresh_from_db()
    assert subscription.status == "active"
    reminders = OutboxMessage.objects.filter(to=owner.email, subject__contains="is overdue")
    assert reminders.count() == 2
    assert invoice.reference in reminders.first().body_text
    assert not OutboxMessage.objects.filter(to=member.email, subject__contains="is overdue").exists()
    assert Notification.objects.filter(user=member, kind="payment_reminder").count() == 2

    call_command("run-scheduled", "--at", morning(due + timedelta(days=14)).isoformat())
    call_command("run-scheduled", "--at", (morning(due + timedelta(days=14)) + timedelta(hours=3)).isoformat())
    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    assert OutboxMessage.objects.filter(to=owner.email, subject__contains="suspended").count() == 1

    invoice_record_payment(
        invoice_id=invoice.pk, method="bank_transfer", amount=invoice.total, currency="EUR", key="bank:test"
    )
    subscription.refresh_from_db()
    invoice.refresh_from_db()
    assert (invoice.status, subscription.status) == ("paid", "active")


def test_the_grace_period_is_program_data(shop, owner):
    Program.objects.update(payment_grace_days=3)
    subscription, invoice = buy(shop, owner, method="bank_transfer")
    invoices_chase_overdue(today=invoice.due_date + timedelta(days=3))
    subscription.refresh_from_db()
    assert subscription.status == "suspended"


def test_card_invoices_are_not_chased_as_bank_transfers(shop, owner):
    _subscription, invoice = buy(shop, owner)
    Invoice.objects.filter(pk=invoice.pk).update(next_charge_on=None)
    assert invoices_chase_overdue(today=invoice.due_date + timedelta(days=20)) == 0
