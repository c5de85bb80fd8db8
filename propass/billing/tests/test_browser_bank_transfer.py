"""A membership bought by bank transfer in Chromium, paid by a statement finance uploads."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory, UserFactory
from propass.billing.invoicing import invoice_issue_pending
from propass.billing.models import Invoice
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in, log_in_staff
from propass.testing.browser_checks import console_watch, html_validate, page_check
from propass.testing.camt import camt053

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bank_transfer_found_in_an_uploaded_statement_marks_the_invoice_paid(live_server, page, browser):
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Amsterdam Lens BV", country="NL", currency="EUR", points_balance=1200)
    MembershipFactory(business=business, role="superuser", user__email="owner@amsterdam.test")
    finance = UserFactory(email="finance@propass.test", is_staff=True)
    finance.groups.add(Group.objects.get_or_create(name="finance")[0])

    log_in(page, live_server.url, "owner@amsterdam.test", PASSWORD)
    page.goto(f"{live_server.url}/subscriptions/")
    page_check(page)
    page.get_by_role("link", name="Choose Silver").click()
    expect(page.get_by_label("Please accept the CPS")).to_be_visible()
    page_check(page)
    page.get_by_label("Please accept the CPS").check()
    page.get_by_role("button", name="Purchase").click()
    expect(page.get_by_role("heading", name="Please select payment option")).to_be_visible()
    page_check(page)
    page.get_by_label("Bank Transfer (ADDITIONAL BANK CHARGES MAY APPLY)").check()
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Subscription active")).to_be_visible()
    page_check(page)

    invoice_issue_pending()  # normally the worker; a no-op when the immediate backend issued it already
    invoice = Invoice.objects.get(business=business)
    assert (invoice.payment_method, invoice.status) == ("bank_transfer", "issued")
    page.reload()
    expect(page.locator("tr", has_text=invoice.number)).to_contain_text("Issued")
    page_check(page)

    context = browser.new_context(locale="en-GB")
    staff_page = context.new_page()
    console_watch(staff_page)
    log_in_staff(staff_page, live_server.url, "finance@propass.test", PASSWORD)
    staff_page.goto(f"{live_server.url}/backoffice/bank/")
    page_check(staff_page)
    statement = camt053(
        [{"amount": invoice.total, "currency": invoice.currency, "reference": invoice.reference,
          "name": "AMSTERDAM LENS B.V."}],
        statement_id="2026-03-02-001",
    )  # fmt: skip
    staff_page.get_by_label("camt.053 statement").set_input_files(
        files=[{"name": "statement.xml", "mimeType": "application/xml", "buffer": statement}]
    )
    staff_page.get_by_role("button", name="Import").click()
    expect(staff_page.get_by_text("Statement imported: 1 matched, 0 suggested, 0 unmatched.")).to_be_visible()
    expect(staff_page.get_by_role("link", name="2026-03-02-001")).to_be_visible()
    page_check(staff_page)
    assert html_validate(staff_page) == 1
    context.close()

    page.reload()
    expect(page.locator("tr", has_text=invoice.number)).to_contain_text("Paid")
    page_check(page)
    assert html_validate(page) == 3
