"""Countries listed by their name in the reader's language, in the order a reader expects
("Österreich" between "Norwegen" and "Polen", not after "Zypern")."""

import unicodedata
from collections.abc import Iterable

from django_countries import countries


def collation_key(name: str) -> str:
    """Accents and case do not decide the order: "Österreich" sorts as "osterreich"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def country_choices(codes: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(code, localized name) pairs of `codes` (every country when None), sorted by name in
    the active language."""
    names = dict(countries)
    pairs = [(code, str(names.get(code, code))) for code in (names if codes is None else codes)]
    return sorted(pairs, key=lambda pair: (collation_key(pair[1]), pair[1]))
