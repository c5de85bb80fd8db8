"""The FAQ that ships: enough real questions in the seeds' languages, and the anchors other
pages link to."""

import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from propass.faq.models import FaqCategory, FaqEntry
from propass.faq.seed import faq_seed

pytestmark = pytest.mark.django_db

SEED_LANGUAGES = ("en", "it", "es", "de", "fr", "nl")
LINKED_KEYS = ("missing-green-check", "no-migrate-button", "payment-options")
TEMPLATES = Path(__file__).resolve().parents[2]


def _languages_by_key() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for key, language in FaqEntry.objects.filter(published=True).values_list("key", "language"):
        found[key].add(language)
    return found


def test_the_seed_has_at_least_fifteen_questions_in_each_seed_language():
    by_key = _languages_by_key()
    for language in SEED_LANGUAGES:
        keys = [key for key, languages in by_key.items() if language in languages]
        assert len(keys) >= 15, language
    assert all(set(SEED_LANGUAGES) <= languages for languages in by_key.values())


def test_the_seed_has_the_six_categories_named_in_every_language():
    slugs = set(FaqCategory.objects.values_list("slug", flat=True))
    assert {"account", "products", "migration", "memberships", "invoices", "support"} <= slugs
    for category in FaqCategory.objects.all():
        assert {"en", "it", "es", "de", "fr", "nl"} <= set(category.names), category.slug
        assert category.entries.exists()


def test_answers_are_full_answers_in_plain_text():
    for entry in FaqEntry.objects.all():
        assert len(entry.answer) > 150, entry
        assert "?" in entry.question, entry
        assert "<" not in entry.answer and "\\n" not in entry.answer, entry


def test_the_anchors_other_pages_link_to_exist_in_every_seed_language():
    by_key = _languages_by_key()
    linked = set()
    for template in TEMPLATES.rglob("*.html"):
        linked |= set(re.findall(r"\{% url 'faq:index' %\}#([a-z0-9-]+)", template.read_text()))
    assert set(LINKED_KEYS) <= linked
    for key in linked:
        assert set(SEED_LANGUAGES) <= by_key[key], key


def test_seeding_again_adds_nothing_and_keeps_edits():
    entry = FaqEntry.objects.get(key="payment-options", language="it")
    entry.question = "Edited in the back office?"
    entry.save()
    assert faq_seed() == 0
    entry.refresh_from_db()
    assert entry.question == "Edited in the back office?"


def test_the_seed_uses_the_seeds_own_words_for_buttons_and_tabs():
    def answer(key, language):
        return FaqEntry.objects.get(key=key, language=language).answer

    assert "ESEGUI LA MIGRAZIONE DEI PRODOTTI" in answer("no-migrate-button", "it")
    assert "MIGRAR PRODUCTOS" in answer("no-migrate-button", "es")
    assert "PRODUKTE MIGRIEREN" in answer("no-migrate-button", "de")
    assert "MIGRER LES PRODUITS" in answer("no-migrate-button", "fr")
    assert "PRODUCTEN MIGREREN" in answer("no-migrate-button", "nl")
    assert "Visualizza prodotto" in answer("missing-green-check", "it")
    assert "Ver producto" in answer("missing-green-check", "es")
    assert "Produkt ansehen" in answer("missing-green-check", "de")
    assert "Voir le produit" in answer("missing-green-check", "fr")
    assert "Product bekijken" in answer("missing-green-check", "nl")
    for language in SEED_LANGUAGES:
        with translation.override(language):  # the interface's own words for the payment step
            assert gettext("Please select payment option") in answer("payment-options", language)
        assert "1, 3" in answer("payment-failed", language) and "7" in answer("payment-failed", language)
        assert "14" in answer("payment-failed", language)
        assert "2" in answer("validation-time", language)
