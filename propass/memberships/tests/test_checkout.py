from datetime import date
from decimal import Decimal

import pytest

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.gateways import PaymentDeclined
from propass.core.errors import Conflict, Forbidden, InvalidInput
from propass.memberships.models import MembershipNumber, Subscription
from propass.memberships.services import CheckoutInput, add_years, membership_number_new, subscription_checkout
from propass.products.models import LegacyAccount
from propass.program_admin.setup import program_seed, tiers_seed
from propass.testing.threads import run_at_once


@pytest.fixture
def shop(program, business):
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=1200, currency="GBP")
    business.refresh_from_db()
    return business


def _card(**changes) -> CheckoutInput:
    values = {
        "tier": "silver",
        "term_years": 1,
        "auto_renew": True,
        "po_number": "PO-2026-17",
        "accept_terms": True,
        "payment_method": "card",
        "payment_token": "tok_visa",
    }
    values.update(changes)
    return CheckoutInput(**values)


def test_checkout_makes_an_active_membership_at_once(shop, owner):
    subscription = subscription_checkout(business=shop, actor=owner, data=_card(), ip="203.0.113.9")
    assert subscription.status == "active"
    assert len(subscription.membership_number) == 9
    assert subscription.membership_number.isdigit()
    assert subscription.starts_on == date.today()
    assert subscription.expires_on == add_years(date.today(), 1)
    assert (subscription.price, subscription.currency) == (85, "GBP")
    assert subscription.card_last4 == "4242"
    assert subscription.terms_version == "2026-01"
    assert subscription.terms_accepted_by == owner
    assert subscription.terms_accepted_ip == "203.0.113.9"
    request = subscription.invoice_requests.get()
    assert (request.kind, request.net, request.currency) == ("membership", 85, "GBP")
    assert (request.period_start, request.period_end) == (subscription.starts_on, subscription.expires_on)


def test_a_declined_card_creates_nothing(shop, owner):
    with pytest.raises(PaymentDeclined, match="not accepted"):
        subscription_checkout(business=shop, actor=owner, data=_card(payment_token="tok_chargeDeclined"))
    assert Subscription.objects.count() == 0
    assert MembershipNumber.objects.count() == 0


def test_bank_transfer_needs_no_card(shop, owner):
    subscription = subscription_checkout(
        business=shop, actor=owner, data=_card(payment_method="bank_transfer", payment_token="")
    )
    assert subscription.payment_method == "bank_transfer"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accept_terms": False}, "accept_terms"),
        ({"po_number": "X" * 36}, "po_number"),
        ({"term_years": 4}, "term_years"),
        ({"payment_method": "cash"}, "payment_method"),
        ({"payment_token": ""}, "payment_token"),
        ({"tier": "platinum"}, "tier"),
        ({"tier": "nothing"}, "tier"),
    ],
)
def test_bad_checkouts_are_refused_and_create_nothing(shop, owner, changes, field):
    with pytest.raises(InvalidInput) as caught:
        subscription_checkout(business=shop, actor=owner, data=_card(**changes))
    assert field in caught.value.fields
    assert Subscription.objects.count() == 0


def test_a_plain_business_user_cannot_buy(shop, member):
    with pytest.raises(Forbidden):
        subscription_checkout(business=shop, actor=member, data=_card())


def test_a_second_membership_is_refused(shop, owner):
    subscription_checkout(business=shop, actor=owner, data=_card())
    with pytest.raises(Conflict, match="already has an active membership"):
        subscription_checkout(business=shop, actor=owner, data=_card(tier="gold"))


def test_membership_numbers_are_unique_and_never_legacy(db, monkeypatch):
    """The random draw is forced to collide, instead of drawing until it happens: it hits an old
    CPS number, then a number already handed out, and each time draws again."""
    LegacyAccount.objects.bulk_create(
        [LegacyAccount(email=f"l{n}@old.example", membership_number=str(100_000_000 + n)) for n in range(200)]
    )
    draws = iter([500, 5, 500, 199, 0, 899_999_999, 700])

    def randbelow(limit):
        assert limit == 900_000_000  # nine digits: 100000000 to 999999999
        return next(draws)

    monkeypatch.setattr("propass.memberships.services.secrets.randbelow", randbelow)
    numbers = [membership_number_new() for _ in range(3)]
    # 100000005, 100000199 and 100000000 are legacy; the second 100000500 was handed out already.
    assert numbers == ["100000500", "999999999", "100000700"]
    assert next(draws, None) is None
    assert len(set(numbers)) == 3
    assert all(len(n) == 9 and n.isdigit() for n in numbers)
    legacy = set(LegacyAccount.objects.values_list("membership_number", flat=True))
    assert not legacy & set(numbers)
    assert set(MembershipNumber.objects.values_list("number", flat=True)) == set(numbers)


def test_membership_numbers_drawn_for_real_are_nine_unique_digits(db):
    numbers = [membership_number_new() for _ in range(200)]
    assert len(set(numbers)) == 200
    assert all(len(n) == 9 and n.isdigit() for n in numbers)


def test_a_draw_that_keeps_colliding_gives_up_instead_of_looping(db, monkeypatch):
    LegacyAccount.objects.create(email="l@old.example", membership_number="100000000")
    monkeypatch.setattr("propass.memberships.services.secrets.randbelow", lambda limit: 0)
    with pytest.raises(RuntimeError, match="no free membership number"):
        membership_number_new()


def test_leap_day_terms_end_on_the_28th():
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)


