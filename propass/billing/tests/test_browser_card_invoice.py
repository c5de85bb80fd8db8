"""The card path end to end in Chromium: checkout, the invoice from the worker, its PDF, and
the charge on the due date."""

import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.billing.models import Invoice, Payment
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import html_validate, page_check
from propass.testing.shop import morning

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _worker_until(condition, batches=5):
    """Run the database task worker's batches (as `propass worker --batch` does) until `condition`
    holds. The checkout queued the invoice before its page answered; issuing it queues the PDF."""
    for _batch in range(batches):
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
        if condition():
            return True
    return False


def test_card_checkout_invoice_pdf_and_charge_on_the_due_date(live_server, page, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Amsterdam Beeld BV", country="NL", currency="EUR", points_balance=700)
    MembershipFactory(business=business, role="superuser", user__email="owner@beeld.test")
    log_in(page, live_server.url, "owner@beeld.test", PASSWORD)

    page.goto(f"{live_server.url}/subscriptions/checkout/silver/")
    page_check(page)
    page.get_by_label("Please accept the CPS").check()
    page.get_by_role("button", name="Purchase").click()
    expect(page.get_by_role("heading", name="Please select payment option")).to_be_visible()
    page_check(page)
    page.get_by_label("Credit Card - will be authorized with Zero amount today", exact=False).check()
    page.locator("#id_payment_token").select_option("tok_visa")
    page.get_by_role("button", name="Checkout").click()
    expect(page.get_by_text("Subscription active")).to_be_visible()
    page_check(page)
    assert not Invoice.objects.exists()  # queued for the worker, not issued in the request

    assert _worker_until(lambda: Invoice.objects.filter(pdf__gt="").exists()), "no invoice after five worker batches"
    invoice = Invoice.objects.get()
    page.reload()
    row = page.locator(f"#invoice-{invoice.number}")
    expect(row.locator(".vat")).to_contain_text("(21%)")  # a Dutch buyer pays Dutch VAT
    expect(row.locator(".invoice-status")).to_have_text("Issued")
    page_check(page)

    href = row.get_by_role("link", name=invoice.number, exact=True).get_attribute("href")
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout.decode()
    assert invoice.number in text and "21%" in text

    assert invoice.vat == (invoice.net * 21 / 100).quantize(invoice.net)
    call_command("run-scheduled", "--at", morning(invoice.due_date - timedelta(days=1)).isoformat())
    assert not Payment.objects.exists()
    call_command("run-scheduled", "--at", morning(invoice.due_date).isoformat())
    call_command("run-scheduled", "--at", (morning(invoice.due_date) + timedelta(hours=1)).isoformat())
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert Payment.objects.get().amount == invoice.total
    # Thirty days later the session has expired (the scheduler purged it): log in again.
    log_in(page, live_server.url, "owner@beeld.test", PASSWORD)
    page.goto(f"{live_server.url}/subscriptions/")
    expect(page.locator(f"#invoice-{invoice.number} .invoice-status")).to_have_text("Paid")
    page_check(page)
    assert html_validate(page) == 3
