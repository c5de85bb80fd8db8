"""VAT numbers, checked offline (format and check digits) with python-stdnum.

A number is stored in one form: its country's prefix and the national number without
separators ("IT00743110157", "EL094259216", "NO995525828MVA"). Two exceptions, each kept as
its country writes it:

- Northern Ireland traders write XI in front of their UK number (the EU's prefix for their trade
  in goods); an XI number stays XI. The business's country is still GB, and GB and XI in front
  of the same digits name one registration.
- Switzerland and Liechtenstein (one VAT area) store the Swiss business identifier alone,
  "CHE105048256": the MWST/TVA/IVA/TPV ending only says in which national language the number
  is written (the same company is "CHE-110.576.236 TVA" and "… IVA"), and Liechtenstein's
  identifiers carry none. Liechtenstein's own VAT register numbers are five digits, stored
  "LI12345" however they are written: "12345", "LI-12345", or with "FL" (Fürstentum
  Liechtenstein, the country's old code, still on its cars and many invoices) as "FL-12345".
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum import get_cc_module
from stdnum.ch import uid as swiss_uid

# What people type inside a VAT number: spaces, dots, dashes, slashes, colons ("DK: 21599336"),
# brackets ("BE (0)468.561.072"), commas and underscores.
SEPARATORS = re.compile(r"[\s.,:;_/()\-]")

# The prefixes written in front of a country's VAT numbers, the one stored first. Greece writes
# EL (and sometimes GR); the United Kingdom GB, and Northern Ireland traders XI.
PREFIXES: dict[str, tuple[str, ...]] = {
    **{country: (country,) for country in (
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
        "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK",
    )},
    "GR": ("EL", "GR"),
    "GB": ("GB", "XI"),
    "CH": ("CHE",),
    "LI": ("LI", "CHE"),
}  # fmt: skip
# A prefix kept as typed rather than replaced by the country's first one.
KEPT_AS_TYPED = {"XI"}
# The two letters that start some country's VAT numbers: a number starting with another
# country's belongs to that country.
KNOWN_PREFIXES = {prefix[:2] for prefixes in PREFIXES.values() for prefix in prefixes}
# The twin prefixes of one UK registration.
UK_PREFIXES = ("GB", "XI")

# Switzerland and Liechtenstein: the business identifier (UID, "CHE" and nine digits, the last
# a check digit), with the ending of the national language it is written in, or without it.
SWISS_AREA = {"CH", "LI"}
SWISS_ENDINGS = ("MWST", "TVA", "IVA", "TPV")
SWISS_NUMBER = re.compile(rf"(?:CHE)?(\d{{9}})(?:{'|'.join(SWISS_ENDINGS)})?")
# Liechtenstein's VAT register keeps its own five-digit numbers (MWST-Nr.), without a check
# digit: the Swiss UID replaced the Swiss VAT number in 2014, not Liechtenstein's (llv.li,
# "Umsetzung der UID in Liechtenstein"). They are written bare ("12345"), with the ISO code
# ("LI-12345") or with "FL" ("FL-12345", as invoicing software offers for Liechtenstein).
LIECHTENSTEIN_NUMBER = re.compile(r"(?:LI|FL)?(\d{5})")
# "FL" and five digits is a Liechtenstein number and nothing else: typed for a company of another
# country, it belongs to another country. (FL is no other country's prefix; only this exact form
# is told apart, as a French number typed without FR may begin with the letters FL of its key.)
LIECHTENSTEIN_WRITTEN_FL = re.compile(r"FL\d{5}")


@dataclass(frozen=True)
class VatCheck:
    valid: bool
    number: str  # normalised, as stored (see the module's docstring)
    code: str  # "ok", "format", "country_mismatch", "unsupported"
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"valid": self.valid, "number": self.number, "code": self.code}


def _swiss_area_number(country: str, raw: str) -> str | None:
    swiss = SWISS_NUMBER.fullmatch(raw)
    if swiss and swiss_uid.is_valid(f"CHE{swiss[1]}"):
        return f"CHE{swiss[1]}"
    liechtenstein = LIECHTENSTEIN_NUMBER.fullmatch(raw) if country == "LI" else None
    return f"LI{liechtenstein[1]}" if liechtenstein else None


def _national_number(country: str, raw: str) -> str | None:
    module = get_cc_module(country.lower(), "vat")
    if module is None:
        return None
    prefixes = PREFIXES.get(country, (country,))
    typed = next((prefix for prefix in prefixes if raw.startswith(prefix)), None)
    national = raw[len(typed) :] if typed else raw
    if country == "NO" and national.isdigit():
        national += "MVA"
    if not national or not module.is_valid(national):
        return None
    prefix = typed if typed in KEPT_AS_TYPED else prefixes[0]
    return f"{prefix}{module.compact(national)}"


def _checkable(country: str) -> bool:
    return country in SWISS_AREA or get_cc_module(country.lower(), "vat") is not None


def vat_number_check(*, country: str, number: str) -> VatCheck:
    """Check a VAT number's format and check digits for the company's country, offline: as
    written on a certificate or an invoice, with or without the country prefix, in any case,
    with spaces, dots, dashes or other separators; Swiss numbers with or without their ending."""
    country = country.upper()
    raw = SEPARATORS.sub("", number or "").upper()
    if not _checkable(country):
        return VatCheck(False, raw, "unsupported", str(_("VAT numbers of this country cannot be checked.")))
    own = {prefix[:2] for prefix in PREFIXES.get(country, (country,))}
    foreign_prefix = len(raw) > 2 and raw[:2].isalpha() and raw[:2] in KNOWN_PREFIXES and raw[:2] not in own
    if foreign_prefix or (country != "LI" and LIECHTENSTEIN_WRITTEN_FL.fullmatch(raw)):
        return VatCheck(
            False, raw, "country_mismatch", str(_("This VAT number belongs to another country than the company's."))
        )
    normalised = _swiss_area_number(country, raw) if country in SWISS_AREA else _national_number(country, raw)
    if normalised is None:
        return VatCheck(False, raw, "format", str(_("This is not a valid VAT number (format or check digits).")))
    return VatCheck(True, normalised, "ok", str(_("Format and check digits are valid.")))


def vat_number_twins(number: str) -> list[str]:
    """The stored numbers naming the same registration as a stored number: itself, and a UK
    number with either prefix (a Northern Ireland trader's XI number is its GB number)."""
    if number[:2] in UK_PREFIXES:
        return [f"{prefix}{number[2:]}" for prefix in UK_PREFIXES]
    return [number]


def vat_number_forms(text: str) -> set[str]:
    """The stored forms of a typed VAT number: what it normalises to as a valid number of each
    country checked here, a UK number also with its twin prefix (GB and XI in front of the same
    digits name one registration). Empty when it is no valid VAT number anywhere."""
    forms = set()
    for country in PREFIXES:
        check = vat_number_check(country=country, number=text)
        if check.valid:
            forms.update(vat_number_twins(check.number))
    return forms
