"""The year's value on the benefits page and the points-at-risk notice on MY PRODUCTS, in
Chromium on a phone (390 px) and a desktop (1280 px), in Italian: readable, no sideways scroll,
no serious axe-core violation, valid HTML."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.core.money import date_format, money_format
from propass.memberships.benefits import allowance_use, repair_discount_take
from propass.memberships.enums import BenefitKind
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_member_sees_the_years_value_and_the_products_nearing_their_end_of_support(live_server, page, viewport):
    program_seed()
    sellers_seed()
    tiers_seed()
    today = timezone.localdate()
    business = BusinessFactory(name="Studio Rossi S.r.l.", country="IT", currency="EUR", language="it")
    owner = MembershipFactory(
        business=business, role="superuser", user__email="owner@rossi.test", user__language="it"
    ).user
    ends = today + timedelta(days=45)
    register(business, camera("EOS-5D-MARK-III", points=400, end_of_support=ends), "100000000001")
    register(business, camera("EOS-R5", points=900), "300000000001")
    business.refresh_from_db()
    buy(business, owner, tier="gold")
    allowance_use(business=business, kind=BenefitKind.MAINTENANCE_CHECKS, reason="Maintenance check")
    repair_discount_take(
        business=business, amount=Decimal("1000.00"), reason="Quote", reference="SR-TEST"
    )  # 150.00 off

    page.set_viewport_size(viewport)
    log_in(page, live_server.url, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/subscriptions/benefits/")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    statement = page.locator("#year-value")
    expect(statement).to_be_visible()
    expect(statement.locator("#value-repair_discounts")).to_contain_text(money_format("150.00", "EUR", "it"))
    expect(statement.locator("#value-maintenance_checks")).to_contain_text("1")
    expect(statement.locator("#value-repairs")).to_contain_text("0")
    expect(statement.locator("#value-fee")).to_contain_text(money_format("200.00", "EUR", "it"))
    page_check(page)

    page.goto(f"{live_server.url}/products/")
    notice = page.locator("#end-of-support")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("EOS 5D MARK III · 100000000001")
    expect(notice).to_contain_text(date_format(ends, "it"))
    expect(notice).not_to_contain_text("EOS R5")
    page_check(page)
    assert html_validate(page) == 2
