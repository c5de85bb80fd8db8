import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from stdnum import iso11649

from propass.accounts.tests.factories import BusinessFactory
from propass.billing.invoicing import invoice_issue, invoice_request_create
from propass.billing.models import Invoice
from propass.billing.pdf import invoice_pdf_render
from propass.core.money import money_format
from propass.memberships.models import Subscription, Tier
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.threads import errors_in, run_at_once


def _subscription(business, *, po="PO-1", method="card") -> Subscription:
    tier = Tier.objects.get(code="silver")
    number = f"{100000000 + Subscription.objects.count():09d}"
    return Subscription.objects.create(
        business=business, tier=tier, membership_number=number, term_years=1, starts_on=date(2026, 11, 22),
        expires_on=date(2027, 11, 22), price=Decimal("100.00"), currency=business.currency, payment_method=method,
        po_number=po, terms_version="2026-01", terms_accepted_at="2026-11-22T10:00:00Z",
    )  # fmt: skip


def _request(subscription, net="100.00"):
    return invoice_request_create(
        subscription=subscription, kind="membership", description="Canon Professional Services : Silver",
        period_start=subscription.starts_on, period_end=subscription.expires_on, net=Decimal(net),
        currency=subscription.currency,
    )  # fmt: skip


@pytest.fixture
def data(db):
    program_seed()
    sellers_seed()
    tiers_seed()


@pytest.mark.parametrize(
    ("country", "vat_number", "currency", "series", "rate", "vat", "note"),
    [
        ("NL", "NL004495445B01", "EUR", "EU", "21", "21.00", ""),
        ("DE", "DE136695976", "EUR", "EU", "0", "0.00", "Reverse charge"),
        ("DE", "", "EUR", "EU", "19", "19.00", ""),
        ("GB", "GB980780684", "GBP", "UK", "20", "20.00", ""),
        # Northern Ireland: UK VAT for a service, whatever the XI prefix says about goods.
        ("GB", "XI432525179", "GBP", "UK", "20", "20.00", ""),
        # Liechtenstein, in the Swiss VAT area: outside the scope of EU VAT, as Switzerland.
        ("LI", "LI51234", "EUR", "EU", "0", "0.00", "Outside the scope of EU VAT"),
        ("LI", "CHE123456788", "EUR", "EU", "0", "0.00", "Outside the scope of EU VAT"),
        ("CH", "CHE105048256", "EUR", "EU", "0", "0.00", "Outside the scope of EU VAT"),
    ],
)
def test_an_invoice_carries_the_right_seller_and_vat(data, country, vat_number, currency, series, rate, vat, note):
    business = BusinessFactory(country=country, vat_number=vat_number, currency=currency)
    invoice = invoice_issue(request_id=_request(_subscription(business)).pk)
    assert invoice.number.startswith(f"{series}-{date.today().year}-")
    assert (invoice.vat_rate, invoice.vat, invoice.total) == (
        Decimal(rate),
        Decimal(vat),
        Decimal("100") + Decimal(vat),
    )
    assert note in invoice.vat_note
    assert invoice.due_date == invoice.issue_date + timedelta(days=30)
    assert iso11649.is_valid(invoice.reference)
    assert invoice.po_number == "PO-1"
    assert invoice.lines.get().net == Decimal("100.00")
    assert invoice.buyer_snapshot["vat_number"] == vat_number


@pytest.mark.parametrize(
    ("country", "vat_number", "treatment"),
    [("GB", "XI432525179", "domestic"), ("LI", "LI51234", "outside_scope"), ("IE", "IE6388047V", "reverse_charge")],
)
def test_an_xi_and_an_li_business_get_their_vat_treatment_on_the_invoice(data, country, vat_number, treatment):
    business = BusinessFactory(country=country, vat_number=vat_number, currency="GBP" if country == "GB" else "EUR")
    invoice = invoice_issue(request_id=_request(_subscription(business)).pk)
    assert invoice.vat_treatment == treatment
    assert invoice.buyer_snapshot["vat_number"] == vat_number


def test_a_request_is_invoiced_once(data):
    request = _request(_subscription(BusinessFactory(country="NL", currency="EUR")))
    first = invoice_issue(request_id=request.pk)
    assert invoice_issue(request_id=request.pk) == first
    assert Invoice.objects.count() == 1


def test_numbers_follow_each_other_per_series(data):
    nl = BusinessFactory(country="NL", currency="EUR")
    gb = BusinessFactory(country="GB", currency="GBP")
    subscriptions = {nl.pk: _subscription(nl), gb.pk: _subscription(gb)}
    numbers = [invoice_issue(request_id=_request(subscriptions[b.pk]).pk).number for b in (nl, nl, gb, nl)]
    year = date.today().year
    assert numbers == [f"EU-{year}-000001", f"EU-{year}-000002", f"UK-{year}-000001", f"EU-{year}-000003"]


