"""The one way money, points and dates are written for a reader: in their language's locale
("119,00 €", "£85.00", "1.280", "02.12.2027"), on pages, e-mails, PDFs and notifications alike.
CSV exports keep machine formats and do not use these."""

import re
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
from django.utils import formats, translation
from django.utils.translation import get_language, to_locale


def _locale(language: str | None) -> Locale:
    return Locale.parse(to_locale(language or get_language() or "en"))


def money_format(
    amount: Decimal | int | str, currency: str, language: str | None = None, *, price_tag: bool = False
) -> str:
    """An amount with its currency and always with cents ("119,00 €"). `price_tag` is for
    list prices of the levels only (the seeds print "Price: £85 excl. VAT per year"): whole
    amounts there drop their cents, others keep them."""
    locale = _locale(language)
    value = Decimal(amount)
    if price_tag and value == value.to_integral_value():
        pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)
    return format_currency(value, currency, locale=locale)


def points_format(points: int | Decimal | str, language: str | None = None) -> str:
    """A whole number of points, grouped the reader's way ("1.280", "1,280")."""
    with translation.override(language or get_language() or "en"):
        return formats.number_format(int(points), force_grouping=True)


def date_format(value: date | datetime, language: str | None = None) -> str:
    """A date the reader's short way ("02.12.2027", "02/12/2027")."""
    with translation.override(language or get_language() or "en"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")


DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


def one_period(text: str) -> str:
    """A sentence that ends with a name ending in a period ("… Studio Rossi S.r.l..") keeps
    one period; an ellipsis ("...") is left alone."""
    return DOUBLE_PERIOD.sub(".", text)
