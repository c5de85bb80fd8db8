"""The bank-transfer journey in Dutch, in Chromium, at phone and desktop width: a Dutch business
chooses a level, reviews it, pays by bank transfer; the membership card and the invoice (IBAN,
BIC, RF reference) are in Dutch; a finance clerk, in Dutch too, uploads the bank's camt.053
statement with that reference and amount; the member then reads the invoice as paid. Every page
of both people passes page_check; the HTML the server sent passes the Nu checker."""

import subprocess
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD
from propass.billing.models import BankLine, Invoice
from propass.memberships.models import Subscription
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.camt import camt053
from propass.testing.journeys import (
    browser_page,
    checkout_done,
    eur,
    member_log_in,
    review_open,
    review_submit,
    shop_member,
    staff_log_in,
    tiers_open,
    words,
)
from propass.testing.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NL = "nl"
_ = words(NL)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_dutch_business_pays_by_bank_transfer_and_finance_matches_the_statement(live_server, browser, viewport):
    owner = shop_member(language=NL, country="NL", name="Amsterdam Lens B.V.", email="owner@lens.test")
    finance = staff_user("finance@propass.test", "finance", first_name="Daan", last_name="Visser", language=NL)
    with browser_page(browser, "nl-NL", viewport) as page:
        member_log_in(page, live_server.url, owner.email, PASSWORD, NL)
        tiers_open(page, NL)
        review_open(page, NL)
        expect(page.locator("#plan-price")).to_have_text(
            _("Price: %(price)s excl. VAT per year", price=eur("100", NL, price_tag=True))
        )
        review_submit(page, NL)
        expect(page.locator("#payment-amount")).to_contain_text(eur("121", NL))  # Dutch VAT, 21%
        page_check(page)

        # Bank Transfer: the card selector goes away; CHECKOUT; the membership is active at once.
        page.get_by_label(_("Bank Transfer (ADDITIONAL BANK CHARGES MAY APPLY)")).check()
        expect(page.get_by_label(_("Card"), exact=True)).to_be_hidden()
        checkout_done(page, NL)
        subscription = Subscription.objects.get()
        assert (subscription.payment_method, subscription.status) == ("bank_transfer", "active")
        expect(page.locator("#membership-number")).to_have_text(subscription.membership_number)

        # The invoice (issued by the task the checkout queued) waits for the transfer.
        invoice = Invoice.objects.get(business=subscription.business)
        assert (invoice.payment_method, invoice.status, invoice.total) == ("bank_transfer", "issued", Decimal("121.00"))
        assert invoice.reference.startswith("RF")
        page.reload()
        row = page.locator(f"#invoice-{invoice.number}")
        expect(row.locator(".invoice-status")).to_have_text(_("Issued"))
        expect(row).to_contain_text(eur("121", NL))
        page_check(page)
        href = row.get_by_role("link", name=invoice.number, exact=True).get_attribute("href")
        pdf = page.request.get(f"{live_server.url}{href}")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout
        text = " ".join(text.decode().split())
        for sentence in ("Invoice", "Due date", "Please transfer the total by the due date to:", "Payment reference"):
            assert _(sentence) in text, _(sentence)
        assert "IBAN NL91ABNA0417164300" in text and "BIC ABNANL2A" in text and invoice.reference in text
        assert " ".join(eur("121", NL).split()) in text  # "€ 121,00" (pdftotext gives a plain space)

        # Finance, in a browser of their own, imports the bank's statement: the transfer pays the invoice.
        with browser_page(browser, "nl-NL", viewport) as office:
            staff_log_in(office, live_server.url, finance, PASSWORD, NL)
            office.get_by_role("link", name=_("Bank statements"), exact=True).click()
            expect(office.get_by_role("heading", level=1, name=_("Bank statements"))).to_be_visible()
            page_check(office)
            statement = camt053(
                [{"amount": invoice.total, "currency": invoice.currency, "reference": invoice.reference,
                  "name": "AMSTERDAM LENS B.V."}],
                statement_id="2026-03-02-001",
            )  # fmt: skip
            office.locator("#bank-file").set_input_files(
                files=[{"name": "statement.xml", "mimeType": "application/xml", "buffer": statement}]
            )
            office.get_by_role("button", name=_("Import")).click()
            imported = _(
                "Statement imported: %(matched)s matched, %(suggested)s suggested, %(unmatched)s unmatched.",
                matched=1, suggested=0, unmatched=0,
            )  # fmt: skip
            expect(office.get_by_role("status")).to_contain_text(imported)
            expect(office.get_by_text(_("Every imported transfer is settled."))).to_be_visible()
            page_check(office)
            office.get_by_role("link", name="2026-03-02-001").click()
            line = office.locator("tbody tr")
            expect(line).to_contain_text(invoice.reference)
            expect(line).to_contain_text(invoice.number)
            expect(line).to_contain_text(eur("121", NL))
            page_check(office)
            assert html_validate(office) == 5  # login, two-factor, dashboard, bank statements, the statement
        assert BankLine.objects.get().invoice == invoice

        # The member reads the invoice as paid, in Dutch.
        page.reload()
        expect(page.locator(f"#invoice-{invoice.number} .invoice-status")).to_have_text(_("Paid"))
        expect(page.locator("#membership-heading")).to_contain_text(_("Subscription active"))
        page_check(page)
        invoice.refresh_from_db()
        assert invoice.status == "paid"
        assert html_validate(page) == 5  # login, dashboard, MY SUBSCRIPTIONS, review, payment option
