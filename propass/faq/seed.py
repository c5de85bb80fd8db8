"""The FAQ that ships with ProPass (data/faq_seed.toml): categories, and questions in
English, Italian, Spanish, German, French and Dutch."""

import tomllib
from pathlib import Path
from typing import Any

from propass.faq.models import FaqCategory, FaqEntry

SEED_FILE = Path(__file__).resolve().parent / "data" / "faq_seed.toml"


def faq_seed_data() -> dict[str, Any]:
    with SEED_FILE.open("rb") as stream:
        return tomllib.load(stream)


def faq_seed(category_model: Any = None, entry_model: Any = None) -> int:
    """Add the shipped categories and questions that are missing; what the back office has
    edited stays as it is. Takes the models as arguments so that a migration can pass its
    historical ones. Returns how many entries were added."""
    if category_model is None or entry_model is None:
        category_model, entry_model = FaqCategory, FaqEntry
    data = faq_seed_data()
    categories = {}
    for item in data["category"]:
        categories[item["slug"]], _created = category_model.objects.get_or_create(
            slug=item["slug"], defaults={"position": item["position"], "names": item["names"]}
        )
    added = 0
    for item in data["entry"]:
        for language in ("en", "it", "es", "de", "fr", "nl"):
            text = item.get(language)
            if text is None:
                continue
            _entry, created = entry_model.objects.get_or_create(
                key=item["key"],
                language=language,
                defaults={
                    "category": categories[item["category"]],
                    "position": item["position"],
                    "question": text["question"].strip(),
                    "answer": text["answer"].strip(),
                    "published": True,
                },
            )
            added += created
    return added
