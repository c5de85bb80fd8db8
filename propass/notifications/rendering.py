"""Messages stored in their English source form with parameters, shown in the reader's
language: the text is looked up in the catalog when it is displayed, and dates, money and
points are written the reader's way (propass.core.money) at that moment."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from propass.core.money import date_format, money_format, one_period, points_format

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
# "%(total)s %(currency)s" in the sources and their translations: one amount with its currency.
AMOUNT_WITH_CURRENCY = re.compile(r"%\((\w+)\)s %\(currency\)s")


def source_text(message: Any) -> str:
    """The English source (msgid) of a lazy translation, whatever language is active."""
    with translation.override(None):
        return str(message)


def param_value(value: Any) -> Any:
    """A parameter as it is stored (JSON): dates as ISO strings, money as decimal strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def _shown(value: Any) -> Any:
    if isinstance(value, str) and ISO_DATE.match(value):
        return date_format(date.fromisoformat(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return points_format(value)
    return value


def render_message(source: str, params: dict[str, Any] | None) -> str:
    """The message in the active language with its parameters filled in: an amount followed
    by its currency becomes one amount in the reader's format ("119,00 €"), whole numbers are
    grouped ("1.280"), ISO dates are short dates ("02.12.2027")."""
    text = gettext(source) if source else ""
    if not params:
        return text
    shown = {key: _shown(value) for key, value in params.items()}
    currency = params.get("currency")

    def amount(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        if not isinstance(currency, str) or not isinstance(value, str) or not DECIMAL.match(value):
            return match.group(0)
        shown[match.group(1)] = money_format(value, currency)
        return f"%({match.group(1)})s"

    text = AMOUNT_WITH_CURRENCY.sub(amount, text)
    try:
        return one_period(text % shown)
    except (KeyError, ValueError, TypeError):
        return text
