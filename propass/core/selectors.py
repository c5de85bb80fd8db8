from django.utils import timezone

from propass.core.errors import ServiceUnavailable
from propass.core.models import LegalText, LegalTextKind, Program


def program_current() -> Program:
    """The program this installation runs (the first one; seed-demo creates it)."""
    program = Program.objects.order_by("pk").first()
    if program is None:
        raise ServiceUnavailable("No program is configured yet: run `propass seed-demo` or add one in the back office.")
    return program


def legal_text_current(*, kind: LegalTextKind) -> LegalText | None:
    """The version of a legal text in force now."""
    return LegalText.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-published_at").first()
