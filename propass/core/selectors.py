from django.utils import timezone
from django.utils.translation import get_language

from propass.core.errors import NotInstalled
from propass.core.models import LegalText, LegalTextKind, Program


def program_current() -> Program:
    """The program this installation runs: the first one, installed by `propass setup` and
    then edited as data."""
    program = Program.objects.order_by("pk").first()
    if program is None:
        raise NotInstalled()
    return program


def legal_text_current(*, kind: LegalTextKind, language: str | None = None) -> LegalText | None:
    """The version of a legal text in force now, in the reader's language when it exists
    (English otherwise). Every language of one version shares its version label."""
    texts = LegalText.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-published_at", "pk")
    latest = texts.first()
    if latest is None:
        return None
    language = (language or get_language() or "en")[:2]
    same_version = texts.filter(version=latest.version)
    return same_version.filter(language=language).first() or same_version.filter(language="en").first() or latest
