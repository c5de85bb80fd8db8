"""A Gold member on a phone asks for a loan from the service request's page, accepts the loan
terms, sees the deposit held on the card; a service agent dispatches it and records a good
return in the back office; the member sees the deposit released. Every page passes the shell's
checks (no sideways scroll, no console error, no serious accessibility violation, valid HTML)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD
from propass.service.models import Loan
from propass.service.tests.helpers import ask, credited
from propass.service.tests.loan_helpers import pool
from propass.testing.browser import log_in, log_in_staff
from propass.testing.browser_checks import PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gold_member_borrows_a_camera_on_a_phone_and_staff_take_it_back(live_server, page, shop, owner, agent,
                                                                          settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    url = live_server.url
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    pool("EOS-R6", units=1)
    page.set_viewport_size(PHONE)
    log_in(page, url, owner.email, PASSWORD)

    page.goto(f"{url}/service/{request.pk}/")
    page.get_by_role("link", name="Ask for a loan").click()
    page_check(page)
    today = timezone.localdate()
    page.get_by_label("Model", exact=True).first.select_option(label="EOS R6")
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To (included)").fill(today.isoformat())
    page.get_by_label("I accept the loan terms").check()
    page.get_by_role("button", name="Reserve").click()
    loan = Loan.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(loan.reference)
    expect(page.locator("main")).to_contain_text("400.00 EUR")
    expect(page.locator("main")).to_contain_text("Held on your card")
    page_check(page)

    page.context.clear_cookies()
    log_in_staff(page, url, agent, PASSWORD)
    page.goto(f"{url}/backoffice/loans/{loan.pk}/")
    page_check(page)
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JD0001")
    page.get_by_role("button", name="Dispatch").click()
    expect(page.locator("#loan-status")).to_have_text("With you")
    page.get_by_role("button", name="Record the return").click()
    expect(page.locator("#loan-status")).to_have_text("Closed")
    page_check(page)
    loan.refresh_from_db()
    assert loan.deposit_released_at is not None
    assert html_validate(page) >= 1
