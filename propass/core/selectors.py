from django.utils import timezone

from propass.core.models import LegalText, LegalTextKind, Program


def program_current() -> Program:
    """The program this installation runs: the first one, created with the seeds' values
    (Canon Professional Services) on a fresh installation, then edited as data."""
    program = Program.objects.order_by("pk").first()
    if program is None:
        from propass.core.demo import DEFAULT_PROGRAM

        program, _created = Program.objects.get_or_create(name=DEFAULT_PROGRAM["name"], defaults=DEFAULT_PROGRAM)
    return program


def legal_text_current(*, kind: LegalTextKind) -> LegalText | None:
    """The version of a legal text in force now."""
    return LegalText.objects.filter(kind=kind, published_at__lte=timezone.now()).order_by("-published_at").first()
