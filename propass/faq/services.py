import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import User
from propass.core.enums import AuditAction
from propass.core.errors import InvalidInput, NotFound
from propass.core.services import audit_record
from propass.faq.models import FaqCategory, FaqEntry

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUESTION_MAX = FaqEntry._meta.get_field("question").max_length or 300


@dataclass
class FaqEntryInput:
    category_id: int
    key: str
    language: str
    question: str
    answer: str
    position: int = 0
    published: bool = True


@dataclass
class FaqCategoryInput:
    slug: str
    position: int = 0
    names: dict[str, str] = field(default_factory=dict)


def _entry_errors(data: FaqEntryInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not SLUG.match(data.key):
        errors["key"] = [str(_("Use lower-case letters, digits and hyphens, e.g. missing-green-check."))]
    if data.language not in dict(settings.LANGUAGES):
        errors["language"] = [str(_("Choose one of the program's languages."))]
    if not data.question:
        errors["question"] = [str(_("Write the question."))]
    elif len(data.question) > QUESTION_MAX:
        errors["question"] = [str(_("Keep the question under %(max)s characters.") % {"max": QUESTION_MAX})]
    if not data.answer:
        errors["answer"] = [str(_("Write the answer."))]
    if data.position < 0:
        errors["position"] = [str(_("The order cannot be negative."))]
    return errors


def faq_entry_save(*, actor: User, data: FaqEntryInput, entry_id: int | None = None) -> FaqEntry:
    """Create or change one language of a question. A key has one version per language, and
    all its languages share one category: moving one version moves the others with it."""
    data.key = data.key.strip().lower()
    data.question = data.question.strip()
    data.answer = data.answer.strip().replace("\r\n", "\n")
    errors = _entry_errors(data)
    if errors:
        raise InvalidInput(fields=errors)
    category = FaqCategory.objects.filter(pk=data.category_id).first()
    if category is None:
        raise InvalidInput(fields={"category": [str(_("Choose a category."))]})
    taken = FaqEntry.objects.filter(key=data.key, language=data.language).exclude(pk=entry_id or 0)
    if taken.exists():
        raise InvalidInput(fields={"language": [str(_("This question already has a version in this language."))]})
    try:
        with transaction.atomic():
            if entry_id is None:
                entry = FaqEntry()
            else:
                entry = FaqEntry.objects.select_for_update().filter(pk=entry_id).first()  # type: ignore[assignment]
                if entry is None:
                    raise NotFound(_("This FAQ entry does not exist."))
            before = {name: getattr(entry, name) for name in ("key", "language", "question", "answer")}
            before.update(category_id=entry.category_id, position=entry.position, published=entry.published)
            entry.category = category
            entry.key = data.key
            entry.language = data.language
            entry.question = data.question
            entry.answer = data.answer
            entry.position = data.position
            entry.published = data.published
            entry.save()
            moved = FaqEntry.objects.filter(key=entry.key).exclude(category=category).update(category=category)
            after = asdict(data)
            changed = sorted(name for name, value in before.items() if entry_id is not None and after[name] != value)
            audit_record(
                actor=actor,
                action=AuditAction.FAQ_SAVE,
                target=entry,
                data={
                    "created": entry_id is None,
                    "key": entry.key,
                    "language": entry.language,
                    "changed": changed,
                    "published": entry.published,
                    "moved_languages": moved,
                },
            )
    except IntegrityError:
        raise InvalidInput(
            fields={"language": [str(_("This question already has a version in this language."))]}
        ) from None
    return entry


def faq_category_save(*, actor: User, data: FaqCategoryInput, category_id: int | None = None) -> FaqCategory:
    """Create or rename a FAQ category; it needs a unique slug and at least its English name."""
    slug = data.slug.strip().lower()
    names = {code: (data.names.get(code) or "").strip() for code, _name in settings.LANGUAGES}
    names = {code: name for code, name in names.items() if name}
    errors: dict[str, list[str]] = {}
    if not SLUG.match(slug):
        errors["slug"] = [str(_("Use lower-case letters, digits and hyphens, e.g. missing-green-check."))]
    elif FaqCategory.objects.filter(slug=slug).exclude(pk=category_id or 0).exists():
        errors["slug"] = [str(_("Another category has this slug."))]
    if not names.get("en"):
        errors["name_en"] = [str(_("Give the category at least its English name."))]
    if data.position < 0:
        errors["position"] = [str(_("The order cannot be negative."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if category_id is None:
            category = FaqCategory()
        else:
            category = FaqCategory.objects.select_for_update().filter(pk=category_id).first()  # type: ignore[assignment]
            if category is None:
                raise NotFound(_("This FAQ category does not exist."))
        created = category_id is None
        category.slug = slug
        category.position = data.position
        category.names = names
        category.save()
        audit_record(
            actor=actor,
            action=AuditAction.FAQ_CATEGORY_SAVE,
            target=category,
            data={"created": created, "slug": slug, "names": names},
        )
    return category
