"""Finance in Chromium: the overdue list, one invoice, marking it paid by hand."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory, UserFactory
from propass.billing.models import Invoice
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in_staff
from propass.testing.browser_checks import html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_finds_an_overdue_invoice_and_marks_it_paid(live_server, page):
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Rotterdam Reels BV", country="NL", currency="EUR", points_balance=600)
    owner = MembershipFactory(business=business, role="superuser").user
    _subscription, invoice = buy(business, owner, method="bank_transfer")
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=12))
    user = UserFactory(email="finance@propass.test", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="finance")[0])

    log_in_staff(page, live_server.url, "finance@propass.test", PASSWORD)
    page.goto(f"{live_server.url}/backoffice/finance/invoices/")
    expect(page.get_by_role("link", name="Finance")).to_have_attribute("aria-current", "page")
    expect(page.locator('td[data-bucket="1_30"]')).to_contain_text("1 invoice")
    page_check(page)
    page.get_by_label("Status").select_option("overdue")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/backoffice/finance/invoices/?*status=overdue*")
    row = page.get_by_role("row", name=invoice.number)
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("12")
    page_check(page)
    page.get_by_role("link", name=invoice.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(invoice.number)
    page_check(page)

    page.get_by_role("button", name="Mark as paid").click()
    expect(page.get_by_text("Write a note saying how the payment was received.", exact=True)).to_be_visible()
    page_check(page)
    # The refused form answers at the invoice's URL: validated now, before the next page there.
    assert html_validate(page) == 3
    page.get_by_role("textbox", name="Note").fill("Found in the ING statement of Monday")
    page.get_by_role("button", name="Mark as paid").click()
    expect(page.get_by_text("The invoice is marked paid.")).to_be_visible()
    expect(page.get_by_text("Found in the ING statement of Monday").first).to_be_visible()
    page_check(page)
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert html_validate(page) == 3
