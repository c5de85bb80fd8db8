"""In Chromium: a program admin sees the program, is told why an edit is refused, and reads an
e-mail in Italian the way members receive it."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, UserFactory
from propass.memberships.models import Tier
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in_staff
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_program_admin_is_told_why_an_edit_is_refused(live_server, page):
    program_seed()
    sellers_seed()
    tiers_seed()
    admin = UserFactory(email="program@propass.test", is_staff=True)
    admin.groups.add(Group.objects.get_or_create(name="program_admin")[0])
    url = live_server.url
    log_in_staff(page, url, admin, PASSWORD)

    page.goto(f"{url}/backoffice/")
    page_check(page)
    page.get_by_role("link", name="Program", exact=True).click()
    expect(page.locator("#program-problems")).to_have_text("The program is consistent.")
    page_check(page)
    page.locator("#tier-silver").get_by_role("link", name="Silver").click()
    expect(page.get_by_label("Minimum points")).to_be_visible()
    page_check(page)
    page.get_by_label("Minimum points").fill("400")
    page.get_by_role("button", name="Save the tier").click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "Silver starts at 400 points, below the invitation threshold of 500 points."
    )
    page_check(page)
    assert Tier.objects.get(code="silver").min_points == 500

    page.get_by_role("link", name="Program").first.click()
    page.get_by_role("link", name="E-mails").click()
    expect(page.locator("tr", has_text="subscription_active")).to_be_visible()
    page_check(page)
    page.locator("tr", has_text="subscription_active").get_by_role("link", name="it", exact=True).click()
    expect(page.locator("pre.mail")).to_contain_text("151335488")
    frame = page.frame_locator("iframe.mail")
    expect(frame.locator("body")).to_contain_text("151335488")
    page_check(page)
    page.get_by_role("link", name="← E-mails").click()
    page.get_by_role("link", name="Legal texts").click()
    expect(page.get_by_role("heading", name="Membership terms and conditions")).to_be_visible()
    page_check(page)
    assert html_validate(page) == 6
