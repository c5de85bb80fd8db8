"""The card's VIEW in Chromium, on a phone (390 px) and a desktop (1280 px): a Gold member goes from
MY SUBSCRIPTIONS to VIEW (the benefits, used and left), to the member card with its QR code, prints
it (only the card; the browser's "Save as PDF" gives a one-page PDF of it), and a service desk
abroad, not logged in and reading German, opens the address the card's code holds."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.memberships.benefits import allowance_use
from propass.memberships.enums import BenefitKind
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import DESKTOP, PHONE, console_watch, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_member_opens_view_then_the_card_and_a_desk_checks_it(live_server, page, browser, settings, viewport):
    settings.SITE_URL = live_server.url  # the card's QR code holds the address of this server
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Studio Van Dijk B.V.", country="NL", currency="EUR", points_balance=1200)
    owner = MembershipFactory(business=business, role="superuser", user__email="owner@vandijk.test").user
    subscription, _invoice = buy(business, owner, tier="gold")
    allowance_use(business=business, kind=BenefitKind.MAINTENANCE_CHECKS, reason="Maintenance check")

    page.set_viewport_size(viewport)
    log_in(page, live_server.url, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/subscriptions/")
    expect(page.locator("#membership-number")).to_have_text(subscription.membership_number)
    page_check(page)

    page.get_by_role("link", name="View", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/subscriptions/benefits/")
    expect(page.get_by_role("heading", name="Gold membership")).to_be_visible()
    checks = page.locator("#benefit-maintenance-checks")
    expect(checks).to_contain_text("2 per membership year")
    expect(checks.locator(".used")).to_have_text("1")
    expect(checks.locator(".remaining")).to_have_text("1")
    expect(page.locator("#benefit-priority-repair")).to_contain_text("3 business days")
    page_check(page)

    page.get_by_role("link", name="Member card").click()
    expect(page).to_have_url(f"{live_server.url}/subscriptions/card/")
    card = page.locator(".member-card")
    expect(card.get_by_role("heading", name="Gold membership")).to_be_visible()
    expect(page.locator("#card-business")).to_have_text("Studio Van Dijk B.V.")
    expect(page.locator("#card-number")).to_have_text(subscription.membership_number)
    expect(page.locator("#card-valid-until")).to_have_text(subscription.expires_on.strftime("%d/%m/%Y"))
    qr = page.get_by_role("img", name="QR code that checks this card")
    expect(qr).to_be_visible()
    box = qr.locator("svg").bounding_box()
    assert box["width"] >= 120 and abs(box["width"] - box["height"]) < 1  # square and big enough to scan
    page_check(page)
    verify_url = page.locator("#verify-link").get_attribute("href")
    assert verify_url.startswith(f"{live_server.url}/verify/")

    # Printing shows the card alone; "Save as PDF" makes it one page.
    page.emulate_media(media="print")
    expect(card).to_be_visible()
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(page.locator("#card-print-help")).to_be_hidden()
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert subscription.membership_number in text and "Studio Van Dijk B.V." in text
    assert "My subscriptions" not in text
    page.emulate_media(media="screen")
    assert html_validate(page) == 3

    # A service desk in Germany, not logged in, opens the address the QR code holds.
    desk_context = browser.new_context(locale="de-DE")
    desk = desk_context.new_page()
    console_watch(desk)
    desk.set_viewport_size(viewport)
    try:
        desk.goto(verify_url)
        expect(desk.locator("html")).to_have_attribute("lang", "de")
        expect(desk.locator("#verify-result")).to_be_visible()
        expect(desk.locator("#verify-tier")).to_have_text("Gold")
        expect(desk.locator("#verify-business")).to_have_text("Studio Van Dijk B.V.")
        expect(desk.locator("#verify-valid-until")).to_have_text(subscription.expires_on.strftime("%d.%m.%Y"))
        assert subscription.membership_number not in desk.content()
        page_check(desk)
        assert html_validate(desk) == 1
    finally:
        desk_context.close()
