"""EN 16931 e-invoices: the UBL (Peppol BIS 3.0) and the CII (Factur-X EN 16931) of every kind of
invoice ProPass issues pass the official schemas and business rules (propass/testing/einvoice.py)."""

import io
from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf
from lxml import etree
from pypdf import PdfReader
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.billing.credit_notes import credit_note_issue
from propass.billing.einvoice import PEPPOL_CUSTOMIZATION, invoice_cii, invoice_ubl
from propass.billing.models import Invoice
from propass.billing.pdf import invoice_pdf_render
from propass.testing.einvoice import einvoice_problems, rule_findings, schema_errors
from propass.testing.shop import buy
from propass.testing.staff import staff_session_verify

UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
CII = {
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
}

# The kinds of invoice: (country, VAT number, currency) of the buyer, and what the e-invoice says.
KINDS = {
    "domestic NL": ("NL", "NL123456782B90", "EUR", "S", "21"),
    "reverse charge DE": ("DE", "DE136695976", "EUR", "AE", "0"),
    "buyer country rate, EU buyer without VAT number": ("DE", "", "EUR", "S", "19"),
    "UK": ("GB", "GB980780684", "GBP", "S", "20"),
    "UK, Northern Ireland (XI)": ("GB", "XI980780684", "GBP", "S", "20"),
    "outside scope NO": ("NO", "NO995525828MVA", "EUR", "O", None),
    "outside scope CH": ("CH", "CHE105048256", "EUR", "O", None),
}


def _invoice_for(business: Business, owner, country: str, vat_number: str, currency: str, **extra) -> Invoice:
    Business.objects.filter(pk=business.pk).update(
        country=country, vat_number=vat_number, currency=currency, street="Via Roma 1", postal_code="20121",
        city="Milano", **extra,
    )  # fmt: skip
    business.refresh_from_db()
    return buy(business, owner, method="bank_transfer")[1]


