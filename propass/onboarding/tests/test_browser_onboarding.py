"""The whole path in Chromium: apply, validation in the back office, set password, log in."""

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD
from propass.core.demo import program_seed
from propass.testing.files import MINIMAL_PDF, image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Bright-orchard-window-58"


@pytest.fixture
def setup(live_server, browser, settings):
    from django.contrib.auth.models import Group

    from propass.accounts.tests.factories import UserFactory

    settings.SITE_URL = live_server.url
    program_seed()
    agent = UserFactory(email="validator@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="validation")[0])
    return live_server.url


def _log_in(page, url, email, password):
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("button.primary").click()


def _fill_contact_and_company(page, email):
    page.get_by_label("First name").fill("Giulia")
    page.get_by_label("Last name").fill("Rossi")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Phone").fill("+39 02 1234 5678")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Company name").fill("Studio Rossi S.r.l.")
    page.get_by_label("Street and number").fill("Via Roma 12")
    page.get_by_label("Postal code").fill("20121")
    page.get_by_label("City").fill("Milano")
    page.get_by_label("Country").select_option("IT")


def _confirm_and_submit(page):
    page.get_by_label("I am authorised to provide these details for the company.").check()
    page.get_by_label("I accept the business account terms and the privacy notice.").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#application-status")).to_have_text("Submitted")


def _agent(browser, url):
    context = browser.new_context()
    page = context.new_page()
    _log_in(page, url, "validator@propass.test", PASSWORD)
    page.goto(f"{url}/backoffice/applications/")
    page.get_by_role("link", name="Studio Rossi S.r.l.").click()
    return context, page


def _link_from_outbox(page, url, email):
    page.goto(f"{url}/backoffice/outbox/?to={email}")
    page.get_by_role("link", name="Your business account is ready", exact=False).first.click()
    return page.locator('pre.mail a[href*="/accounts/set-password/"]').get_attribute("href")


def test_a_vat_registered_italian_company_goes_from_application_to_login(setup, page, browser):
    url = setup
    page.goto(f"{url}/apply/")
    _fill_contact_and_company(page, "giulia@studio-rossi.example")
    page.get_by_label("The company is VAT-registered").check()
    page.locator("#id_vat_number").fill("IT00743110157")
    page.get_by_label("Document", exact=True).select_option("vat_certificate")
    page.locator("#id_document").set_input_files(
        files=[{"name": "visura.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    _confirm_and_submit(page)

    agent_context, agent = _agent(browser, url)
    expect(agent.get_by_text("format and check digits valid")).to_be_visible()
    expect(agent.locator("iframe.document")).to_be_visible()
    agent.get_by_role("button", name="Approve").click()
    expect(agent.get_by_text("Approved: the business exists")).to_be_visible()
    link = _link_from_outbox(agent, url, "giulia@studio-rossi.example")
    agent_context.close()

    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set.")).to_be_visible()
    _log_in(page, url, "giulia@studio-rossi.example", NEW_PASSWORD)
    page.get_by_role("banner").get_by_role("link", name="My account").click()
    expect(page.get_by_role("main").get_by_text("Studio Rossi S.r.l.").first).to_be_visible()
    expect(page.get_by_role("main").get_by_text("IT00743110157")).to_be_visible()


def test_a_company_without_vat_answers_a_request_for_information(setup, page, browser):
    url = setup
    page.goto(f"{url}/apply/")
    _fill_contact_and_company(page, "marco@example.com")
    page.get_by_label("The company has no VAT number").check()
    expect(page.locator("#id_vat_number")).to_be_hidden()
    page.get_by_label("Document", exact=True).select_option("chamber_of_commerce")
    page.locator("#id_document").set_input_files(
        files=[{"name": "camera-commercio.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )
    _confirm_and_submit(page)
    status_url = page.url

    agent_context, agent = _agent(browser, url)
    agent.get_by_label("What is missing (sent to the applicant)").fill("The certificate is older than 6 months.")
    agent.get_by_role("button", name="Request more information").click()
    expect(agent.get_by_text("The applicant is asked for more information.")).to_be_visible()

    page.goto(status_url)
    expect(page.get_by_text("The certificate is older than 6 months.")).to_be_visible()
    page.get_by_label("Document", exact=True).select_option("business_licence")
    page.locator("#id_document").set_input_files(
        files=[{"name": "licence.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
    )
    page.get_by_role("button", name="Send document").click()
    expect(page.get_by_text("we received your document")).to_be_visible()

    agent.reload()
    expect(agent.locator("img.document")).to_be_visible()
    agent.get_by_role("button", name="Approve").click()
    expect(agent.get_by_text("Approved: the business exists")).to_be_visible()
    agent_context.close()
