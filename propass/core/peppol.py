"""Peppol participant identifiers: where a business receives e-invoices on the Peppol network,
written "scheme:identifier" — the scheme an ISO 6523 ICD code of the CEF EAS code list
("0208:0403019261" for a Belgian enterprise number, "9930:DE136695976" for a German VAT number).
People also copy the full form with its scheme prefix, "iso6523-actorid-upis::0208:…"."""

import re

from stdnum import ean
from stdnum.be import vat as belgian_enterprise
from stdnum.no import orgnr as norwegian_organisation

from propass.core.vat import vat_number_check

# The numeric codes of the CEF EAS code list the EN 16931 rules accept (BR-CL-25).
EAS_CODES = frozenset((
    "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135", "0142", "0147", "0151",
    "0154", "0158", "0170", "0177", "0183", "0184", "0188", "0190", "0191", "0192", "0193", "0194", "0195", "0196",
    "0198", "0199", "0200", "0201", "0202", "0203", "0204", "0205", "0208", "0209", "0210", "0211", "0212", "0213",
    "0215", "0216", "0217", "0218", "0219", "0220", "0221", "0225", "0230", "0235", "0240", "0242", "0244", "0245",
    "0246", "0248", "9910", "9913", "9914", "9915", "9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926",
    "9927", "9928", "9929", "9930", "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939", "9940",
    "9941", "9942", "9943", "9944", "9945", "9946", "9947", "9948", "9949", "9950", "9951", "9952", "9953", "9957",
    "9959",
))  # fmt: skip
# The schemes that are a country's VAT number (prefix included).
VAT_SCHEMES = {
    "9914": "AT", "9925": "BE", "9926": "BG", "9928": "CY", "9929": "CZ", "9930": "DE", "9931": "EE",
    "9920": "ES", "9932": "GB", "9933": "GR", "9934": "HR", "9910": "HU", "9935": "IE", "9937": "LT",
    "9938": "LU", "9939": "LV", "9943": "MT", "9944": "NL", "9945": "PL", "9946": "PT", "9947": "RO",
    "9949": "SI", "9950": "SK", "9957": "FR",
}  # fmt: skip
# Schemes whose identifiers have a check digit python-stdnum knows.
CHECKED = {
    "0088": ean.is_valid,  # GLN
    "0208": belgian_enterprise.is_valid,  # Belgian enterprise number
    "0192": norwegian_organisation.is_valid,
    "0106": lambda number: bool(re.fullmatch(r"\d{8}", number)),  # Dutch KvK number
}
SCHEME_PREFIX = "iso6523-actorid-upis::"
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_/]{0,49}")


def peppol_id_normalise(text: str) -> str | None:
    """The participant id in its stored form ("0208:0403019261"), or None when it is not one:
    an unknown scheme, or an identifier its scheme's check digits or format refuse."""
    raw = "".join((text or "").split())
    if raw.lower().startswith(SCHEME_PREFIX):
        raw = raw[len(SCHEME_PREFIX) :]
    scheme, colon, identifier = raw.partition(":")
    if not colon or scheme not in EAS_CODES or not IDENTIFIER.fullmatch(identifier):
        return None
    if scheme in VAT_SCHEMES:
        check = vat_number_check(country=VAT_SCHEMES[scheme], number=identifier)
        return f"{scheme}:{check.number}" if check.valid else None
    if scheme in CHECKED and not CHECKED[scheme](identifier):
        return None
    return f"{scheme}:{identifier}"
