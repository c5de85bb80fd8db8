from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The background task worker for the configured TASKS_BACKEND (database or rq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, *args: object, **options: object) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "database":
            extra = ["--batch"] if options["batch"] else []
            call_command("db_worker", "--interval", "1", "--no-startup-delay", *extra)
        elif backend == "rq":
            extra = ["--burst"] if options["batch"] else []
            call_command("rqworker", "default", "--job-class", "django_tasks_rq.Job", *extra)
        else:
            raise CommandError(f"TASKS_BACKEND={backend} runs tasks in the web process; there is no worker to start")
