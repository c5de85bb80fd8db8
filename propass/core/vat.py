"""VAT numbers, checked offline (format and check digits) with python-stdnum."""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from stdnum import get_cc_module

# Greece writes EL in front of its VAT numbers; Northern Ireland traders use XI.
PREFIX = {"GR": "EL"}
KNOWN_PREFIXES = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "GB", "XI", "NO", "CH",
}  # fmt: skip


@dataclass(frozen=True)
class VatCheck:
    valid: bool
    number: str  # normalised: country prefix + national number
    code: str  # "ok", "format", "country_mismatch", "unsupported"
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"valid": self.valid, "number": self.number, "code": self.code}


def vat_number_check(*, country: str, number: str) -> VatCheck:
    """Check a VAT number's format and check digits for the company's country, offline."""
    country = country.upper()
    raw = re.sub(r"[\s.\-/]", "", number or "").upper()
    prefix = PREFIX.get(country, country)
    if len(raw) > 2 and raw[:2].isalpha() and raw[:2] in KNOWN_PREFIXES and raw[:2] not in {prefix, "XI"}:
        return VatCheck(
            False, raw, "country_mismatch", str(_("This VAT number belongs to another country than the company's."))
        )
    module = get_cc_module(country.lower(), "vat")
    if module is None:
        return VatCheck(False, raw, "unsupported", str(_("VAT numbers of this country cannot be checked.")))
    national = raw[2:] if raw.startswith(prefix) and country != "CH" else raw
    if country == "NO" and national.isdigit():
        national += "MVA"
    if not raw or not module.is_valid(national):
        return VatCheck(False, raw, "format", str(_("This is not a valid VAT number (format or check digits).")))
    compact = module.compact(national)
    normalised = compact if compact[:2].isalpha() and compact[:2] == prefix else f"{prefix}{compact}"
    return VatCheck(True, normalised, "ok", str(_("Format and check digits are valid.")))
