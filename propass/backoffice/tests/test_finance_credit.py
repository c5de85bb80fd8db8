"""Finance corrects invoices with credit notes and records refunds paid back by hand."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from propass.accounts.models import Business
from propass.accounts.tests.factories import UserFactory
from propass.billing.collection import invoice_record_payment
from propass.billing.models import Invoice, Payment
from propass.core.models import AuditLog
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy


@pytest.fixture
def finance_user(db):
    user = UserFactory(email="fiona@propass.test", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="finance")[0])
    return user


@pytest.fixture
def paid_transfer(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="DE", currency="EUR")
    business.refresh_from_db()
    _subscription, invoice = buy(business, owner, method="bank_transfer")
    invoice_record_payment(
        invoice_id=invoice.pk, method="bank_transfer", amount=invoice.total, currency="EUR", key="b1"
    )
    invoice.refresh_from_db()
    return invoice


def test_finance_credits_part_of_a_paid_transfer_and_records_the_refund(client, finance_user, paid_transfer):
    client.force_login(finance_user)
    url = f"/backoffice/finance/invoices/{paid_transfer.pk}/"
    refused = client.post(url, {"action": "credit", "net": "10.00", "reason": ""})
    assert refused.status_code == 200 and "Say why the invoice is credited." in refused.content.decode()
    assert not Invoice.objects.filter(kind="credit_note").exists()

    client.post(url, {"action": "credit", "net": "10.00", "reason": "Price error"})
    credit = Invoice.objects.get(kind="credit_note")
    assert (credit.net, credit.status, credit.credited_invoice) == (-10, "issued", paid_transfer)
    before = Invoice.objects.filter(pk=paid_transfer.pk).values().get()

    credit_url = f"/backoffice/finance/invoices/{credit.pk}/"
    assert "Record the refund" in client.get(credit_url).content.decode()
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = client.post(credit_url, {"action": "refunded", "refunded_on": future, "note": "SEPA"})
    assert refused.status_code == 200 and "The date cannot be in the future." in refused.content.decode()
    assert not Payment.objects.filter(method="refund").exists()
    client.post(credit_url, {"action": "refunded", "refunded_on": timezone.localdate().isoformat(), "note": "SEPA 77"})
    credit.refresh_from_db()
    assert credit.status == "paid"
    refund = Payment.objects.get(method="refund")
    assert (refund.amount, refund.invoice, refund.note) == (credit.total, credit, "SEPA 77")
    assert AuditLog.objects.filter(action="credit_note.mark_refunded", target_id=str(credit.pk)).count() == 1
    second = client.post(
        credit_url, {"action": "refunded", "refunded_on": timezone.localdate().isoformat(), "note": "x"}
    )
    assert second.status_code == 200 and Payment.objects.filter(method="refund").count() == 1
    assert Invoice.objects.filter(pk=paid_transfer.pk).values().get() == before  # the invoice never changes
