"""A model's serial number pattern (a regular expression) told in words, with an example, for
the member whose serial number does not match: "12 digits, for example 123456789012"."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# One piece of a simple pattern: a character class or a literal, then an optional {n} or {n,m}.
_PIECE = re.compile(r"(\[[^\]]+\]|\\d|\\?[A-Za-z0-9\-/ ])(?:\{(\d+)(?:,(\d+))?\})?")
_DIGITS = ("[0-9]", "\\d")
_CAPITALS = ("[A-Z]",)
_ALPHANUMERIC = ("[A-Z0-9]", "[0-9A-Z]")


def _words(kind: str, low: int, high: int) -> str:
    if kind == "digits":
        if low != high:
            return _("%(low)d to %(high)d digits") % {"low": low, "high": high}
        return ngettext("%(count)d digit", "%(count)d digits", low) % {"count": low}
    if kind == "capitals":
        if low != high:
            return _("%(low)d to %(high)d capital letters") % {"low": low, "high": high}
        return ngettext("%(count)d capital letter", "%(count)d capital letters", low) % {"count": low}
    if low != high:
        return _("%(low)d to %(high)d letters or digits") % {"low": low, "high": high}
    return ngettext("%(count)d letter or digit", "%(count)d letters or digits", low) % {"count": low}


def serial_format(pattern: str) -> tuple[str, str] | None:
    """(words, example) for a pattern made of digits, capital letters and fixed characters,
    e.g. ("3 capital letters then 5 digits", "ABC12345"); None for any other pattern."""
    position, parts, example = 0, [], ""
    while position < len(pattern):
        match = _PIECE.match(pattern, position)
        if match is None:
            return None
        token, low_text, high_text = match.groups()
        low = int(low_text or 1)
        high = int(high_text or low)
        if token in _DIGITS:
            parts.append(_words("digits", low, high))
            example += ("1234567890" * (low // 10 + 1))[:low]
        elif token in _CAPITALS:
            parts.append(_words("capitals", low, high))
            example += ("ABCDEFGHIJ" * (low // 10 + 1))[:low]
        elif token in _ALPHANUMERIC:
            parts.append(_words("alphanumeric", low, high))
            example += ("A1B2C3D4E5" * (low // 10 + 1))[:low]
        elif not token.startswith("[") and low == high:
            literal = token.removeprefix("\\") * low
            parts.append(_("“%(text)s”") % {"text": literal})
            example += literal
        else:
            return None
        position = match.end()
    if not parts:
        return None
    return _(" then ").join(parts), example
