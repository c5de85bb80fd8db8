"""faq_entries: the reader's language, English where a question has no version in it, and a
search where every word must appear in the question or the answer."""

import pytest

from propass.faq.models import FaqCategory, FaqEntry
from propass.faq.selectors import faq_entries

pytestmark = pytest.mark.django_db

# A word that appears in the answer of a seeded question, never in its question.
ANSWER_ONLY = {
    "en": ("which-products-earn-points", "consumables"),
    "it": ("how-to-apply", "commercio"),
    "es": ("auto-renewal-cancel", "reembolso"),
    "de": ("how-to-apply", "Handelsregister"),
    "fr": ("which-products-earn-points", "consommables"),
    "nl": ("which-products-earn-points", "verbruiksartikelen"),
}


@pytest.mark.parametrize("language", ["en", "it", "es", "de", "fr", "nl"])
def test_the_search_finds_a_question_by_a_word_of_its_answer_only(language):
    key, word = ANSWER_ONLY[language]
    entry = FaqEntry.objects.get(key=key, language=language)
    assert word.casefold() in entry.answer.casefold()
    assert word.casefold() not in entry.question.casefold()
    found = faq_entries(language=language, q=word.upper())
    assert key in [e.key for e in found]
    assert all(e.language == language for e in found)


def _entry(key, answer, question="A question?", language="en"):
    category = FaqCategory.objects.get(slug="support")
    return FaqEntry.objects.create(category=category, key=key, language=language, question=question, answer=answer)


def test_every_word_must_appear_in_the_question_or_the_answer():
    _entry("zebra-only", "Zebras graze here.")
    _entry("giraffe-only", "Giraffes graze here.")
    _entry("both-in-answer", "A zebra next to a giraffe.")
    _entry("one-in-each", "The giraffe answers.", question="Where is the zebra?")
    keys = [e.key for e in faq_entries(language="en", q="  zebra   GIRAFFE ")]
    assert sorted(keys) == ["both-in-answer", "one-in-each"]
    assert faq_entries(language="en", q="zebra okapi") == []


def test_the_search_ignores_accents_and_case():
    assert "bank-transfer-reference" in {e.key for e in faq_entries(language="de", q="UBERWEISUNG")}
    assert [e.key for e in faq_entries(language="it", q="perche SPUNTA")] == ["missing-green-check"]
    spanish = faq_entries(language="es", q="VERIFICACION verde ver producto")
    assert spanish[0].key == "missing-green-check"


def test_readers_of_a_language_without_versions_get_the_english_questions():
    FaqEntry.objects.filter(language="fr").delete()
    entries = faq_entries(language="fr")
    assert len(entries) >= 15
    assert {e.language for e in entries} == {"en"}
    assert "payment-options" in [e.key for e in faq_entries(language="fr", q="bank charges")]


def test_a_question_in_the_readers_language_replaces_the_english_one():
    FaqEntry.objects.filter(language="fr").delete()
    category = FaqCategory.objects.get(slug="support")
    FaqEntry.objects.create(
        category=category, key="change-language", language="fr", question="Comment changer de langue ?",
        answer="Utilisez le menu des langues en bas de chaque page.",
    )  # fmt: skip
    entries = {e.key: e for e in faq_entries(language="fr")}
    assert entries["change-language"].language == "fr"
    assert entries["payment-options"].language == "en"
    assert len(entries) == FaqEntry.objects.filter(language="en").count()


def test_unpublished_entries_are_hidden_and_fall_back_to_english():
    FaqEntry.objects.filter(key="payment-options", language="it").update(published=False)
    entries = {e.key: e for e in faq_entries(language="it")}
    assert entries["payment-options"].language == "en"
    FaqEntry.objects.filter(key="payment-options").update(published=False)
    assert "payment-options" not in {e.key for e in faq_entries(language="it")}


def test_the_entries_come_in_category_then_question_order():
    entries = faq_entries(language="es")
    order = [(e.category.position, e.position) for e in entries]
    assert order == sorted(order)
    assert entries[0].category.slug == "account"
