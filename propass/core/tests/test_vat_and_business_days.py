from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from propass.core.services import business_days_after
from propass.core.vat import vat_number_check

ROME = ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("country", "number", "normalised"),
    [
        ("IT", "IT 00743110157", "IT00743110157"),
        ("IT", "00743110157", "IT00743110157"),
        ("DE", "DE136695976", "DE136695976"),
        ("GB", "GB 980 7806 84", "GB980780684"),
        ("NO", "995525828", "NO995525828MVA"),
        ("CH", "CHE-113.690.319 MWST", "CHE113690319MWST"),
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
