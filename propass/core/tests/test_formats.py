"""Money, points and dates are written one way, in the reader's locale, on pages, e-mails,
bell notifications and invoice PDFs (issue 15)."""

import subprocess
from decimal import Decimal

import pytest
from django.utils import translation

from propass.core.money import money_format, points_format
from propass.notifications.models import Notification, OutboxMessage
from propass.testing.shop import buy

NBSP = "\xa0"


def _pdf_text(content: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def _buy(business, owner, language="en"):
    """A German business with 1,280 points buys Silver (100 € + 19 % VAT) by bank transfer."""
    business.country = "DE"
    business.vat_number = ""
    business.currency = "EUR"
    business.points_balance = 1280
    business.language = language
    business.save()
    owner.language = language
    owner.save(update_fields=["language"])
    return buy(business, owner, method="bank_transfer")


@pytest.mark.parametrize("language", ["de", "it"])
def test_money_points_and_dates_in_the_readers_locale_everywhere(client, shop, business, owner, language):
    subscription, invoice = _buy(business, owner, language)
    assert invoice.total == Decimal("119.00")
    expires = (
        subscription.expires_on.strftime("%d.%m.%Y")
        if language == "de"
        else subscription.expires_on.strftime("%d/%m/%Y")
    )
    client.force_login(owner)

    page = client.get("/subscriptions/").content.decode()
    assert f"119,00{NBSP}€" in page
    assert expires in page
    assert "02/12/2027" not in page.replace(expires, "")

    products = client.get("/products/").content.decode()
    assert ">1.280<" in products

    bell = client.get("/notifications/").content.decode()
    assert f"119,00{NBSP}€" in bell
    assert "119.00 EUR" not in bell

    pdf = client.get(f"/subscriptions/invoices/{invoice.pk}/pdf/")
    text = _pdf_text(b"".join(pdf.streaming_content))
    assert "119,00" in text
    assert "100,00" in text
    assert "119 €" not in text


def test_emails_and_notifications_are_formatted_when_they_are_read(shop, business, owner):
    """The German e-mail and the bell entry say "119,00 €"; the same stored entry reads "€119.00"
    in English: the format is chosen at reading time, not when the event happened."""
    _, invoice = _buy(business, owner, "de")
    notice = OutboxMessage.objects.get(to=owner.email, subject__startswith="Rechnung")
    assert f"119,00{NBSP}€, fällig am " in notice.body_text
    entry = Notification.objects.get(user=owner, kind="invoice_issued")
    with translation.override("de"):
        assert entry.body_text.startswith(f"119,00{NBSP}€, fällig am ")
        assert invoice.due_date.strftime("%d.%m.%Y") in entry.body_text
    with translation.override("en"):
        assert entry.body_text.startswith("€119.00, due on ")


def test_one_formatting_path():
    assert money_format(Decimal("100"), "EUR", "de") == f"100,00{NBSP}€"
    assert money_format(Decimal("0"), "EUR", "it") == f"0,00{NBSP}€"
    assert money_format(Decimal("85"), "GBP", "en") == "£85.00"
    assert money_format(Decimal("85"), "GBP", "en", price_tag=True) == "£85"
    assert money_format(Decimal("85.50"), "GBP", "en", price_tag=True) == "£85.50"
    assert money_format(Decimal("1234.5"), "EUR", "nl") == f"€{NBSP}1.234,50"
    assert points_format(1280, "de") == "1.280"
    assert points_format(1280, "it") == "1.280"
    assert points_format(1280, "en") == "1,280"


def test_a_refusal_groups_the_points_the_readers_way(shop, business, owner):
    from rest_framework.test import APIClient

    business.points_balance = 1280
    business.save()
    api = APIClient()
    api.force_authenticate(owner)
    refused = api.post(
        "/api/v1/subscriptions/",
        {"tier": "platinum", "accept_terms": True, "payment_method": "bank_transfer"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert refused.json()["error"]["code"] == "not_enough_points"
    assert "1.600" in refused.json()["error"]["message"]
    assert "1.280" in refused.json()["error"]["message"]
