"""The VIES evidence as an agent reads it, on a phone and a desktop: the application with its
consultation number and "Ask VIES again", and a reverse-charge invoice with its check."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory, UserFactory
from propass.onboarding.tests.helpers import submit
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in_staff
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_an_agent_reads_the_vies_answer_and_asks_again(live_server, page, viewport, vies):
    program_seed()
    sellers_seed()
    tiers_seed()
    vies.answer("00743110157", "unavailable")
    application = submit()
    business = BusinessFactory(name="Kamera GmbH", country="DE", vat_number="DE136695976", points_balance=600)
    owner = MembershipFactory(business=business, role="superuser").user
    _subscription, invoice = buy(business, owner, method="bank_transfer")
    agent = UserFactory(email="agent@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="validation")[0], Group.objects.get_or_create(name="finance")[0])

    page.set_viewport_size(viewport)
    log_in_staff(page, live_server.url, agent, PASSWORD)
    page.goto(f"{live_server.url}/backoffice/applications/{application.pk}/")
    expect(page.locator("#vies")).to_contain_text("VIES unavailable, retrying")
    page_check(page)

    vies.answer("00743110157", "valid")
    page.get_by_role("button", name="Ask VIES again").click()
    expect(page.locator("#vies")).to_contain_text("Valid in VIES")
    application.refresh_from_db()
    expect(page.locator("#vies")).to_contain_text(application.vies_check.consultation_number)
    page_check(page)

    page.goto(f"{live_server.url}/backoffice/finance/invoices/{invoice.pk}/")
    invoice.refresh_from_db()
    expect(page.locator("#vies")).to_contain_text(invoice.vies_check.consultation_number)
    page_check(page)
    assert html_validate(page) == 2  # documents by address: the application's (its last state) and the invoice's
