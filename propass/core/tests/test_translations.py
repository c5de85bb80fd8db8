"""Every string marked for translation in templates and code has an Italian, Spanish and
German translation. Fails with the list of what is missing."""

import io
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

SOURCE = Path(settings.BASE_DIR) / "propass"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
REQUIRED = ["it", "es", "de"]


def _extract(code: str) -> set[tuple[str | None, str]]:
    found = set()
    for _lineno, funcname, messages, _comments in extract_python(io.BytesIO(code.encode()), list(KEYWORDS), [], {}):
        if isinstance(messages, str):
            messages = (messages,)
        context = messages[0] if funcname.startswith(("pgettext", "npgettext")) else None
        texts = messages[1:] if context else messages
        if texts and texts[0]:
            found.add((context, texts[0]))
    return found


def marked_strings() -> set[tuple[str | None, str]]:
    strings: set[tuple[str | None, str]] = set()
    for path in SOURCE.rglob("*"):
        if "tests" in path.parts or "migrations" in path.parts or not path.is_file():
            continue
        if path.suffix == ".py":
            strings |= _extract(path.read_text())
        elif path.suffix in {".html", ".txt"} and "templates" in path.parts:
            # templatize() keeps the template's indentation, which is not valid Python.
            code = "\n".join(line.strip() for line in templatize(path.read_text(), origin=str(path)).splitlines())
            strings |= _extract(code)
    return strings


@pytest.mark.parametrize("language", REQUIRED)
def test_every_marked_string_is_translated(language):
    po_path = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file)
    translated = {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id
        and not message.fuzzy
        and all(message.string if isinstance(message.string, tuple) else (message.string,))
    }
    strings = marked_strings()
    assert len(strings) > 50, "the extractor found too few strings to be looking in the right place"
    missing = sorted(text for context, text in strings - translated)
    assert missing == [], f"{len(missing)} strings lack a {language} translation: {missing[:20]}"
