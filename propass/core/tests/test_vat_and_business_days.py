from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from stdnum.ch import uid as swiss_uid

from propass.core.services import business_days_after
from propass.core.vat import vat_number_check, vat_number_forms

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("country", "number", "normalised"),
    [
        ("IT", "IT 00743110157", "IT00743110157"),
        ("IT", "00743110157", "IT00743110157"),
        ("DE", "DE136695976", "DE136695976"),
        ("GB", "GB 980 7806 84", "GB980780684"),
        ("NO", "995525828", "NO995525828MVA"),
        ("CH", "CHE-113.690.319 MWST", "CHE113690319"),
        ("CH", "CHE-113.690.319", "CHE113690319"),
        ("GB", "XI 432 5251 79", "XI432525179"),
        ("GR", "EL094259216", "EL094259216"),
    ],
)
def test_valid_vat_numbers_are_normalised(country, number, normalised):
    check = vat_number_check(country=country, number=number)
    assert check.valid
    assert check.number == normalised


def test_wrong_check_digits_are_refused():
    check = vat_number_check(country="IT", number="IT00743110158")
    assert not check.valid
    assert check.code == "format"


def test_a_number_of_another_country_is_refused():
    check = vat_number_check(country="IT", number="DE136695976")
    assert not check.valid
    assert check.code == "country_mismatch"


# Liechtenstein keeps its five-digit VAT register numbers (MWST-Nr.); its companies may also hold
# a Swiss business identifier (UID, "CHE"), which the Swiss register issues them without an
# ending. No list of Liechtenstein companies' UIDs was at hand: these take their check digit
# from python-stdnum's Swiss UID algorithm (checked below), the register's own.
LIECHTENSTEIN_UIDS = ["CHE-123.456.788", "CHE-500.123.450"]


def test_the_liechtenstein_uids_have_the_registers_check_digit():
    for number in LIECHTENSTEIN_UIDS:
        digits = number.replace("CHE-", "").replace(".", "")
        assert swiss_uid.calc_check_digit(digits[:8]) == digits[8]


@pytest.mark.parametrize(
    ("number", "normalised"),
    [
        ("51234", "LI51234"),
        ("LI 51 234", "LI51234"),
        ("li51234", "LI51234"),
        ("CHE-123.456.788", "CHE123456788"),
        ("che 123 456 788", "CHE123456788"),
        ("123.456.788", "CHE123456788"),
        ("CHE-500.123.450 MWST", "CHE500123450"),
    ],
)
def test_a_liechtenstein_business_is_checked_with_its_own_or_its_swiss_number(number, normalised):
    check = vat_number_check(country="LI", number=number)
    assert (check.valid, check.number, check.code) == (True, normalised, "ok")


@pytest.mark.parametrize("number", ["5123", "512345", "CHE-123.456.789", "LI 5123A", "DE136695976", "XI432525179"])
def test_a_liechtenstein_number_of_another_length_or_check_digit_is_refused(number):
    assert not vat_number_check(country="LI", number=number).valid


def test_a_liechtenstein_number_is_refused_for_a_swiss_company():
    assert vat_number_check(country="CH", number="LI51234").code == "country_mismatch"


# Liechtenstein's register numbers as they are written on invoices and in forms: bare, with the
# ISO code LI, or with FL (Fürstentum Liechtenstein, the country's vehicle and old code), in any
# case, with a dash, a space or a dot; always stored with LI.
@pytest.mark.parametrize(
    "number",
    ["FL-51234", "FL 51234", "FL51234", "fl-51234", "Fl 51 234", "FL.51234", "LI-51234", "LI 51234", "51234"],
)
def test_a_liechtenstein_number_written_with_fl_or_li_is_stored_with_li(number):
    check = vat_number_check(country="LI", number=number)
    assert (check.valid, check.number, check.code) == (True, "LI51234", "ok")
    assert vat_number_forms(number) == {"LI51234"}  # no other country reads it as one of its own


@pytest.mark.parametrize("number", ["FL-5123", "FL-512345", "FL-5123A", "FL", "FL-CHE-123.456.788", "FLLI51234"])
def test_fl_in_front_of_anything_but_five_digits_is_refused(number):
    assert vat_number_check(country="LI", number=number).code == "format"


@pytest.mark.parametrize("country", ["CH", "DE", "FR", "AT", "GB"])
def test_a_number_written_with_fl_belongs_to_liechtenstein_not_to_another_country(country):
    assert vat_number_check(country=country, number="FL-51234").code == "country_mismatch"


def test_a_french_number_typed_without_fr_whose_key_is_fl_stays_french():
    # French keys are two letters or digits: "FL" in front of nine digits is a French number.
    check = vat_number_check(country="FR", number="FL 000000005")
    assert (check.valid, check.number) == (True, "FRFL000000005")
    assert not vat_number_check(country="LI", number="FL 000000005").valid


def test_the_forms_of_a_typed_number_include_the_uk_twin_and_the_swiss_identifier():
    assert {"GB432525179", "XI432525179"} <= vat_number_forms("432525179")
    assert {"GB432525179", "XI432525179"} <= vat_number_forms("XI 432525179")
    assert vat_number_forms("CHE-105.048.256 TVA") == {"CHE105048256"}
    assert vat_number_forms("IT 00743110158") == set()


def test_the_deadline_skips_the_weekend():
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=ROME)
    assert business_days_after(start=friday, days=2, country="IT") == datetime(2026, 11, 24, 15, 0, tzinfo=ROME)


def test_the_deadline_skips_an_italian_public_holiday_and_the_weekend():
    # Thursday 2026-12-24; the 25th (Natale) and 26th (Santo Stefano, a Saturday) and Sunday do not count.
    thursday = datetime(2026, 12, 24, 10, 0, tzinfo=ROME)
    assert business_days_after(start=thursday, days=2, country="IT") == datetime(2026, 12, 29, 10, 0, tzinfo=ROME)


def test_the_same_dates_in_the_netherlands_count_differently():
    # 2026-06-02 is Festa della Repubblica in Italy, an ordinary Tuesday in the Netherlands.
    monday = datetime(2026, 6, 1, 9, 0, tzinfo=ROME)
    assert business_days_after(start=monday, days=2, country="IT").day == 4
    assert business_days_after(start=monday, days=2, country="NL").day == 3
