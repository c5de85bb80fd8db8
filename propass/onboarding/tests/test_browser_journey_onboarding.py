"""The onboarding journey in Spanish, in Chromium at phone and desktop width: an applicant applies
(one failed submit first), a validation agent approves in the back office, the applicant sets a
password and logs in to the member home. Every page either person sees passes page_check (no
sideways scroll, no console error, no serious or critical axe violation) and the Nu validator."""

import re

import pytest
from django.utils.translation import gettext, override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from propass.accounts.models import Business, User
from propass.accounts.tests.factories import PASSWORD
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application
from propass.program_admin.setup import program_seed
from propass.testing.browser import link_from_outbox
from propass.testing.browser_checks import DESKTOP, PHONE, console_watch, html_validate, page_check
from propass.testing.files import MINIMAL_PDF
from propass.testing.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG = "es"
EMAIL = "lucia@estudio-garcia.example"
COMPANY = "Estudio García S.L."
NEW_PASSWORD = "Bright-orchard-window-58"


def t(text: str) -> str:
    """The interface's words as the Spanish reader sees them."""
    with override(LANG):
        return gettext(text)


def _attach_document(page):
    page.locator("#id_document").set_input_files(
        files=[{"name": "certificado-iva.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}]
    )


def _fill_application(page):
    """Everything the form asks, except the phone number (added after the failed submit)."""
    page.get_by_label(t("First name"), exact=True).fill("Lucía")
    page.get_by_label(t("Last name"), exact=True).fill("García")
    page.get_by_label(t("E-mail"), exact=True).fill(EMAIL)
    page.get_by_label(t("Preferred language"), exact=True).select_option(LANG)
    page.get_by_label(t("Company name"), exact=True).fill(COMPANY)
    page.get_by_label(t("Street and number"), exact=True).fill("Calle Mayor 10")
    page.get_by_label(t("Postal code"), exact=True).fill("28013")
    page.get_by_label(t("City"), exact=True).fill("Madrid")
    page.get_by_label(t("Country"), exact=True).select_option("ES")
    page.get_by_label(t("The company is VAT-registered"), exact=True).check()
    page.locator("#id_vat_number").fill("ESB12345674")
    page.get_by_label(t("Document"), exact=True).select_option("vat_certificate")
    _attach_document(page)
    page.get_by_label(t("I am authorised to provide these details for the company."), exact=True).check()
    page.get_by_label(t("I accept the business account terms and the privacy notice."), exact=True).check()


def _log_in_staff(page, url, email):
    """The agent's login and two-factor pages, each checked, typing their authenticator's code."""
    user = User.objects.get(email=email)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page_check(page)
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_label(t("Code from your authenticator app"))).to_be_visible()
    page_check(page)
    page.get_by_label(t("Code from your authenticator app")).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name=t("Confirm")).click()
    expect(page).to_have_url(f"{url}/backoffice/")
    page_check(page)


@pytest.fixture
def url(live_server, settings):
    settings.SITE_URL = live_server.url
    program_seed()
    staff_user("validator@propass.test", "validation", first_name="Javier", last_name="Ruiz", language=LANG)
    return live_server.url


@pytest.fixture
def staff(browser):
    """The validation agent's own browser, in Spanish; its console errors fail page_check."""
    context = browser.new_context(locale="es-ES")
    page = context.new_page()
    console_watch(page)
    yield page
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_spanish_company_applies_is_approved_sets_a_password_and_logs_in(url, page, staff, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{url}/apply/")
    page.locator("#language-switch").select_option(LANG)
    page.locator("form:has(#language-switch) button").click()
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Apply for a business account"))
    page_check(page)

    # A first submit without the phone number: the summary names the field, the file is asked again.
    _fill_application(page)
    page.get_by_role("button", name=t("Submit application")).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(t("Please correct the fields marked below."))
    expect(summary.get_by_role("link", name=re.compile("^" + re.escape(t("Phone"))))).to_be_visible()
    expect(summary).to_contain_text(
        t("Choose the file again: the browser does not keep it when the form is corrected.")
    )
    page_check(page)
    assert not Application.objects.exists()

    page.get_by_label(t("Phone"), exact=True).fill("+34 91 123 45 67")
    _attach_document(page)
    page.get_by_role("button", name=t("Submit application")).click()
    expect(page.get_by_text(t("Thank you: your application is submitted."))).to_be_visible()
    expect(page.locator("#application-status")).to_have_text(t("Submitted"))
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page_check(page)
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.language, application.phone, application.documents.count()) == (LANG, "+34911234567", 1)

    # The validation agent, in their own browser, reads the queue and the application in Spanish.
    staff.set_viewport_size(viewport)
    _log_in_staff(staff, url, "validator@propass.test")
    staff.get_by_role("banner").get_by_role("link", name=t("Applications")).click()
    expect(staff.locator("html")).to_have_attribute("lang", LANG)
    link = staff.get_by_role("link", name=COMPANY)
    expect(link).to_be_visible()
    page_check(staff)
    link.click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(COMPANY)
    expect(staff.get_by_text(t("format and check digits valid"))).to_be_visible()
    expect(staff.get_by_role("link", name="certificado-iva.pdf")).to_be_visible()
    page_check(staff)
    staff.get_by_role("button", name=t("Approve")).click()
    expect(
        staff.get_by_text(t("Approved: the business exists and the set-password e-mail is on its way."))
    ).to_be_visible()
    page_check(staff)
    assert html_validate(staff) == 5
    business = Business.objects.get()
    assert business.name == COMPANY
    assert User.objects.get(email=EMAIL).language == LANG

    # The applicant follows the e-mail's link, sets a password and logs in.
    page.goto(link_from_outbox(page, url, EMAIL))
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page_check(page)
    page.get_by_label(t("New password"), exact=True).fill(NEW_PASSWORD)
    page.get_by_label(t("New password again"), exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Set password")).click()
    expect(page.get_by_text(t("Your password is set. You can log in now."))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page_check(page)
    page.locator("#id_username").fill(EMAIL)
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.get_by_role("button", name=t("Log in")).click()
    expect(page).to_have_url(f"{url}/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    with override(LANG):
        welcome = gettext("Welcome, %(name)s") % {"name": "Lucía"}
    expect(page.get_by_role("heading", level=1)).to_have_text(welcome)
    expect(page.get_by_role("main").get_by_text(COMPANY)).to_be_visible()
    page_check(page)
    assert html_validate(page) == 5
