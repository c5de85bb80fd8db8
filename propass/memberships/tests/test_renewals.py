from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect_due
from propass.billing.invoicing import invoice_issue_pending
from propass.billing.models import Invoice
from propass.core.models import AuditLog
from propass.memberships.models import RenewalNotice, Subscription, Tier
from propass.memberships.renewals import renewals_run
from propass.memberships.services import subscription_cancel, subscription_change_plan
from propass.notifications.models import Notification, OutboxMessage
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.invariants import assert_gap_free
from propass.testing.shop import buy, morning


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


def test_an_auto_renewing_membership_renews_with_a_new_term_and_invoice_charged_on_its_due_date(shop, owner):
    subscription, first = buy(shop, owner, tier="gold")
    invoice_collect_due(at=morning(first.due_date))
    ends = subscription.expires_on
    call_command("run-scheduled", "--at", morning(ends).isoformat())
    call_command("run-scheduled", "--at", (morning(ends) + timedelta(hours=1)).isoformat())
    subscription.refresh_from_db()
    assert (subscription.status, subscription.starts_on) == ("active", ends)
    assert subscription.expires_on == ends.replace(year=ends.year + 1)
    assert subscription.invoice_requests.filter(kind="renewal").count() == 1
    invoice_issue_pending()
    renewal = Invoice.objects.exclude(pk=first.pk).get()
    assert (renewal.lines.get().period_start, renewal.lines.get().period_end) == (ends, subscription.expires_on)
    invoice_collect_due(at=morning(renewal.due_date))
    renewal.refresh_from_db()
    assert renewal.status == "paid"
    assert Notification.objects.filter(user=owner, kind="subscription_renewed").count() == 1


