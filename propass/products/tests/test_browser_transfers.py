"""A business transfers a camera to another in Chromium, at phone width: offered from the
product page, accepted on MY PRODUCTS with the buyer's purchase date; the points follow."""

import pytest
from playwright.sync_api import expect

from propass.accounts.models import Business
from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.products.tests.helpers import camera, register
from propass.testing.browser_checks import PHONE, html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, url, email):
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_camera_and_its_points_move_to_the_business_that_bought_it(live_server, page):
    page.set_viewport_size(PHONE)
    seller, buyer = BusinessFactory(name="Alpha Studio"), BusinessFactory(name="Beta Films")
    MembershipFactory(business=seller, role="superuser", user__email="owner@alpha.test")
    MembershipFactory(business=buyer, role="superuser", user__email="owner@beta.test")
    registration = register(seller, camera("EOS-R5", 220, name="EOS R5"))
    url = live_server.url

    _log_in(page, url, "owner@alpha.test")
    page.goto(f"{url}/products/{registration.pk}/")
    page_check(page)
    page.get_by_role("link", name="Transfer to another business").click()
    page_check(page)
    page.get_by_label("E-mail of one of its users, or its VAT number").fill("owner@beta.test")
    page.get_by_role("button", name="Offer the transfer").click()
    expect(page.get_by_text("The transfer is offered.")).to_be_visible()
    page_check(page)
    page.context.clear_cookies()  # log out: the buyer logs in next

    _log_in(page, url, "owner@beta.test")
    page.goto(f"{url}/products/")
    incoming = page.locator("#incoming-transfers")
    expect(incoming.get_by_text("Alpha Studio transfers EOS R5")).to_be_visible()
    page_check(page)
    incoming.get_by_role("link", name="Accept").click()
    page_check(page)
    page.get_by_label("The date you bought it").fill("2025-06-01")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("its points are credited")).to_be_visible()
    expect(page.locator("#points-total")).to_have_text("220")
    page_check(page)
    assert Business.objects.get(pk=seller.pk).points_balance == 0
    assert Business.objects.get(pk=buyer.pk).points_balance == 220
    assert html_validate(page) >= 4  # product, transfer form, MY PRODUCTS, acceptance
