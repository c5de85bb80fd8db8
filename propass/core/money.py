"""Money shown in the reader's locale: "£85", "85 €", "€ 100,50"."""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency
from django.utils.translation import get_language, to_locale


def money_format(amount: Decimal, currency: str, language: str | None = None) -> str:
    """Whole amounts without decimals, as the seeds print them ("£85"); others with cents."""
    locale = Locale.parse(to_locale(language or get_language() or "en"))
    if amount == amount.to_integral_value():
        pattern = locale.currency_formats["standard"].pattern.replace(".00", "")
        return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)
    return format_currency(amount, currency, locale=locale)
