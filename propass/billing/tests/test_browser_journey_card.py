"""The card journey in Italian, in Chromium, at phone and desktop width: MY SUBSCRIPTIONS → a
tier → the review page (term prices, PO number, terms) → the payment option → a declined card,
explained, with the draft kept → a good card → CHECKOUT → the membership card → the invoice
under the invoices and its PDF, all in Italian. Every page passes page_check; the HTML the server
sent passes the Nu checker."""

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD
from propass.billing.models import Invoice
from propass.core.money import date_format
from propass.memberships.models import Subscription
from propass.memberships.services import add_years
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.journeys import (
    browser_page,
    card_choose,
    checkout_done,
    eur,
    member_log_in,
    review_open,
    review_submit,
    shop_member,
    tiers_open,
    words,
    words_plural,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IT = "it"
_ = words(IT)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_an_italian_business_buys_silver_by_card_and_reads_its_invoice_in_italian(live_server, browser, viewport):
    owner = shop_member(language=IT, country="IT", name="Studio Fotografico Rossi S.r.l.", email="owner@rossi.test")
    with browser_page(browser, "it-IT", viewport) as page:
        member_log_in(page, live_server.url, owner.email, PASSWORD, IT)
        tiers_open(page, IT)
        review_open(page, IT)

        # The yearly price; a 3-year term shows its price and discount, then 1 year again.
        yearly = _("Price: %(price)s excl. VAT per year", price=eur("100", IT, price_tag=True))
        expect(page.locator("#plan-price")).to_have_text(yearly)
        page.get_by_label(_("Term"), exact=True).select_option("3")
        three_years = words_plural(
            IT, "Price: %(price)s excl. VAT for %(years)s year", "Price: %(price)s excl. VAT for %(years)s years", 3,
            price=eur("270", IT, price_tag=True), years=3,
        )  # fmt: skip
        discount = _("(%(discount)s%% less than paying year by year)", discount=10)
        expect(page.locator("#plan-price")).to_have_text(f"{three_years} {discount}")
        page.get_by_label(_("Term"), exact=True).select_option("1")
        expect(page.locator("#plan-price")).to_have_text(yearly)
        page.get_by_label(_("Single term, without renewal")).check()
        review_submit(page, IT, po_number="OA-2026-118")

        # The payment option repeats the amount, and with Italian VAT (22%).
        expect(page.locator("#payment-amount")).to_contain_text(eur("100", IT))
        expect(page.locator("#payment-amount")).to_contain_text(eur("122", IT))
        page_check(page)

        # A declined card: our words and what to do next; nothing is created; the draft is kept.
        card_choose(page, IT, "tok_chargeDeclined")
        page.get_by_role("button", name=_("Checkout")).click()
        declined = _(
            "Your card was not accepted, so nothing was charged and no membership was created. "
            "Try another card or choose Bank Transfer."
        )
        expect(page.get_by_role("alert")).to_have_text(declined)
        page_check(page)
        assert not Subscription.objects.exists()
        page.get_by_role("main").get_by_role("link", name=_("Change"), exact=True).click()
        expect(page.get_by_role("heading", level=1, name=_("Please review your information"))).to_be_visible()
        expect(page.get_by_label(_("Single term, without renewal"))).to_be_checked()
        expect(page.get_by_label(_("Purchase Order Number"))).to_have_value("OA-2026-118")
        page_check(page)
        # The Nu checker over the pages so far: MY SUBSCRIPTIONS shows the card at the same address next.
        assert html_validate(page) == 5  # login, dashboard, levels, review, payment option (declined)
        review_submit(page, IT)

        # A good card: CHECKOUT makes the membership active at once; the card in Italian.
        card_choose(page, IT, "tok_visa")
        checkout_done(page, IT)
        subscription = Subscription.objects.get()
        assert (subscription.po_number, subscription.auto_renew) == ("OA-2026-118", False)
        assert subscription.tier.code == "silver"
        expect(page.locator("#membership-number")).to_have_text(subscription.membership_number)
        assert len(subscription.membership_number) == 9 and subscription.membership_number.isdigit()
        expires = add_years(date.today(), 1)
        expect(page.locator("#membership-expires")).to_have_text(expires.strftime("%d/%m/%Y"))
        assert date_format(expires, IT) == expires.strftime("%d/%m/%Y")
        page_check(page)

        # The invoice, issued by the task the checkout queued, is listed; its PDF is Italian.
        invoice = Invoice.objects.get(business=subscription.business)
        assert (invoice.payment_method, invoice.status, invoice.total) == ("card", "issued", Decimal("122.00"))
        page.reload()
        row = page.locator(f"#invoice-{invoice.number}")
        expect(row.locator(".invoice-status")).to_have_text(_("Issued"))
        expect(row).to_contain_text(eur("122", IT))
        page_check(page)
        href = row.get_by_role("link", name=invoice.number, exact=True).get_attribute("href")
        pdf = page.request.get(f"{live_server.url}{href}")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout
        text = " ".join(text.decode().split())
        paid_by_card = "The total is charged to your card on the due date."
        for sentence in ("Invoice", "Due date", "Purchase Order Number", paid_by_card):
            assert _(sentence) in text, _(sentence)
        assert invoice.number in text and "OA-2026-118" in text
        amounts = [" ".join(eur(amount, IT).split()) for amount in ("122", "22")]  # pdftotext: a plain space
        assert all(amount in text for amount in amounts), amounts  # "122,00 €", and its VAT "22,00 €"
        assert html_validate(page) == 5  # the same addresses; MY SUBSCRIPTIONS now with the card
