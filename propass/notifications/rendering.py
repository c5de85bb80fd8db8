"""Messages stored in their English source form with parameters, shown in the reader's
language: the text is looked up in the catalog when it is displayed, dates are written the
reader's way."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return value


def render_message(source: str, params: dict[str, Any] | None) -> str:
    """The message in the active language with its parameters filled in."""
    text = gettext(source) if source else ""
    if not params:
        return text
    try:
        return text % {key: _shown(value) for key, value in params.items()}
    except (KeyError, ValueError, TypeError):
        return text
