"""The checkout's screens in Italian and German at phone and desktop width: MY SUBSCRIPTIONS →
Silver → the review page → the payment option → CHECKOUT by card → the membership card, each
page checked (page_check, and the Nu checker at the end). With PROPASS_SCREENS naming a folder,
the review, payment option and card pages are also saved there as full-page screenshots, the
README's short tour:

    PROPASS_SCREENS=docs/screens uv run --frozen pytest -p no:cacheprovider \\
        propass/billing/tests/test_browser_checkout_screens.py
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from propass.accounts.tests.factories import PASSWORD
from propass.memberships.models import Subscription
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.journeys import (
    browser_page,
    card_choose,
    checkout_done,
    eur,
    member_log_in,
    review_open,
    review_submit,
    shop_member,
    tiers_open,
    words,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = {
    "it": ("it-IT", "IT", "Studio Fotografico Rossi S.r.l.", "122"),  # Italian VAT, 22%
    "de": ("de-DE", "DE", "Berliner Bildwerk GmbH", "119"),  # German VAT, 19%
}


def _screen(page: Page, name: str, language: str, width: int) -> None:
    """Save the page as docs/screens/checkout-<name>-<language>-<width>.png when PROPASS_SCREENS
    names a folder (the screenshots are a by-product: the test asserts the pages either way)."""
    folder = os.environ.get("PROPASS_SCREENS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"checkout-{name}-{language}-{width}.png", full_page=True)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
@pytest.mark.parametrize("language", ["it", "de"])
def test_the_checkout_screens(live_server, browser, language, viewport):
    locale, country, name, total = MEMBERS[language]
    _ = words(language)
    owner = shop_member(language=language, country=country, name=name, email=f"owner@{language}.test")
    width = viewport["width"]
    with browser_page(browser, locale, viewport) as page:
        member_log_in(page, live_server.url, owner.email, PASSWORD, language)
        tiers_open(page, language)
        review_open(page, language)
        expect(page.locator("#plan-price")).to_have_text(
            _("Price: %(price)s excl. VAT per year", price=eur("100", language, price_tag=True))
        )
        _screen(page, "review", language, width)

        review_submit(page, language, po_number="PO-2026-7")
        expect(page.locator("#payment-amount")).to_contain_text(eur(total, language))
        page_check(page)
        _screen(page, "payment", language, width)

        card_choose(page, language, "tok_visa")
        checkout_done(page, language)
        expect(page.locator("#membership-number")).to_have_text(Subscription.objects.get().membership_number)
        page_check(page)
        _screen(page, "card", language, width)
        assert html_validate(page) == 5  # login, dashboard, MY SUBSCRIPTIONS, review, payment option
