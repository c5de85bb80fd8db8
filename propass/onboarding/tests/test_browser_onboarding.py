"""The whole path in Chromium: apply, validation in the back office, set password, log in."""

import pytest
from playwright.sync_api import expect

from propass.program_admin.setup import program_seed
from propass.testing.browser import agent, confirm_and_submit, fill_contact_and_company, link_from_outbox, log_in
from propass.testing.browser_checks import console_watch, html_validate, page_check
from propass.testing.files import MINIMAL_PDF, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Bright-orchard-window-58"


@pytest.fixture
def setup(live_server, browser, settings):
    from django.contrib.auth.models import Group

    from propass.accounts.tests.factories import UserFactory

    settings.SITE_URL = live_server.url
    program_seed()
    validator = UserFactory(email="validator@propass.test", is_staff=True)
    validator.groups.add(Group.objects.get_or_create(name="validation")[0])
    return live_server.url


def _agent(browser, url):
    """The validation agent on the application, in their own browser context, watched for
    page_check: the page is shown again once watched, so that its HTML is validated too."""
    context, agent_page = agent(browser, url)
    console_watch(agent_page)
    agent_page.reload()
    return context, agent_page


def test_a_vat_registered_italian_company_goes_from_application_to_login(setup, page, browser):
    url = setup
    page.goto(f"{url}/apply/")
    page_check(page)
    fill_contact_and_company(page, "giulia@studio-rossi.example")
    page.get_by_label("The company is VAT-registered").check()
    page.locator("#id_vat_number").fill("IT00743110157")
    page.get_by_label("Document", exact=True).select_option("vat_certificate")
    page.locator("#id_document").set_input_files(
        files=[{"name": "visura.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    confirm_and_submit(page)
    page_check(page)

    agent_context, agent_page = _agent(browser, url)
    expect(agent_page.get_by_text("format and check digits valid")).to_be_visible()
    expect(agent_page.get_by_role("link", name="visura.pdf")).to_have_attribute("download", "")
    expect(agent_page.locator("iframe")).to_have_count(0)
    page_check(agent_page)
    agent_page.get_by_role("button", name="Approve").click()
    expect(agent_page.get_by_text("Approved: the business exists")).to_be_visible()
    page_check(agent_page)
    link = link_from_outbox(agent_page, url, "giulia@studio-rossi.example")
    assert html_validate(agent_page) == 1  # the application, before and after the approval
    agent_context.close()

    page.goto(link)
    page_check(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    page_check(page)
    log_in(page, url, "giulia@studio-rossi.example", NEW_PASSWORD)
    page_check(page)
    page.get_by_role("banner").get_by_role("link", name="My account").click()
    expect(page.get_by_role("main").get_by_text("Studio Rossi S.r.l.").first).to_be_visible()
    expect(page.get_by_role("main").get_by_text("IT00743110157")).to_be_visible()
    page_check(page)
    assert html_validate(page) == 6


def test_a_company_without_vat_answers_a_request_for_information(setup, page, browser):
    url = setup
    page.goto(f"{url}/apply/")
    fill_contact_and_company(page, "marco@example.com")
    page.get_by_label("The company has no VAT number").check()
    expect(page.locator("#id_vat_number")).to_be_hidden()
    page_check(page)
    page.get_by_label("Document", exact=True).select_option("chamber_of_commerce")
    page.locator("#id_document").set_input_files(
        files=[{"name": "camera-commercio.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    confirm_and_submit(page)
    page_check(page)
    status_url = page.url

    agent_context, agent_page = _agent(browser, url)
    page_check(agent_page)
    agent_page.get_by_label("What is missing (sent to the applicant)").fill("The certificate is older than 6 months.")
    agent_page.get_by_role("button", name="Request more information").click()
    expect(agent_page.get_by_text("The applicant is asked for more information.")).to_be_visible()
    page_check(agent_page)

    page.goto(status_url)
    expect(page.get_by_text("The certificate is older than 6 months.")).to_be_visible()
    page_check(page)
    page.get_by_label("Document", exact=True).select_option("business_licence")
    page.locator("#id_document").set_input_files(
        files=[{"name": "licence.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
    )
    page.get_by_role("button", name="Send document").click()
    expect(page.get_by_text("we received your document")).to_be_visible()
    page_check(page)

    agent_page.reload()
    expect(agent_page.locator("img.document")).to_be_visible()
    page_check(agent_page)
    agent_page.get_by_role("button", name="Approve").click()
    expect(agent_page.get_by_text("Approved: the business exists")).to_be_visible()
    page_check(agent_page)
    assert html_validate(agent_page) == 1
    agent_context.close()
    assert html_validate(page) == 2  # the application form, and its status page before and after
