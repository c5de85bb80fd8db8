"""What integrators get beside the member's confirmation pages: the preview of a plan change and
of a cancellation (the same amounts as the pages, changing nothing), the resumption of a
cancelled renewal, and a declined card explained in the caller's language, never in the
processor's words."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, InvoiceRequest
from propass.core.models import AuditLog
from propass.memberships.models import PlanChange, Subscription
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy

CHANGE_PLAN = "/api/v1/subscriptions/current/change-plan/"
CANCEL = "/api/v1/subscriptions/current/cancel/"
RESUME = "/api/v1/subscriptions/current/resume-renewal/"


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def api(owner):
    client = APIClient()
    client.force_authenticate(owner)
    return client


def test_the_plan_change_preview_shows_what_the_upgrade_will_invoice_and_changes_nothing(shop, owner, api):
    subscription, _invoice = buy(shop, owner, tier="silver")
    Subscription.objects.filter(pk=subscription.pk).update(
        starts_on=date.today() - timedelta(days=100), expires_on=date.today() + timedelta(days=265)
    )
    preview = api.get(CHANGE_PLAN, {"tier": "gold"})
    assert preview.status_code == 200, preview.content
    quote = preview.json()
    assert (quote["to_tier"], quote["upgrade"], quote["days_left"], quote["days_in_term"]) == ("gold", True, 265, 365)
    assert PlanChange.objects.count() == 0
    assert InvoiceRequest.objects.filter(kind="upgrade").count() == 0
    assert Decimal(quote["total"]) == Decimal(quote["amount"]) + Decimal(quote["vat"])
    assert Decimal(quote["vat_rate"]) == Decimal("21.00")  # a Dutch business

    change = api.post(CHANGE_PLAN, {"tier": "gold"}, format="json").json()
    assert Decimal(change["amount_due"]) == Decimal(quote["amount"])
    issued = invoice_issue(request_id=InvoiceRequest.objects.get(kind="upgrade").pk)
    assert (issued.net, issued.vat, issued.total) == (
        Decimal(quote["amount"]), Decimal(quote["vat"]), Decimal(quote["total"]),
    )  # fmt: skip


def test_a_downgrade_preview_starts_at_the_renewal_and_a_bad_tier_is_a_field_error(shop, owner, api):
    subscription, _invoice = buy(shop, owner, tier="gold")
    quote = api.get(CHANGE_PLAN, {"tier": "silver"}).json()
    assert (quote["upgrade"], quote["effective_on"]) == (False, subscription.expires_on.isoformat())
    same = api.get(CHANGE_PLAN, {"tier": "gold"})
    assert same.status_code == 400
    assert "tier" in same.json()["error"]["fields"]
    missing = api.get(CHANGE_PLAN)
    assert missing.status_code == 400
    assert "tier" in missing.json()["error"]["fields"]


def test_the_cancel_preview_with_and_without_refund(shop, owner, api):
    subscription, invoice = buy(shop, owner, tier="silver")
    plain = api.get(CANCEL).json()
    assert plain == {
        "refund": False, "refund_available": True, "ends_on": subscription.expires_on.isoformat(),
        "credited": "0.00", "refunded": "0.00", "currency": "EUR",
    }  # fmt: skip
    refund = api.get(CANCEL, {"refund": "true"}).json()
    assert (refund["refund"], refund["ends_on"]) == (True, date.today().isoformat())
    assert Decimal(refund["credited"]) == invoice.total
    assert Decimal(refund["refunded"]) == Decimal("0.00")  # the card is charged on the due date: nothing paid yet
    subscription.refresh_from_db()
    assert (subscription.status, subscription.cancelled_at) == ("active", None)
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_previews_need_billing_rights_and_a_membership(shop, owner, member, api):
    other = APIClient()
    other.force_authenticate(member)
    assert api.get(CANCEL).status_code == 404  # no membership yet
    assert api.get(CHANGE_PLAN, {"tier": "gold"}).status_code == 404
    buy(shop, owner, tier="silver")
    assert other.get(CANCEL).status_code == 403
    assert other.get(CHANGE_PLAN, {"tier": "gold"}).status_code == 403
    assert other.post(RESUME).status_code == 403


def test_a_cancelled_renewal_is_resumed_through_the_api_once(shop, owner, api):
    subscription, _invoice = buy(shop, owner, tier="silver")
    assert api.post(RESUME).status_code == 409  # nothing to resume
    assert api.post(CANCEL, format="json").json()["auto_renew"] is False
    resumed = api.post(RESUME)
    assert resumed.status_code == 200
    assert (resumed.json()["auto_renew"], resumed.json()["cancelled_at"]) == (True, None)
    subscription.refresh_from_db()
    assert (subscription.auto_renew, subscription.cancelled_at) == (True, None)
    assert AuditLog.objects.filter(action="subscription.renewal_resume").count() == 1
    again = api.post(RESUME)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_cancelled")


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_declined_card_is_explained_in_our_words_with_the_next_step(shop, owner, api, language):
    body = {"tier": "silver", "accept_terms": True, "payment_method": "card", "payment_token": "tok_chargeDeclined"}
    declined = api.post("/api/v1/subscriptions/", body, format="json", headers={"Accept-Language": language})
    assert declined.status_code == 402
    error = declined.json()["error"]
    assert error["code"] == "payment_declined"
    expected = {
        "en": "Try another card or choose Bank Transfer.",
        "de": "anderen Karte",
    }[language]
    assert expected in error["message"]
    assert "honour" not in error["message"] and "honorieren" not in error["message"]
    audit = AuditLog.objects.get(action="subscription.card_declined")
    assert audit.data["code"] == "payment_declined" and audit.data["processor_message"]
    assert Subscription.objects.count() == 0