@pytest.mark.django_db(transaction=True)
def test_eight_threads_issue_2000_gap_free_unique_numbers(settings):
    # The PDFs that each issue queues are not what this test measures.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(country="NL", currency="EUR")
    subscription = _subscription(business)
    requests = [_request(subscription).pk for _ in range(2000)]

    def issue(index: int) -> None:
        for request_id in requests[index::8]:
            invoice_issue(request_id=request_id)

    assert errors_in(run_at_once(8, issue)) == []
    sequence = sorted(int(number.rsplit("-", 1)[1]) for number in Invoice.objects.values_list("number", flat=True))
    assert sequence == list(range(1, 2001))


def test_invoices_are_shown_to_billing_users_of_their_business_only(client, data, owner, member, outsider, business):
    from rest_framework.test import APIClient

    business.country = "NL"
    business.currency = "EUR"
    business.save()
    invoice = invoice_issue(request_id=_request(_subscription(business)).pk)
    client.force_login(owner)
    assert invoice.number in client.get("/subscriptions/").content.decode()
    client.force_login(member)
    assert invoice.number not in client.get("/subscriptions/").content.decode()
    api = APIClient()
    api.force_authenticate(owner)
    body = api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert (body["number"], body["total"], body["vat"]) == (invoice.number, "121.00", "21.00")
    assert api.get("/api/v1/invoices/").json()["count"] == 1
    api.force_authenticate(member)
    assert api.get("/api/v1/invoices/").status_code == 403
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404


def test_checkout_issues_the_invoice_after_commit(data, owner, business, django_capture_on_commit_callbacks):
    from propass.accounts.models import Business
    from propass.memberships.services import CheckoutInput, subscription_checkout

    Business.objects.filter(pk=business.pk).update(points_balance=600, country="DE", vat_number="DE136695976")
    business.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        subscription_checkout(
            business=business, actor=owner,
            data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="PO-9", accept_terms=True,
                               payment_method="card", payment_token="tok_visa"),
        )  # fmt: skip
    invoice = Invoice.objects.get()
    assert (invoice.net, invoice.vat, invoice.vat_treatment) == (Decimal("100.00"), Decimal("0.00"), "reverse_charge")
    assert invoice.po_number == "PO-9"


def _pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def test_the_invoice_pdf_is_in_the_business_language(client, data, owner, member, business):
    from rest_framework.test import APIClient

    business.country = "NL"
    business.currency = "EUR"
    business.language = "it"
    business.save()
    invoice = invoice_issue(request_id=_request(_subscription(business, method="bank_transfer")).pk)
    client.force_login(owner)
    response = client.get(f"/subscriptions/invoices/{invoice.pk}/pdf/")
    content = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(content)
    assert invoice.number in text
    assert "Fattura" in text
    assert invoice.reference in text
    assert "IBAN NL91ABNA0417164300" in text
    # Countries by name and amounts with their cents, in the invoice's language; quantity and
    # unit price columns as a finance clerk expects them.
    words = " ".join(text.split())  # a narrow column wraps its heading
    assert "Paesi Bassi" in words
    assert "Quantità" in words
    assert "Prezzo unitario" in words
    assert " ".join(money_format(invoice.total, "EUR", "it").split()) in words
    # The seller's registration number, legal information and billing contact, from seller data.
    assert "KvK 12345678" in words
    assert "Registered office Amstelveen" in words
    assert "billing@cps.example" in words
    api = APIClient()
    api.force_authenticate(owner)
    assert b"".join(api.get(f"/api/v1/invoices/{invoice.pk}/pdf/").streaming_content).startswith(b"%PDF")
    client.force_login(member)
    assert client.get(f"/subscriptions/invoices/{invoice.pk}/pdf/").status_code in {403, 404}


@pytest.mark.parametrize("accept", ["application/pdf", "*/*", "application/json", "application/pdf, */*;q=0.1"])
def test_the_api_pdf_download_answers_what_http_clients_ask_for(data, owner, member, business, accept):
    from rest_framework.test import APIClient

    invoice = invoice_issue(request_id=_request(_subscription(business, method="bank_transfer")).pk)
    api = APIClient()
    api.force_authenticate(owner)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    missing = api.get("/api/v1/invoices/999999/pdf/", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["error"]["code"] == "not_found"
    api.force_authenticate(member)  # no billing rights
    refused = api.get(f"/api/v1/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT=accept)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")


def test_the_invoice_pdf_is_tagged_for_screen_readers_in_the_invoice_language(data, business):
    """A PDF/UA document: a structure tree (headings, tables, paragraphs in reading order),
    marked content, the document's language and its title shown instead of the file name."""
    business.language = "de"
    business.save()
    invoice = invoice_pdf_render(invoice_id=invoice_issue(request_id=_request(_subscription(business)).pk).pk)
    reader = PdfReader(io.BytesIO(invoice.pdf.read()))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "de"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == invoice.number

    def kinds(element, found):
        element = element.get_object()
        if isinstance(element, dict) or hasattr(element, "get"):
            if "/S" in element:
                found.add(str(element["/S"]))
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                    kinds(kid, found)
        return found

    structure = kinds(root["/StructTreeRoot"], set())
    assert {"/H1", "/Table", "/TR", "/TH", "/TD", "/P"} <= structure, structure
