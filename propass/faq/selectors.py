import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import get_language

from propass.faq.models import FaqCategory, FaqEntry

FALLBACK_LANGUAGE = "en"


def faq_language(language: str | None = None) -> str:
    """The reader's language as one of the project's codes (English when unknown)."""
    code = (language or get_language() or FALLBACK_LANGUAGE)[:2].lower()
    return code if code in dict(settings.LANGUAGES) else FALLBACK_LANGUAGE


def _folded(text: str) -> str:
    """Lower case without accents, so that "perche" finds "perché" and "UBERWEISUNG" "Überweisung"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def faq_entries(*, language: str, q: str = "") -> list[FaqEntry]:
    """The published questions in the reader's language, each key in English where the
    language has no published version; with `q`, only those whose question or answer holds
    every word of it (case and accents ignored). One query, the same on every database."""
    language = faq_language(language)
    rows = (
        FaqEntry.objects.filter(published=True, language__in={language, FALLBACK_LANGUAGE})
        .select_related("category")
        .order_by("category__position", "category__slug", "position", "key")
    )
    chosen: dict[str, FaqEntry] = {}
    for entry in rows:
        if entry.key not in chosen or entry.language == language:
            chosen[entry.key] = entry
    entries = sorted(chosen.values(), key=lambda e: (e.category.position, e.category.slug, e.position, e.key))
    words = _folded(q).split()
    if words:
        entries = [e for e in entries if all(word in _folded(f"{e.question}\n{e.answer}") for word in words)]
    return entries


@dataclass
class FaqSection:
    category: FaqCategory
    entries: list[FaqEntry] = field(default_factory=list)


def faq_sections(entries: list[FaqEntry]) -> list[FaqSection]:
    """The entries grouped by category, in the order they come."""
    sections: dict[int, FaqSection] = {}
    for entry in entries:
        sections.setdefault(entry.category_id, FaqSection(category=entry.category)).entries.append(entry)
    return list(sections.values())


@dataclass
class FaqKeyRow:
    """A question in the back office: its versions per language, and which languages lack one."""

    key: str
    category: FaqCategory
    position: int
    versions: dict[str, FaqEntry]

    @property
    def title(self) -> str:
        entry = self.versions.get(FALLBACK_LANGUAGE) or next(iter(self.versions.values()))
        return entry.question

    @property
    def languages(self) -> list[tuple[str, FaqEntry | None]]:
        return [(code, self.versions.get(code)) for code, _name in settings.LANGUAGES]

    @property
    def missing(self) -> list[str]:
        return [code for code, _name in settings.LANGUAGES if code not in self.versions]


def faq_keys() -> list[FaqKeyRow]:
    """Every question of the FAQ (published or not) with its languages, for the back office."""
    rows: dict[str, FaqKeyRow] = {}
    entries = FaqEntry.objects.select_related("category").order_by(
        "category__position", "category__slug", "position", "key", "language"
    )
    for entry in entries:
        row = rows.setdefault(
            entry.key, FaqKeyRow(key=entry.key, category=entry.category, position=entry.position, versions={})
        )
        row.versions[entry.language] = entry
    return list(rows.values())