@pytest.mark.django_db(transaction=True)
def test_ten_checkouts_at_once_make_one_membership():
    program_seed()
    tiers_seed()
    business = BusinessFactory(points_balance=1200, currency="EUR")
    owner = MembershipFactory(business=business, role="superuser").user
    results = run_at_once(10, lambda _index: subscription_checkout(business=business, actor=owner, data=_card()))
    outcomes = ["refused" if isinstance(r, Conflict) else repr(r) if isinstance(r, BaseException) else "bought"
                for r in results]  # fmt: skip
    assert sorted(outcomes) == ["bought"] + ["refused"] * 9
    assert Subscription.objects.filter(business=business).count() == 1


def test_checkout_confirms_by_email_and_bell(shop, owner, member):
    from propass.notifications.models import Notification, OutboxMessage

    subscription = subscription_checkout(business=shop, actor=owner, data=_card())
    assert Notification.objects.filter(kind="subscription_active").count() == 2
    message = OutboxMessage.objects.get(template="subscription_active", to=owner.email)
    assert subscription.membership_number in message.body_text
    assert "Canon Professional Services" in message.sender


def test_cancel_keeps_the_membership_active_to_the_end_of_term(shop, owner):
    from propass.memberships.services import subscription_cancel

    subscription = subscription_checkout(business=shop, actor=owner, data=_card())
    cancelled = subscription_cancel(business=shop, actor=owner)
    assert cancelled.status == "active"
    assert cancelled.auto_renew is False
    assert cancelled.expires_on == subscription.expires_on
    with pytest.raises(Conflict):
        subscription_cancel(business=shop, actor=owner)


def test_the_subscription_api(shop, owner, member):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(member)
    refused = api.post("/api/v1/subscriptions/", {"tier": "silver", "accept_terms": True, "payment_method": "card",
                                                  "payment_token": "tok_visa"}, format="json")  # fmt: skip
    assert refused.status_code == 403
    api.force_authenticate(owner)
    too_high = api.post("/api/v1/subscriptions/", {"tier": "platinum", "accept_terms": True,
                                                   "payment_method": "bank_transfer"}, format="json")  # fmt: skip
    assert too_high.status_code == 400
    assert too_high.json()["error"]["code"] == "not_enough_points"
    created = api.post("/api/v1/subscriptions/", {"tier": "silver", "accept_terms": True, "payment_method": "card",
                                                  "payment_token": "tok_visa"}, format="json")  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert set(body) >= {"membership_number", "status", "starts_on", "expires_on"}
    assert api.get("/api/v1/me/").json()["membership"]["membership_number"] == body["membership_number"]
    assert (
        api.patch("/api/v1/subscriptions/current/", {"auto_renew": False}, format="json").json()["auto_renew"] is False
    )
    assert api.post("/api/v1/subscriptions/current/cancel/").json()["cancelled_at"] is not None
    declined = api.post("/api/v1/subscriptions/", {"tier": "silver", "accept_terms": True, "payment_method": "card",
                                                   "payment_token": "tok_visa"}, format="json")  # fmt: skip
    assert declined.status_code == 409


def test_an_upgrade_owes_the_difference_for_the_days_left(shop, owner):
    from datetime import timedelta

    from propass.memberships.services import proration, subscription_change_plan

    subscription = subscription_checkout(business=shop, actor=owner, data=_card())
    # 100 days into a 365-day term: 265 days left of (170 - 85) = 61.71...
    Subscription.objects.filter(pk=subscription.pk).update(
        starts_on=date.today() - timedelta(days=100), expires_on=date.today() + timedelta(days=265)
    )
    change = subscription_change_plan(business=shop, actor=owner, tier_code="gold")
    assert (change.days_left, change.days_in_term) == (265, 365)
    assert change.amount_due == Decimal("61.71")
    assert subscription.invoice_requests.get(kind="upgrade").net == Decimal("61.71")
    assert Subscription.objects.get().tier.code == "gold"
    amount, _left, _days = proration(
        price_from=Decimal("100"), price_to=Decimal("200"), today=date(2026, 1, 1),
        starts_on=date(2026, 1, 1), expires_on=date(2027, 1, 1),
    )  # fmt: skip
    assert amount == Decimal("100.00")


def test_a_downgrade_waits_for_the_renewal(shop, owner):
    from propass.memberships.services import subscription_change_plan

    subscription_checkout(business=shop, actor=owner, data=_card(tier="gold"))
    change = subscription_change_plan(business=shop, actor=owner, tier_code="silver")
    subscription = Subscription.objects.get()
    assert subscription.tier.code == "gold"
    assert subscription.next_tier.code == "silver"
    assert change.effective_on == subscription.expires_on
    assert change.amount_due == 0


def test_an_upgrade_beyond_the_points_is_refused(shop, owner):
    from propass.memberships.services import subscription_change_plan

    subscription_checkout(business=shop, actor=owner, data=_card())
    with pytest.raises(InvalidInput):
        subscription_change_plan(business=shop, actor=owner, tier_code="platinum")


def test_replacing_the_card(shop, owner):
    from propass.memberships.services import subscription_replace_card

    subscription_checkout(business=shop, actor=owner, data=_card(payment_method="bank_transfer", payment_token=""))
    with pytest.raises(PaymentDeclined):
        subscription_replace_card(business=shop, actor=owner, token="tok_chargeDeclined")
    assert Subscription.objects.get().payment_method == "bank_transfer"
    subscription = subscription_replace_card(business=shop, actor=owner, token="tok_visa")
    assert (subscription.payment_method, subscription.card_last4) == ("card", "4242")
