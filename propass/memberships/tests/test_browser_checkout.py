"""Buying a membership in Chromium: card, bank transfer, and a declined card."""

from datetime import date

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.memberships.models import Subscription
from propass.memberships.services import add_years
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def uk_member(live_server, page):
    from propass.accounts.tests.factories import PASSWORD

    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="London Lens Ltd", country="GB", currency="GBP", points_balance=1200)
    MembershipFactory(business=business, role="superuser", user__email="owner@london.test")
    log_in(page, live_server.url, "owner@london.test", PASSWORD)
    page.goto(f"{live_server.url}/subscriptions/")
    return live_server.url


def _choose_silver_and_review(page):
    expect(page.locator("#tier-silver")).to_be_visible()
    expect(page.locator("#tier-gold")).to_be_visible()
    expect(page.locator("#needed-platinum")).to_have_text("400 more points needed")
    page_check(page)
    page.get_by_role("link", name="Choose Silver").click()
    expect(page.locator("#plan-name")).to_have_text("Canon Professional Services : Silver")
    expect(page.locator("#plan-price")).to_have_text("Price: £85 excl. VAT per year")
    page_check(page)
    page.get_by_label("Purchase Order Number").fill("PO-4711")
    page.get_by_label("Please accept the CPS").check()
    page.get_by_role("button", name="Purchase").click()
    expect(page.get_by_role("heading", name="Please select payment option")).to_be_visible()
    page_check(page)


def test_paying_by_card_makes_the_membership_active_at_once(uk_member, page):
    _choose_silver_and_review(page)
    page.get_by_label("Credit Card - will be authorized with Zero amount today", exact=False).check()
    page.locator("#id_payment_token").select_option("tok_visa")
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Subscription active")).to_be_visible()
    number = page.locator("#membership-number").inner_text()
    assert len(number) == 9 and number.isdigit()
    expected = add_years(date.today(), 1).strftime("%d/%m/%Y")
    expect(page.locator("#membership-expires")).to_have_text(expected)
    expect(page.get_by_text("Silver membership")).to_be_visible()
    page_check(page)
    assert Subscription.objects.get().po_number == "PO-4711"
    assert html_validate(page) == 3


def test_paying_by_bank_transfer(uk_member, page):
    _choose_silver_and_review(page)
    page.get_by_label("Bank Transfer (ADDITIONAL BANK CHARGES MAY APPLY)").check()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Subscription active")).to_be_visible()
    page_check(page)
    assert Subscription.objects.get().payment_method == "bank_transfer"
    assert html_validate(page) == 3


def test_a_declined_card_is_explained_and_nothing_is_created(uk_member, page):
    _choose_silver_and_review(page)
    page.locator("#id_payment_token").select_option("tok_chargeDeclined")
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_role("alert")).to_contain_text("Try another card or choose Bank Transfer")
    page_check(page)
    assert Subscription.objects.count() == 0
    assert html_validate(page) == 3
