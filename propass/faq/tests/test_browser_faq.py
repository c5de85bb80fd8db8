"""In Chromium: a member follows the link from an incomplete product to its FAQ answer, and
searches the FAQ."""

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.products.tests.helpers import camera, register
from propass.testing.browser import log_in
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_finds_why_a_product_has_no_green_check(live_server, page):
    business = BusinessFactory(name="Alpha Studio")
    MembershipFactory(business=business, role="superuser", user__email="owner@alpha.test")
    registration = register(business, camera(), dealer="")
    url = live_server.url
    log_in(page, url, "owner@alpha.test", PASSWORD)
    page.goto(f"{url}/products/{registration.pk}/")
    page_check(page)
    page.get_by_role("link", name="See the FAQ").click()
    expect(page).to_have_url(f"{url}/faq/#missing-green-check")
    answer = page.locator("#missing-green-check")
    expect(answer.get_by_role("heading", name="Why does my product have no green check?")).to_be_in_viewport()
    expect(answer).to_contain_text("your best guess is enough")
    page_check(page)

    page.get_by_label("Search the FAQ").fill("reverse charge")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("1 question matches “reverse charge”.")
    expect(page.locator("article.faq-entry")).to_have_count(1)
    expect(page.locator("#vat-reverse-charge")).to_be_visible()
    page_check(page)
    # The FAQ reached by its anchor (/faq/#…) is not the URL of the document the server sent, so
    # html_validate sees the product and the search result (the same FAQ page, filtered).
    assert html_validate(page) == 2
