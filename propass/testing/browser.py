"""Steps that several browser tests take: log in (staff with their code), apply, act as a validation
agent. Each step ends when the page a person would wait for is there, so that the next step never
races the previous one's request."""

import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from propass.accounts.models import User
from propass.accounts.tests.factories import PASSWORD
from propass.notifications.models import OutboxMessage


def log_in(page, url, email, password):
    """Log in through the login page; returns once the next page (home, or the two-factor step
    for staff) has loaded."""
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("button.primary").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def log_in_staff(page, url, user, password):
    """Log a staff user in through the login page and the two-factor page, typing the current
    code of their authenticator (created, confirmed, when they have none yet)."""
    if isinstance(user, str):
        user = User.objects.get(email=user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    # A code counts once, and wrong ones slow the next try: start clean for a second login.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    log_in(page, url, user.email, password)
    expect(page.locator("#id_code")).to_be_visible()
    page.locator("#id_code").fill(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
    page.locator("button.primary").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/"))


def fill_contact_and_company(page, email):
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


def confirm_and_submit(page):
    page.get_by_label("I am authorised to provide these details for the company.").check()
    page.get_by_label("I accept the business account terms and the privacy notice.").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#application-status")).to_have_text("Submitted")


def agent(browser, url):
    context = browser.new_context()
    page = context.new_page()
    log_in_staff(page, url, "validator@propass.test", PASSWORD)
    page.goto(f"{url}/backoffice/applications/")
    page.get_by_role("link", name="Studio Rossi S.r.l.").click()
    expect(page.get_by_role("button", name="Approve")).to_be_visible()
    return context, page


def link_from_outbox(page, url, email):
    """The set-password link of the "account ready" e-mail, as its recipient reads it in their
    mailbox: staff pages show it masked (single-use links are secrets), so it is read from the
    stored message, as `propass outbox` does on the server."""
    message = OutboxMessage.objects.filter(to=email, template="account_ready").latest("pk")
    found = re.search(r"https?://\S+/accounts/set-password/[\w\-]+/", message.body_text)
    assert found, message.body_text
    return found.group(0)
