"""EN 16931 e-invoices: every invoice and credit note as UBL 2.1 following Peppol BIS Billing 3.0
(for the API and the downloads) and as UN/CEFACT CII in the Factur-X EN 16931 profile (embedded
in the PDF, billing/pdf.py).

One mapping, `einvoice_terms`, says what each business term (BT-…) of the standard holds for an
invoice; the factur-x library writes both syntaxes from it, so the two files never disagree.

How ProPass's VAT treatments are written (EN 16931 VAT category codes, UNCL5305):
- domestic, and an EU buyer without a VAT number taxed at its country's rate: S with the rate;
- reverse charge (an EU business buyer in another country): AE, rate 0, exemption VATEX-EU-AE;
- outside the scope of EU VAT (a business in Norway, Switzerland, Liechtenstein…): O, no rate,
  exemption VATEX-EU-O; the rules of category O forbid VAT identifiers (BR-O-02), so the seller's
  number is given as its tax registration (BT-32) and a Swiss or Norwegian buyer's company
  identifier (UID, organisation number) as its legal registration (BT-47).
Credit notes are type 381 with positive amounts, referring to the invoice they correct (BG-3).
"""

from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from facturx import generate_xml
from lxml import etree

from propass.billing.models import Invoice, InvoiceKind
from propass.core.peppol import EAS_CODES

# Peppol BIS Billing 3.0 (UBL): the specification and the business process identifiers.
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

# The EAS scheme of a VAT number, by its prefix: the electronic address of a buyer that has not
# given a Peppol id (Peppol's directory registers many businesses under their VAT number).
VAT_EAS = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CY": "9928", "CZ": "9929", "DE": "9930", "EE": "9931",
    "EL": "9933", "ES": "9920", "FR": "9957", "GB": "9932", "XI": "9932", "HR": "9934", "HU": "9910",
    "IE": "9935", "IT": "0211", "LT": "9937", "LU": "9938", "LV": "9939", "MT": "9943", "NL": "9944",
    "PL": "9945", "PT": "9946", "RO": "9947", "SI": "9949", "SK": "9950", "FI": "0213", "SE": "0007",
    "DK": "0184", "NO": "0192", "CH": "0183", "LI": "9936",
}  # fmt: skip

CATEGORY = {"domestic": "S", "buyer_country": "S", "reverse_charge": "AE", "outside_scope": "O"}
EXEMPTION = {"AE": "VATEX-EU-AE", "O": "VATEX-EU-O"}
TYPE_INVOICE, TYPE_CREDIT_NOTE = "380", "381"
# UNCL4461 payment means: SEPA credit transfer, credit transfer, bank card.
SEPA_TRANSFER, TRANSFER, CARD = "58", "30", "48"
SEPA_CURRENCIES = {"EUR"}


def _amount(value: Decimal) -> str:
    return f"{abs(value):.2f}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _scheme_split(participant: str) -> tuple[str, str] | None:
    scheme, colon, identifier = (participant or "").partition(":")
    return (scheme, identifier) if colon and scheme in EAS_CODES and identifier else None


def _endpoint(peppol_id: str, vat_number: str) -> dict[str, str]:
    """BT-34/BT-49: the party's Peppol id, or else its VAT number in its country's scheme."""
    split = _scheme_split(peppol_id)
    if split is None and vat_number[:2] in VAT_EAS:
        split = (VAT_EAS[vat_number[:2]], vat_number if VAT_EAS[vat_number[:2]].startswith("99") else vat_number[2:])
    return {"einvoicing_addr": split[1], "einvoicing_addr_schemeid": split[0]} if split else {}


def _company_identifier(vat_number: str) -> dict[str, str]:
    """A buyer's company identifier written inside its VAT number (Swiss UID, Norwegian
    organisation number): its legal registration (BT-47) when no VAT identifier may be given."""
    if vat_number.startswith("CHE"):
        return {"legal_identifier": f"CHE{vat_number[3:]}", "legal_identifier_schemeid": "0183"}
    if vat_number.startswith("NO") and vat_number[2:11].isdigit():
        return {"legal_identifier": vat_number[2:11], "legal_identifier_schemeid": "0192"}
    return {}


