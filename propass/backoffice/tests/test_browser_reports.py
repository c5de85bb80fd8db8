"""Reports in Chromium: the charts draw under the content security policy, the period filter
works and each chart's numbers open under it."""

import os

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, UserFactory
from propass.backoffice.tests.test_reports import make_applications, make_legacy, make_shop_history
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in_staff
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_program_admin_reads_the_reports_of_a_quarter(live_server, page):
    program_seed()
    sellers_seed()
    tiers_seed()
    make_applications(seed=3, count=30)
    make_shop_history()
    make_legacy()
    user = UserFactory(email="admin@propass.test", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="program_admin")[0])

    log_in_staff(page, live_server.url, user, PASSWORD)
    page.goto(f"{live_server.url}/backoffice/")
    page_check(page)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page_check(page)
    page.get_by_label("From", exact=True).fill("2025-01-01")
    page.get_by_label("To", exact=True).fill("2025-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/backoffice/reports/?*from=2025-01-01&to=2025-03-31*")
    expect(page.locator("#report-period")).to_contain_text("2025")
    expect(page.get_by_role("img", name="Applications per week by outcome")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(7)
    # The bars are coloured by the stylesheet, not left black.
    fill = page.locator("svg.chart rect.chart-ok").first.evaluate("bar => getComputedStyle(bar).fill")
    assert fill == "rgb(26, 127, 55)"
    page_check(page)

    amounts = page.locator("#report-amounts")
    amounts.get_by_text("Show data").click()
    expect(amounts.get_by_role("row", name="GBP")).to_be_visible()
    link = amounts.get_by_role("link", name="Download CSV")
    assert link.get_attribute("href") == "/backoffice/reports/amounts.csv?from=2025-01-01&to=2025-03-31"
    page_check(page)
    assert html_validate(page) == 3
    if os.environ.get("REPORTS_SCREENSHOT"):
        page.screenshot(path=os.environ["REPORTS_SCREENSHOT"], full_page=True)
