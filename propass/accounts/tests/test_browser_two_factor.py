"""A new staff member's first login in Chromium: password, authenticator set-up, back office."""

from base64 import b32decode

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, UserFactory
from propass.program_admin.setup import program_seed
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_agent_sets_up_the_authenticator_and_reaches_the_queue(live_server, page):
    program_seed()
    agent = UserFactory(email="new.agent@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get(name="validation"))

    page.goto(f"{live_server.url}/backoffice/applications/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/backoffice/applications/")
    page_check(page)
    page.get_by_label("E-mail").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    page_check(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_text("Two-factor authentication is set up.")).to_be_visible()
    expect(page.get_by_role("link", name="Applications")).to_have_attribute("aria-current", "page")
    page_check(page)
    assert html_validate(page) == 3
