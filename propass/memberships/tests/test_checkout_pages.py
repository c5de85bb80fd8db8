import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.memberships.models import Subscription
from propass.memberships.services import CheckoutInput, subscription_checkout
from propass.program_admin.setup import tiers_seed


def _silver_by_bank_transfer(business, owner):
    return subscription_checkout(
        business=business,
        actor=owner,
        data=CheckoutInput(
            tier="silver",
            term_years=1,
            auto_renew=True,
            po_number="",
            accept_terms=True,
            payment_method="bank_transfer",
        ),
    )


REVIEW = {"action": "review", "term_years": "1", "auto_renew": "true", "po_number": "PO-17", "accept_terms": "on"}


@pytest.fixture
def uk_shop(program, business):
    from propass.program_admin.setup import sellers_seed

    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=1200, currency="GBP", country="GB")
    business.refresh_from_db()
    return business


def test_review_then_payment_then_an_active_membership(client, uk_shop, owner):
    client.force_login(owner)
    review = client.get("/subscriptions/checkout/silver/").content.decode()
    assert "Please review your information" in review
    assert "Canon Professional Services : Silver" in review
    assert "Price: £85 excl. VAT per year" in review
    assert "VAT 20%: £17 · total £102 per year" in review
    response = client.post("/subscriptions/checkout/silver/", REVIEW)
    assert response["Location"] == "/subscriptions/checkout/silver/?step=payment"
    payment = client.get(response["Location"]).content.decode()
    assert "Please select payment option" in payment
    assert "authorized with Zero amount today" in payment
    done = client.post(
        "/subscriptions/checkout/silver/?step=payment",
        {"action": "checkout", "payment_method": "card", "payment_token": "tok_visa"},
    )
    assert done["Location"] == "/subscriptions/"
    subscription = Subscription.objects.get()
    page = client.get("/subscriptions/").content.decode()
    assert "Subscription active" in page
    assert f'id="membership-number">{subscription.membership_number}<' in page
    assert subscription.po_number == "PO-17"


def test_unchecked_terms_are_refused_on_the_review_page(client, uk_shop, owner):
    client.force_login(owner)
    response = client.post("/subscriptions/checkout/silver/", {**REVIEW, "accept_terms": ""})
    assert "Please accept the CPS Terms &amp; Conditions." in response.content.decode()
    assert "checkout" not in client.session


def test_a_tier_above_the_balance_is_refused(client, uk_shop, owner):
    client.force_login(owner)
    response = client.post("/subscriptions/checkout/platinum/", REVIEW, follow=True)
    assert "Platinum needs" in response.content.decode()
    assert "checkout" not in client.session


def test_a_declined_card_shows_why_and_creates_nothing(client, uk_shop, owner):
    client.force_login(owner)
    client.post("/subscriptions/checkout/silver/", REVIEW)
    response = client.post(
        "/subscriptions/checkout/silver/?step=payment",
        {"action": "checkout", "payment_method": "card", "payment_token": "tok_chargeDeclined"},
    )
    assert "Your card was not accepted" in response.content.decode()
    assert Subscription.objects.count() == 0


def test_a_plain_user_cannot_buy(client, uk_shop, member):
    client.force_login(member)
    response = client.post("/subscriptions/checkout/silver/", REVIEW)
    assert "Only the business superuser or an administrator can buy" in response.content.decode()


def test_the_payment_step_needs_the_review_first(client, uk_shop, owner):
    client.force_login(owner)
    page = client.get("/subscriptions/checkout/silver/?step=payment").content.decode()
    assert "Please review your information" in page


def test_manage_subscription_switches_auto_renewal_and_cancels(client, uk_shop, owner):
    from propass.core.models import AuditLog

    _silver_by_bank_transfer(uk_shop, owner)
    client.force_login(owner)
    page = client.get("/subscriptions/manage/").content.decode()
    assert "Manage Subscription" in page
    client.post("/subscriptions/manage/", {"action": "auto_renew"})
    assert Subscription.objects.get().auto_renew is False
    assert AuditLog.objects.filter(action="subscription.auto_renew").exists()
    client.post("/subscriptions/manage/", {"action": "cancel", "confirm": "yes"})
    assert Subscription.objects.get().cancelled_at is not None
    assert "The renewal is cancelled" in client.get("/subscriptions/manage/").content.decode()


def test_manage_subscription_upgrades_and_replaces_the_card(client, uk_shop, owner):
    _silver_by_bank_transfer(uk_shop, owner)
    client.force_login(owner)
    response = client.post(
        "/subscriptions/manage/", {"action": "change_plan", "tier": "gold", "confirm": "yes"}, follow=True
    )
    assert "You are now Gold" in response.content.decode()
    client.post("/subscriptions/manage/", {"action": "replace_card", "payment_token": "tok_visa"})
    subscription = Subscription.objects.get()
    assert (subscription.tier.code, subscription.card_last4) == ("gold", "4242")
    api_change = APIClient()
    api_change.force_authenticate(owner)
    answer = api_change.post("/api/v1/subscriptions/current/change-plan/", {"tier": "silver"}, format="json").json()
    assert answer["applied"] is False
    assert answer["to_tier"] == "silver"


@pytest.mark.parametrize(("language", "expiry"), [("it", "%d/%m/%Y"), ("es", "%d/%m/%Y"), ("de", "%d.%m.%Y")])
def test_the_card_shows_the_expiry_the_readers_way(client, uk_shop, owner, language, expiry):
    from datetime import date

    from propass.memberships.services import add_years

    owner.language = language
    owner.save()
    _silver_by_bank_transfer(uk_shop, owner)
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert f'id="membership-expires">{add_years(date.today(), 1).strftime(expiry)}<' in page


def test_the_manage_page_title_is_plain_text(client, uk_shop, owner):
    _silver_by_bank_transfer(uk_shop, owner)
    client.force_login(owner)
    page = client.get("/subscriptions/manage/").content.decode()
    assert "<title>Manage Subscription · ProPass</title>" in page
    assert page.count("Replace the card") == 1