def test_a_renewal_whose_points_fell_below_the_tier_notifies_and_offers_lower_tiers(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold")
    Business.objects.filter(pk=shop.pk).update(points_balance=700)  # products removed: Silver still possible
    ends = subscription.expires_on
    renewals_run(today=ends - timedelta(days=45))
    assert not Notification.objects.filter(kind="renewal_points_short").exists()
    renewals_run(today=ends - timedelta(days=30))
    renewals_run(today=ends - timedelta(days=29))
    notice = Notification.objects.get(user=owner, kind="renewal_points_short")
    assert "Silver" in notice.body_text and "Gold" in notice.title_text and "Platinum" not in notice.body_text
    mail = OutboxMessage.objects.get(to=owner.email, subject__contains="cannot renew")
    assert "Silver" in mail.body_text

    renewals_run(today=ends)  # nobody chose a lower tier: the membership ends rather than renew at Gold
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert not subscription.invoice_requests.filter(kind="renewal").exists()


def test_a_downgrade_chosen_after_the_notice_is_applied_at_renewal(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold")
    Business.objects.filter(pk=shop.pk).update(points_balance=700)
    subscription_change_plan(business=shop, actor=owner, tier_code="silver")
    renewals_run(today=subscription.expires_on - timedelta(days=30))
    assert not Notification.objects.filter(kind="renewal_points_short").exists()  # Silver is within reach
    renewals_run(today=subscription.expires_on)
    subscription.refresh_from_db()
    assert (subscription.status, subscription.tier.code, subscription.next_tier) == ("active", "silver", None)
    request = subscription.invoice_requests.get(kind="renewal")
    assert request.net == subscription.price
    assert "Silver" in request.description


def test_a_non_renewing_membership_is_reminded_60_30_and_7_days_ahead_then_expires(shop, owner):
    subscription, _invoice = buy(shop, owner, auto_renew=False)
    ends = subscription.expires_on
    for days_before in (70, 60, 59, 45, 30, 12, 7, 6, 1):
        renewals_run(today=ends - timedelta(days=days_before))
    kinds = set(RenewalNotice.objects.values_list("kind", flat=True))
    assert kinds == {"reminder_60", "reminder_30", "reminder_7"}
    assert Notification.objects.filter(user=owner, kind="renewal_reminder").count() == 3
    renewals_run(today=ends)
    renewals_run(today=ends)
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert Notification.objects.filter(user=owner, kind="subscription_expired").count() == 1


def test_a_suspended_membership_is_not_renewed(shop, owner):
    subscription, _invoice = buy(shop, owner)
    type(subscription).objects.filter(pk=subscription.pk).update(status="suspended")
    renewals_run(today=subscription.expires_on)
    subscription.refresh_from_db()
    assert subscription.status == "expired"


def test_cancelling_with_a_refund_inside_the_window_credits_the_term_and_ends_the_membership(shop, owner):
    _subscription, invoice = buy(shop, owner)
    ended = subscription_cancel(business=shop, actor=owner, refund=True)
    assert ended.status == "expired"
    invoice.refresh_from_db()
    credit = invoice.credit_notes.get()
    assert credit.total == -invoice.total
    assert invoice.status == "void"  # not yet charged: nothing to refund, nothing to collect


def test_no_refund_after_the_window(shop, owner):
    from propass.core.errors import Conflict

    subscription, _invoice = buy(shop, owner)
    type(subscription).objects.filter(pk=subscription.pk).update(starts_on=timezone.localdate() - timedelta(days=15))
    with pytest.raises(Conflict):
        subscription_cancel(business=shop, actor=owner, refund=True)
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_a_renewal_day_renews_in_batches_and_invoices_each_once_in_number_order(program, monkeypatch):
    """Five memberships end the same day, read two at a time: three renew (one downgraded as
    chosen), one without auto-renewal and one short of points end. Each renewal has its new
    term, one invoice numbered in order with no gap, its audit entry, its notice, and the bell
    and e-mails of a renewal; a second run the same day changes nothing."""
    monkeypatch.setattr("propass.memberships.renewals.RENEW_CHUNK", 2)
    sellers_seed()
    tiers_seed()
    bought = []
    for i, (tier, auto_renew) in enumerate([("gold", True), ("silver", True), ("gold", False), ("gold", True),
                                            ("silver", True)]):  # fmt: skip
        business = BusinessFactory(name=f"Day {i}", country="NL", currency="EUR", points_balance=3000)
        owner = MembershipFactory(business=business, role="superuser").user
        bought.append((business, owner, *buy(business, owner, tier=tier, auto_renew=auto_renew)))
    Business.objects.filter(pk=bought[3][0].pk).update(points_balance=100)  # short of points
    downgraded = bought[0]
    Subscription.objects.filter(pk=downgraded[2].pk).update(next_tier_id=_tier("silver"))
    ends = max(subscription.expires_on for _b, _o, subscription, _i in bought)
    Subscription.objects.update(expires_on=ends)
    first_invoices = {invoice.pk for _b, _o, _s, invoice in bought}

    result = renewals_run(today=ends)
    assert sorted(result.renewed) == sorted(bought[i][2].pk for i in (0, 1, 4))
    assert sorted(result.expired) == sorted(bought[i][2].pk for i in (2, 3))
    renewals = Invoice.objects.exclude(pk__in=first_invoices).order_by("number")
    assert sorted(renewals.values_list("subscription_id", flat=True)) == sorted(result.renewed)
    assert_gap_free(Invoice.objects.values_list("number", flat=True))
    assert renewals.get(subscription_id=downgraded[2].pk).net == 100  # Silver's price
    for _business, owner, subscription, _invoice in (bought[0], bought[1], bought[4]):
        subscription.refresh_from_db()
        assert (subscription.starts_on, subscription.expires_on.year) == (ends, ends.year + 1)
        assert AuditLog.objects.filter(action="subscription.renew", target_id=str(subscription.pk)).count() == 1
        assert RenewalNotice.objects.filter(subscription=subscription, kind="renewed").count() == 1
        assert Notification.objects.filter(user=owner, kind="subscription_renewed").count() == 1
        assert OutboxMessage.objects.filter(to=owner.email, subject__contains="has renewed").count() == 1
        assert Notification.objects.filter(user=owner, kind="invoice_issued").count() == 2  # first and renewal
    assert subscription_for(bought[0]).tier.code == "silver"

    again = renewals_run(today=ends)
    assert (again.renewed, again.expired) == ([], [])
    assert Invoice.objects.exclude(pk__in=first_invoices).count() == 3


def _tier(code):
    return Tier.objects.get(code=code).pk


def subscription_for(item):
    item[2].refresh_from_db()
    return item[2]