def _seller(invoice: Invoice, category: str) -> dict[str, Any]:
    snapshot = {**_seller_now(invoice), **invoice.seller_snapshot}
    party: dict[str, Any] = {
        "name": snapshot["name"],
        "addr_l1": snapshot.get("street", ""),
        "postcode": snapshot.get("postal_code", ""),
        "city": snapshot.get("city", ""),
        "country_code": snapshot["country"],
        **_endpoint(snapshot.get("peppol_id", ""), snapshot["vat_number"]),
    }
    if category == "O":
        party["tax_identifier"] = snapshot["vat_number"]
    else:
        party["vat_identifier"] = snapshot["vat_number"]
    if snapshot.get("registration_number"):
        party["legal_identifier"] = snapshot["registration_number"]
    if snapshot.get("legal_info"):
        party["legal_info"] = snapshot["legal_info"]
    contact = {key: snapshot[field] for key, field in (("email", "contact_email"), ("phone", "contact_phone"))
               if snapshot.get(field)}  # fmt: skip
    if contact:
        party["contacts"] = [contact]
    return {key: value for key, value in party.items() if value}


def _seller_now(invoice: Invoice) -> dict[str, str]:
    """Seller data an invoice issued before it was kept in the invoice's snapshot (address parts,
    registration, contact, Peppol id) is read from the seller entity, which these do not change on."""
    seller = invoice.seller
    return {field: getattr(seller, field) for field in (
        "street", "postal_code", "city", "registration_number", "legal_info", "contact_email", "contact_phone",
        "peppol_id",
    )}  # fmt: skip


def _buyer(invoice: Invoice, category: str) -> dict[str, Any]:
    snapshot = invoice.buyer_snapshot
    vat_number = snapshot.get("vat_number", "")
    party: dict[str, Any] = {
        "name": snapshot["name"],
        "addr_l1": snapshot.get("street", ""),
        "postcode": snapshot.get("postal_code", ""),
        "city": snapshot.get("city", ""),
        "country_code": snapshot["country"],
        **_endpoint(snapshot.get("peppol_id", ""), vat_number),
    }
    if vat_number and category != "O":
        party["vat_identifier"] = vat_number
    elif vat_number:
        party.update(_company_identifier(vat_number))
    return {key: value for key, value in party.items() if value}


def _payment(invoice: Invoice) -> dict[str, Any]:
    """BG-16: a transfer to the seller's account with the RF reference, or the card on file.
    A credit note repays through the means of the invoice: no seller account to pay into."""
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    if invoice.payment_method == "card":
        terms: dict[str, Any] = {"BT-81": CARD, "BT-82": _("Card")}
        last4 = invoice.buyer_snapshot.get("card_last4", "")
        if last4:
            terms["BT-87"] = last4
        return terms
    if credit:
        return {}
    seller = invoice.seller_snapshot
    sepa = invoice.currency in SEPA_CURRENCIES
    terms = {"BT-81": SEPA_TRANSFER if sepa else TRANSFER, "BT-82": _("Bank transfer"), "BT-83": invoice.reference}
    if seller.get("iban"):
        terms["BT-84"] = seller["iban"]
    if seller.get("bic"):
        terms["BT-86"] = seller["bic"]
    return terms


def _notes(invoice: Invoice, category: str) -> list[dict[str, str]]:
    notes = []
    if category == "AE":
        notes.append(
            _("Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC).")
        )
    elif category == "O":
        notes.append(_("Outside the scope of EU VAT."))
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.credit_reason:
        notes.append(invoice.credit_reason)
    return [{"BT-22": note} for note in notes]


def _exemption(category: str) -> dict[str, str]:
    if category == "AE":
        return {"BT-120": _("Reverse charge"), "BT-121": EXEMPTION["AE"]}
    if category == "O":
        return {"BT-120": _("Not subject to VAT"), "BT-121": EXEMPTION["O"]}
    return {}


