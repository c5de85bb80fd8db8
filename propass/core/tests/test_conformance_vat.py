"""Every VAT number of the conformance list (python-stdnum's own valid numbers, as written
there) is accepted for its company's country, as written and in the other ways people type it,
and always stored in the same form."""

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings

from propass.core.vat import vat_number_check

CORPUS = Path(settings.BASE_DIR) / ".." / "shared" / "conformance" / "vat" / "valid-vat-numbers.tsv"

# The prefixes written in front of each country's numbers, as the list writes them.
WRITTEN_PREFIXES = {"GR": ("EL",), "GB": ("GB", "XI"), "CH": ("CHE",)}
SWISS_ENDINGS = ("MWST", "TVA", "IVA", "TPV")
SWISS_ENDING = re.compile(rf"({'|'.join(SWISS_ENDINGS)})$")


@pytest.fixture(scope="module")
def numbers() -> list[tuple[str, str, str]]:
    """(country, number as written, number as stored) for every row; a missing list fails."""
    assert CORPUS.is_file(), f"The VAT conformance list is missing: {CORPUS.resolve()}"
    with CORPUS.open(encoding="utf-8", newline="") as corpus:
        rows = list(csv.DictReader(corpus, delimiter="\t"))
    assert len(rows) == 712
    stored = []
    for row in rows:
        check = vat_number_check(country=row["country"], number=row["number_as_written"])
        stored.append((row["country"], row["number_as_written"], check.number))
    return stored


def _compact(written: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", written).upper()


def _split(country: str, written: str) -> tuple[str, str]:
    """The prefix as written (or "") and the rest, without separators."""
    compact = _compact(written)
    prefix = next((p for p in WRITTEN_PREFIXES.get(country, (country,)) if compact.startswith(p)), "")
    return prefix, compact[len(prefix) :]


def _grouped(national: str, separator: str) -> str:
    """Digits in threes, a Swiss ending after a space, the way numbers are printed."""
    ending = SWISS_ENDING.search(national)
    body = national[: ending.start()] if ending else national
    grouped = separator.join(body[i : i + 3] for i in range(0, len(body), 3))
    return f"{grouped} {ending[0]}" if ending else grouped


def _refused(numbers, variant) -> list[str]:
    """Each row typed the variant's way; the rows not accepted, or not stored as the number as
    written is, with what happened."""
    refused = []
    for country, written, stored in numbers:
        typed, expected = variant(country, written, stored)
        check = vat_number_check(country=country, number=typed)
        if not check.valid or check.number != expected:
            refused.append(f"{country} {typed!r}: {check.code} {check.number} (expected {expected})")
    return refused


def test_every_number_is_accepted_as_written(numbers):
    assert _refused(numbers, lambda country, written, stored: (written, stored)) == []


def test_every_number_is_stored_with_its_country_prefix_in_one_form(numbers):
    # The stored form checks as itself: the stored number is valid and does not change again.
    assert _refused(numbers, lambda country, written, stored: (stored, stored)) == []
    for country, written, stored in numbers:
        expected_prefix = {"GR": "EL", "CH": "CHE"}.get(country, country)
        if written.upper().startswith("XI"):
            expected_prefix = "XI"
        assert stored.startswith(expected_prefix), (country, written, stored)
        assert re.fullmatch(r"[0-9A-Z]+", stored), stored


def test_every_number_is_accepted_in_lower_case(numbers):
    assert _refused(numbers, lambda country, written, stored: (written.lower(), stored)) == []


def test_every_number_is_accepted_without_separators(numbers):
    assert _refused(numbers, lambda country, written, stored: (_compact(written), stored)) == []


def _without_prefix(country, written, stored):
    prefix, national = _split(country, written)
    # Without its XI, a Northern Ireland number is a UK number like any other.
    return national, f"GB{stored[2:]}" if prefix == "XI" else stored


def test_every_number_is_accepted_without_the_country_prefix(numbers):
    assert _refused(numbers, _without_prefix) == []


@pytest.mark.parametrize("separator", [" ", ".", "-"])
def test_every_number_is_accepted_with_spaces_dots_or_dashes(numbers, separator):
    def grouped(country, written, stored):
        prefix, national = _split(country, written)
        return f"{prefix}{separator}{_grouped(national, separator)}".lstrip(separator), stored

    assert _refused(numbers, grouped) == []


@pytest.mark.parametrize("separator", [" ", ".", "-"])
def test_every_number_is_accepted_without_prefix_and_with_spaces_dots_or_dashes(numbers, separator):
    def grouped(country, written, stored):
        national, expected = _without_prefix(country, written, stored)
        return _grouped(national, separator), expected

    assert _refused(numbers, grouped) == []


def test_swiss_numbers_are_accepted_with_any_ending_or_none_and_stored_without(numbers):
    swiss = [(written, stored) for country, written, stored in numbers if country == "CH"]
    assert len(swiss) == 22
    for written, stored in swiss:
        assert re.fullmatch(r"CHE\d{9}", stored)
        bare = SWISS_ENDING.sub("", _compact(written))
        endings = [f"{bare} {ending}" for ending in SWISS_ENDINGS]
        for typed in (bare, bare.lower(), bare[3:], f"CHE-{_grouped(bare[3:], '.')}", *endings):
            check = vat_number_check(country="CH", number=typed)
            assert (check.valid, check.number) == (True, stored), typed


def test_one_swiss_company_written_in_two_languages_is_one_number():
    italian = vat_number_check(country="CH", number="CHE-110.576.236 IVA")
    french = vat_number_check(country="CH", number="CHE-110.576.236 TVA")
    assert italian.number == french.number == "CHE110576236"


def test_a_northern_ireland_number_keeps_its_xi_prefix():
    check = vat_number_check(country="GB", number="XI 432525179")
    assert (check.valid, check.number) == (True, "XI432525179")
    assert vat_number_check(country="GB", number="xi 432 5251 79").number == "XI432525179"


def test_an_xi_or_a_swiss_number_is_refused_for_a_company_of_another_country():
    assert vat_number_check(country="IE", number="XI 432525179").code == "country_mismatch"
    assert vat_number_check(country="DE", number="CHE-105.048.256 MWST").code == "country_mismatch"


def test_a_swiss_number_with_wrong_check_digits_or_an_unknown_ending_is_refused():
    assert vat_number_check(country="CH", number="CHE-105.048.257").code == "format"
    assert vat_number_check(country="CH", number="CHE-105.048.256 HR").code == "format"


def test_an_eu_one_stop_shop_number_is_no_business_vat_number():
    # Non-EU sellers of e-services to consumers register in the EU's one-stop shop under an
    # "EU" number; it belongs to no country and no business applies with it as its VAT number.
    assert vat_number_check(country="DE", number="EU372000041").code == "format"
