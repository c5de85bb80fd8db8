from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from propass.core.scheduling import scheduled_run_due


class Command(BaseCommand):
    help = "Runs every periodic job that is due, once. Safe to run twice; --at runs them as of another moment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="ISO 8601 date and time, e.g. 2026-12-01T06:00 (default: now)")

    def handle(self, *args: object, **options: object) -> None:
        at = _parse_at(options.get("at"))  # type: ignore[arg-type]
        for job, outcome in scheduled_run_due(at=at):
            self.stdout.write(f"{job}: {outcome}")


def _parse_at(raw: str | None) -> datetime:
    if not raw:
        return timezone.now()
    at = parse_datetime(raw)
    if at is None:
        raise CommandError(f"--at {raw!r} is not an ISO 8601 date and time")
    return at if timezone.is_aware(at) else timezone.make_aware(at)