def einvoice_terms(*, invoice: Invoice) -> dict[str, Any]:
    """The business terms of EN 16931 for an issued invoice or credit note, keyed as the factur-x
    library reads them; texts in the invoice's language."""
    category = CATEGORY[invoice.vat_treatment]
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    lines = list(invoice.lines.all())
    with translation.override(invoice.language):
        rate = {} if category == "O" else {"BT-152": _percent(Decimal(0) if category == "AE" else invoice.vat_rate)}
        terms: dict[str, Any] = {
            "BT-1": invoice.number,
            "BT-2": invoice.issue_date,
            "BT-3": TYPE_CREDIT_NOTE if credit else TYPE_INVOICE,
            "BT-5": invoice.currency,
            # The buyer's reference (Peppol asks for it): its PO number, or else its membership number.
            "BT-10": invoice.po_number or (invoice.subscription.membership_number if invoice.subscription else ""),
            "BG-1": _notes(invoice, category),
            "BG-4": _seller(invoice, category),
            "BG-7": _buyer(invoice, category),
            "BG-23": [{
                "BT-116": _amount(invoice.net),
                "BT-117": _amount(invoice.vat),
                "BT-118": category,
                **({} if category == "O" else {"BT-119": rate["BT-152"]}),
                **_exemption(category),
            }],
            "BG-25": [{
                "BT-126": str(position),
                "BT-129": "1",
                "BT-130": "C62",
                "BT-131": _amount(line.net),
                "BT-134": line.period_start,
                "BT-135": line.period_end,
                "BT-146": _amount(line.net),
                "BT-151": category,
                **rate,
                "BT-153": line.description,
            } for position, line in enumerate(lines, start=1)],
            "BT-106": _amount(sum((line.net for line in lines), Decimal(0))),
            "BT-109": _amount(invoice.net),
            "BT-110": _amount(invoice.vat),
            "BT-112": _amount(invoice.total),
            "BT-115": _amount(invoice.total),
            **_payment(invoice),
        }  # fmt: skip
        if invoice.po_number:
            terms["BT-13"] = invoice.po_number
        if lines:
            # The service is delivered from the start of its period (BT-72; the CII needs a delivery).
            terms["BT-72"] = terms["BT-73"] = min(line.period_start for line in lines)
            terms["BT-74"] = max(line.period_end for line in lines)
        if credit and invoice.credited_invoice is not None:
            terms["BG-3"] = [{"BT-25": invoice.credited_invoice.number, "BT-26": invoice.credited_invoice.issue_date}]
        if not credit:
            terms["BT-9"] = invoice.due_date
            terms["BT-20"] = _payment_terms(invoice)
    return {key: value for key, value in terms.items() if value not in ("", None, [], {})}


def _payment_terms(invoice: Invoice) -> str:
    if invoice.payment_method == "card":
        return _("Charged to the card on file on the due date.")
    return _("Payable by bank transfer by the due date, with the payment reference.")


def _load(invoice_id: int) -> Invoice:
    return (
        Invoice.objects.select_related("seller", "credited_invoice", "subscription")
        .prefetch_related("lines")
        .get(pk=invoice_id)
    )


def invoice_ubl(*, invoice: Invoice) -> bytes:
    """The invoice (or credit note) as UBL 2.1, Peppol BIS Billing 3.0."""
    xml = generate_xml(einvoice_terms(invoice=invoice), flavor="ubl-2.1", level="en16931", check_xsd=False,
                       check_schematron=False)  # fmt: skip
    root = etree.fromstring(xml)
    customization = root.find(f"{{{UBL_CBC}}}CustomizationID")
    if customization is not None:
        customization.text = PEPPOL_CUSTOMIZATION
        profile = etree.Element(f"{{{UBL_CBC}}}ProfileID")
        profile.text = PEPPOL_PROFILE
        customization.addnext(profile)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def invoice_cii(*, invoice: Invoice) -> bytes:
    """The invoice (or credit note) as UN/CEFACT CII, Factur-X profile EN 16931."""
    return generate_xml(einvoice_terms(invoice=invoice), flavor="factur-x", level="en16931", check_xsd=False,
                        check_schematron=False)  # fmt: skip


def invoice_ubl_render(*, invoice_id: int) -> tuple[str, bytes]:
    """The file name and bytes of an invoice's UBL e-invoice, rendered on request from the invoice as issued."""
    invoice = _load(invoice_id)
    return f"{invoice.number}.xml", invoice_ubl(invoice=invoice)
