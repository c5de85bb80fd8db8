"""An applicant with an old CPS account migrates 12 products after approval, in Chromium."""

import io

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import BusinessFactory
from propass.products.legacy import legacy_import
from propass.products.tests.helpers import register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.program_admin.setup import program_seed
from propass.testing.browser import agent, confirm_and_submit, fill_contact_and_company, link_from_outbox, log_in
from propass.testing.browser_checks import console_watch, html_validate, page_check
from propass.testing.files import MINIMAL_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Silver-lantern-harbour-31"


def test_an_old_cps_member_migrates_twelve_products(live_server, page, browser, settings):
    from django.contrib.auth.models import Group

    from propass.accounts.tests.factories import UserFactory

    settings.SITE_URL = live_server.url
    url = live_server.url
    program_seed()
    validator = UserFactory(email="validator@propass.test", is_staff=True)
    validator.groups.add(Group.objects.get_or_create(name="validation")[0])
    products = cameras()
    register(BusinessFactory(name="Someone Else"), products[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products("old.studio@example.com")))

    page.goto(f"{url}/apply/")
    fill_contact_and_company(page, "giulia@studio-rossi.example")
    page.locator("#id_vat_number").fill("IT00743110157")
    page.get_by_label("Document", exact=True).select_option("vat_certificate")
    page.locator("#id_document").set_input_files(
        files=[{"name": "visura.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    page.get_by_label("E-mail of your old CPS account").fill("Old.Studio@example.com")
    page_check(page)
    confirm_and_submit(page)
    page_check(page)

    agent_context, agent_page = agent(browser, url)
    console_watch(agent_page)
    agent_page.reload()  # shown again once watched, so that its HTML is validated too
    expect(agent_page.get_by_text("matches, 12 products")).to_be_visible()
    page_check(agent_page)
    agent_page.get_by_role("button", name="Approve").click()
    expect(agent_page.get_by_text("Approved: the business exists")).to_be_visible()
    page_check(agent_page)
    link = link_from_outbox(agent_page, url, "giulia@studio-rossi.example")
    assert html_validate(agent_page) == 1
    agent_context.close()

    page.goto(link)
    page_check(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page_check(page)
    log_in(page, url, "giulia@studio-rossi.example", NEW_PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="My products").click()
    expect(page.get_by_role("link", name="Migrate products")).to_be_visible()
    page_check(page)

    page.get_by_role("link", name="Migrate products").click()
    expect(page.locator("#migrate-products")).to_have_text("12")
    expect(page.locator("#migrate-complete")).to_have_text("8")
    expect(page.locator("#migrate-incomplete")).to_have_text("3")
    expect(page.locator("#migrate-review")).to_have_text("1")
    page_check(page)
    page.get_by_role("button", name="Confirm migration").click()

    expect(page.get_by_text("12 products migrated")).to_be_visible()
    expect(page.locator("td .status.ok")).to_have_count(8)
    expect(page.locator("td .status.queued")).to_have_count(3)
    expect(page.locator("td .status.under_review")).to_have_count(1)
    expect(page.locator("#points-total")).to_have_text("800")
    expect(page.get_by_role("link", name="Migrate products")).to_have_count(0)
    page_check(page)
    assert html_validate(page) == 6
