"""A staff member's day in Chromium: log in with the second factor, find a business by a
product's serial number, adjust its points with a note, and see it in the audit log."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory, UserFactory
from propass.products.services import registration_create
from propass.products.tests.helpers import camera, details
from propass.testing.browser import log_in_staff
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_find_a_business_by_serial_adjust_its_points_and_read_the_audit_log(live_server, page):
    agent = UserFactory(email="sara@propass.test", is_staff=True, password=PASSWORD)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    business = BusinessFactory(name="Studio Verdi")
    owner = MembershipFactory(business=business, role="superuser", user__email="owner@verdi.test").user
    BusinessFactory(name="Other Studio")
    registration_create(business=business, actor=owner, data=details(camera("EOS-R5", 220), serial="032021000123"))

    log_in_staff(page, live_server.url, agent, PASSWORD)
    page.goto(f"{live_server.url}/backoffice/businesses/")
    page_check(page)
    page.get_by_label("Company name, VAT number, e-mail, membership number or serial number").fill("032021000123")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Studio Verdi", level=1)).to_be_visible()
    page_check(page)

    points = page.locator("#points")
    points.get_by_label("Points (negative to remove)").fill("25")
    points.get_by_role("button", name="Adjust").click()
    expect(page.locator("#points")).to_contain_text("Say why the points change.")
    page_check(page)
    points.get_by_label("Points (negative to remove)").fill("25")
    points.get_by_label("Why").fill("Goodwill after a repair delay")
    points.get_by_role("button", name="Adjust").click()
    expect(page.locator("#points")).to_contain_text("Balance: 245 points")
    page_check(page)

    page.goto(f"{live_server.url}/backoffice/audit/?action=points.adjust")
    row = page.get_by_role("row").filter(has_text="points.adjust")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("sara@propass.test")
    expect(row.locator(".before")).to_have_text("220")
    expect(row.locator(".after")).to_have_text("245")
    expect(row).to_contain_text("Goodwill after a repair delay")
    page_check(page)
    # The search, the business (its later views end in #points, not the document's URL), the audit log.
    assert html_validate(page) == 3