def _text(root, path: str, namespaces: dict[str, str]) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=namespaces)]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_invoice_is_a_valid_en16931_e_invoice_in_ubl_and_in_cii(shop, owner, kind):
    country, vat_number, currency, category, rate = KINDS[kind]
    invoice = _invoice_for(shop, owner, country, vat_number, currency)

    ubl = invoice_ubl(invoice=invoice)
    assert einvoice_problems(ubl) == []
    root = etree.fromstring(ubl)
    assert _text(root, "cbc:CustomizationID", UBL) == [PEPPOL_CUSTOMIZATION]
    assert _text(root, "cbc:ID", UBL) == [invoice.number]
    assert _text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", UBL) == [category]
    assert _text(root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", UBL) == ([rate] if rate else [])
    assert _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", UBL) == [f"{invoice.total:.2f}"]
    assert root.xpath("cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID", namespaces=UBL) == [currency]
    buyer_vat = _text(root, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", UBL)
    assert buyer_vat == ([vat_number] if vat_number and category != "O" else [])

    cii = invoice_cii(invoice=invoice)
    assert einvoice_problems(cii) == []
    cii_root = etree.fromstring(cii)
    assert _text(cii_root, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode", CII) == [
        category
    ]
    assert _text(cii_root, "//ram:DuePayableAmount", CII) == [f"{invoice.total:.2f}"]


def test_reverse_charge_names_its_exemption_and_the_payment_is_a_transfer_with_the_rf_reference(shop, owner):
    invoice = _invoice_for(shop, owner, "DE", "DE136695976", "EUR")
    root = etree.fromstring(invoice_ubl(invoice=invoice))
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/"
    assert _text(root, category + "cbc:TaxExemptionReasonCode", UBL) == ["VATEX-EU-AE"]
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", UBL) == ["58"]
    assert _text(root, "cac:PaymentMeans/cbc:PaymentID", UBL) == [invoice.reference]
    assert _text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", UBL) == [invoice.seller_snapshot["iban"]]
    # The seller as its data says: VAT number, registration, address in parts, Peppol id.
    seller = "cac:AccountingSupplierParty/cac:Party/"
    assert _text(root, seller + "cbc:EndpointID", UBL) == ["NL004495445B01"]
    assert root.xpath(seller + "cbc:EndpointID/@schemeID", namespaces=UBL) == ["9944"]
    assert _text(root, seller + "cac:PartyLegalEntity/cbc:CompanyID", UBL) == ["KvK 12345678"]
    assert _text(root, seller + "cac:PostalAddress/cbc:CityName", UBL) == ["Amstelveen"]


def test_the_po_number_is_the_buyer_and_order_reference_and_a_peppol_id_is_the_buyer_endpoint(shop, owner):
    invoice = _invoice_for(shop, owner, "BE", "BE0403019261", "EUR", peppol_id="0208:0403019261")
    Invoice.objects.filter(pk=invoice.pk).update(po_number="PO-2026-17")
    invoice.refresh_from_db()

    root = etree.fromstring(invoice_ubl(invoice=invoice))

    assert _text(root, "cbc:BuyerReference", UBL) == ["PO-2026-17"]
    assert _text(root, "cac:OrderReference/cbc:ID", UBL) == ["PO-2026-17"]
    buyer = "cac:AccountingCustomerParty/cac:Party/"
    assert _text(root, buyer + "cbc:EndpointID", UBL) == ["0403019261"]
    assert root.xpath(buyer + "cbc:EndpointID/@schemeID", namespaces=UBL) == ["0208"]
    assert einvoice_problems(invoice_ubl(invoice=invoice)) == []


def test_a_credit_note_is_type_381_with_positive_amounts_and_refers_to_its_invoice(shop, owner):
    Business.objects.filter(pk=shop.pk).update(country="DE", vat_number="DE136695976")
    shop.refresh_from_db()
    invoice = buy(shop, owner, method="card")[1]
    Invoice.objects.filter(pk=invoice.pk).update(status="paid")
    credit_note = credit_note_issue(invoice_id=invoice.pk, reason="Upgrade refund", net=Decimal("50.00"))

    ubl = invoice_ubl(invoice=credit_note)
    assert einvoice_problems(ubl) == []
    root = etree.fromstring(ubl)
    assert etree.QName(root).localname == "CreditNote"
    assert _text(root, "cbc:CreditNoteTypeCode", UBL) == ["381"]
    assert _text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", UBL) == [invoice.number]
    assert _text(root, "cac:LegalMonetaryTotal/cbc:PayableAmount", UBL) == ["50.00"]
    assert _text(root, "cac:PaymentMeans/cbc:PaymentMeansCode", UBL) == ["48"]
    assert einvoice_problems(invoice_cii(invoice=credit_note)) == []
    _filename, embedded = get_xml_from_pdf(invoice_pdf_render(invoice_id=credit_note.pk).pdf.read(), check_xsd=True)
    assert einvoice_problems(embedded) == []
    assert etree.fromstring(embedded).xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=CII) == ["381"]


def test_the_validators_refuse_an_invoice_whose_total_does_not_add_up(shop, owner):
    """The rules really run: the same valid invoice with its total changed breaks BR-CO-15
    (total with VAT = total without VAT + VAT), and a misplaced element breaks the schema."""
    root = etree.fromstring(invoice_ubl(invoice=_invoice_for(shop, owner, "NL", "NL123456782B90", "EUR")))
    root.find("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", UBL).text = "999.00"
    broken = etree.tostring(root)
    assert "BR-CO-15" in {finding.rule for finding in rule_findings(broken)}
    root.insert(0, root.find("cbc:ID", UBL))
    assert schema_errors(etree.tostring(root))


@pytest.mark.parametrize("kind", KINDS)
def test_the_invoice_pdf_is_a_tagged_pdf_a_3_factur_x_carrying_the_valid_cii(shop, owner, kind):
    country, vat_number, currency, _category, _rate = KINDS[kind]
    invoice = invoice_pdf_render(invoice_id=_invoice_for(shop, owner, country, vat_number, currency).pk)
    content = invoice.pdf.read()

    filename, xml = get_xml_from_pdf(content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert einvoice_problems(xml) == []
    assert etree.fromstring(xml).xpath("//ram:DuePayableAmount/text()", namespaces=CII) == [f"{invoice.total:.2f}"]

    reader = PdfReader(io.BytesIO(content))
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert [str(spec.get_object()["/AFRelationship"]) for spec in root["/AF"]] == ["/Data"]


@pytest.mark.parametrize("accept", ["application/xml", "*/*", "application/json", "application/xml, */*;q=0.1"])
def test_the_api_xml_download_answers_what_http_clients_ask_for(shop, owner, member, accept):
    invoice = _invoice_for(shop, owner, "DE", "DE136695976", "EUR")
    api = APIClient()
    api.force_authenticate(owner)

    response = api.get(f"/api/v1/invoices/{invoice.pk}/xml/", HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert f'filename="{invoice.number}.xml"' in response["Content-Disposition"]
    assert einvoice_problems(response.content) == []
    missing = api.get("/api/v1/invoices/999999/xml/", HTTP_ACCEPT=accept)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    api.force_authenticate(member)  # no billing rights
    refused = api.get(f"/api/v1/invoices/{invoice.pk}/xml/", HTTP_ACCEPT=accept)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")


def test_finance_reads_any_e_invoice_through_the_api(shop, owner, finance_agent):
    invoice = _invoice_for(shop, owner, "NL", "NL123456782B90", "EUR")
    api = APIClient()
    api.force_authenticate(finance_agent)
    response = api.get(f"/api/v1/invoices/{invoice.pk}/xml/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert einvoice_problems(response.content) == []


def test_the_schema_declares_the_xml_download(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/invoices/{id}/xml/"]["get"]
    assert "application/xml" in operation["responses"]["200"]["content"]


def test_members_and_finance_download_the_e_invoice(shop, owner, member, client, finance_agent):
    invoice = _invoice_for(shop, owner, "NL", "NL123456782B90", "EUR")
    client.force_login(owner)
    page = client.get("/subscriptions/")
    assert f'href="/subscriptions/invoices/{invoice.pk}/xml/"' in page.content.decode()
    download = client.get(f"/subscriptions/invoices/{invoice.pk}/xml/")
    assert download["Content-Type"] == "application/xml"
    assert einvoice_problems(download.content) == []
    client.force_login(member)  # no billing rights
    assert client.get(f"/subscriptions/invoices/{invoice.pk}/xml/").status_code in {403, 404}
    client.force_login(finance_agent)
    staff_session_verify(client, finance_agent)
    detail = client.get(f"/backoffice/finance/invoices/{invoice.pk}/")
    assert f'href="/backoffice/finance/invoices/{invoice.pk}/xml/"' in detail.content.decode()
    assert einvoice_problems(client.get(f"/backoffice/finance/invoices/{invoice.pk}/xml/").content) == []
