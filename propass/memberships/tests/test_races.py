"""Twenty requests or runs at once on one membership: one membership, one change, one refund.

Real threads, each with its own database connection, through the API members use and the
renewal job the scheduler runs. Meaningful on PostgreSQL.
"""

from datetime import timedelta

import pytest

from propass.accounts.models import Business
from propass.billing.collection import invoice_collect
from propass.billing.models import Invoice, InvoiceRequest, Payment
from propass.core.models import AuditLog
from propass.memberships.enums import SUBSCRIPTION_TRANSITIONS
from propass.memberships.models import MembershipNumber, PlanChange, RenewalNotice, Subscription
from propass.memberships.renewals import renewals_run
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.clients import api_clients
from propass.testing.gateway import gateway_record
from propass.testing.invariants import assert_gap_free, assert_moves_along, moves_count, status_moves
from propass.testing.shop import buy
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


@pytest.fixture
def gateway(monkeypatch):
    return gateway_record(monkeypatch)


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


def _codes(results):
    assert errors_in(results) == []
    return sorted(response.status_code for response in results)


def test_twenty_checkouts_through_the_api_make_one_membership_and_one_invoice(shop, owner):
    clients = api_clients(owner, THREADS)
    body = {"tier": "gold", "accept_terms": True, "payment_method": "card", "payment_token": "tok_visa"}
    results = run_at_once(THREADS, lambda i: clients[i].post("/api/v1/subscriptions/", body, format="json"))
    assert _codes(results) == [201] + [409] * (THREADS - 1)
    subscription = Subscription.objects.get(business=shop)
    assert MembershipNumber.objects.get().number == subscription.membership_number
    assert InvoiceRequest.objects.get().subscription == subscription
    assert Invoice.objects.get().total > 0  # issued once the checkout committed
    assert AuditLog.objects.filter(action="subscription.checkout").count() == 1


def test_twenty_upgrades_at_once_apply_one_and_owe_one_difference(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")
    clients = api_clients(owner, THREADS)
    url = "/api/v1/subscriptions/current/change-plan/"
    results = run_at_once(THREADS, lambda i: clients[i].post(url, {"tier": "gold"}, format="json"))
    assert _codes(results) == [200] + [400] * (THREADS - 1)
    change = PlanChange.objects.get()
    assert (change.to_tier.code, change.applied) == ("gold", True)
    upgrade = InvoiceRequest.objects.get(kind="upgrade")
    assert upgrade.net == change.amount_due
    subscription.refresh_from_db()
    assert (subscription.tier.code, subscription.next_tier) == ("gold", None)
    assert_gap_free(Invoice.objects.values_list("number", flat=True))


def test_twenty_cancellations_with_refund_at_once_credit_and_refund_once(shop, owner, gateway):
    subscription, invoice = buy(shop, owner, tier="gold")
    invoice_collect(invoice_id=invoice.pk, today=invoice.due_date)
    clients = api_clients(owner, THREADS)
    url = "/api/v1/subscriptions/current/cancel/"
    with status_moves(Subscription, Invoice) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, {"refund": True}, format="json"))
    assert _codes(results) == [200] + [404] * (THREADS - 1)
    credit = Invoice.objects.get(kind="credit_note")
    assert credit.total == -invoice.total
    assert Payment.objects.get(method="refund").status == "succeeded"
    assert gateway.done("refund") == [(f"{credit.number}:refund", invoice.total)]
    assert Subscription.objects.get(pk=subscription.pk).status == "expired"
    assert moves_count(moves) == {("active", "expired"): 1, ("issued", "paid"): 1}  # the credit note, refunded
    assert_moves_along([m for m in moves if m.table == Subscription._meta.db_table], SUBSCRIPTION_TRANSITIONS)
    assert_gap_free(Invoice.objects.filter(kind="credit_note").values_list("number", flat=True))


def test_twenty_renewal_runs_at_once_renew_once(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold")
    ends = subscription.expires_on
    results = run_at_once(THREADS, lambda _i: renewals_run(today=ends))
    assert errors_in(results) == []
    assert [run.renewed for run in results].count([subscription.pk]) == 1
    subscription.refresh_from_db()
    assert (subscription.status, subscription.starts_on) == ("active", ends)
    assert subscription.expires_on == ends.replace(year=ends.year + 1)
    assert subscription.invoice_requests.filter(kind="renewal").count() == 1
    assert RenewalNotice.objects.filter(kind="renewed").count() == 1
    assert AuditLog.objects.filter(action="subscription.renew").count() == 1


def test_twenty_runs_at_the_end_of_a_term_that_does_not_renew_expire_it_once(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold", auto_renew=False)
    with status_moves(Subscription) as moves:
        for days_left in (60, 30, 7, 0):
            today = subscription.expires_on - timedelta(days=days_left)
            assert errors_in(run_at_once(THREADS, lambda _i, today=today: renewals_run(today=today))) == []
    kinds = sorted(RenewalNotice.objects.values_list("kind", flat=True))
    assert kinds == sorted(["reminder_60", "reminder_30", "reminder_7", "expired"])
    assert Subscription.objects.get(pk=subscription.pk).status == "expired"
    assert AuditLog.objects.filter(action="subscription.expire").count() == 1
    assert moves_count(moves) == {("active", "expired"): 1}


def test_twenty_resumptions_of_a_cancelled_renewal_at_once_resume_it_once(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")
    clients = api_clients(owner, THREADS)
    assert clients[0].post("/api/v1/subscriptions/current/cancel/", format="json").status_code == 200
    url = "/api/v1/subscriptions/current/resume-renewal/"
    results = run_at_once(THREADS, lambda i: clients[i].post(url))
    assert _codes(results) == [200] + [409] * (THREADS - 1)
    subscription.refresh_from_db()
    assert (subscription.auto_renew, subscription.cancelled_at) == (True, None)
    assert AuditLog.objects.filter(action="subscription.renewal_resume").count() == 1
