"""A member without old CPS products asks CPS Priority Support about the migration; an agent
answers in the back office; the member sees the bell, reads the answer and closes the ticket."""

import re

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.program_admin.setup import program_seed
from propass.support.models import CannedReply, Ticket
from propass.support.tests.helpers import staff_user
from propass.testing.browser import log_in, log_in_staff
from propass.testing.browser_checks import console_watch, html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "We have linked your old CPS account to your business."


def test_a_member_without_a_migrate_button_gets_an_answer_from_priority_support(live_server, page, browser,
                                                                               settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    url = live_server.url
    program_seed()
    business = BusinessFactory(name="Studio Nuovo", country="IT")
    MembershipFactory(business=business, role="superuser", user__email="giulia@studio-nuovo.example")
    staff_user("sara.support@propass.test", "support")
    CannedReply.objects.get_or_create(
        language="en", title="Old CPS account linked",
        defaults={"body": f"{ANSWER} Open My products and press Migrate products."},
    )  # fmt: skip

    log_in(page, url, "giulia@studio-nuovo.example", PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="My products").click()
    expect(page.locator("#no-migration")).to_be_visible()
    expect(page.get_by_role("link", name="Migrate products")).to_have_count(0)
    page_check(page)
    page.locator("#no-migration").get_by_role("link", name="Contact CPS Priority Support").click()
    expect(page.get_by_label("About")).to_have_value("migration")
    expect(page.get_by_label("Subject")).to_have_value("Migrating the products of my old CPS account")
    page_check(page)
    page.get_by_label("Message").fill("My old CPS e-mail was studio.nuovo@old.example")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your request is with CPS Priority Support.")).to_be_visible()
    expect(page.locator(".bell .badge")).to_have_count(0)
    page_check(page)

    agent_context = browser.new_context(locale="en-GB")
    agent_page = agent_context.new_page()
    console_watch(agent_page)
    log_in_staff(agent_page, url, "sara.support@propass.test", PASSWORD)
    agent_page.goto(f"{url}/backoffice/support/")
    expect(agent_page.get_by_role("link", name="Migrating the products of my old CPS account")).to_be_visible()
    page_check(agent_page)
    agent_page.get_by_role("link", name="Migrating the products of my old CPS account").click()
    expect(agent_page.locator("#context-membership")).to_contain_text("No membership")
    page_check(agent_page)
    agent_page.get_by_label("Canned reply").select_option(label="Old CPS account linked (en)")
    agent_page.get_by_role("button", name="Use").click()
    expect(agent_page.get_by_label("Answer to the member")).to_have_value(re.compile(ANSWER))
    page_check(agent_page)
    agent_page.get_by_role("button", name="Send answer").click()
    expect(agent_page.get_by_text("Answer sent; the member is told.")).to_be_visible()
    expect(agent_page.locator("#ticket-status")).to_have_text("Waiting for member")
    page_check(agent_page)
    assert html_validate(agent_page) == 3
    agent_context.close()

    page.reload()
    expect(page.locator(".bell .badge")).to_have_text("1")
    page_check(page)
    page.get_by_role("banner").get_by_role("link", name="Support").click()
    expect(page.get_by_role("link", name="Migrating the products of my old CPS account")).to_be_visible()
    page_check(page)
    page.get_by_role("link", name="Migrating the products of my old CPS account").click()
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.locator("#ticket-status")).to_have_text("Answered")
    page_check(page)
    page.get_by_role("button", name="Close ticket").click()
    expect(page.locator("#ticket-status")).to_have_text("Closed")
    page_check(page)
    assert Ticket.objects.get().status == "closed"
    assert html_validate(page) == 4
