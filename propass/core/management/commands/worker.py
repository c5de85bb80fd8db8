from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.crypto import get_random_string

from propass.core.tasks import Heartbeat, tasks_recover_lost, worker_register, worker_unregister


class Command(BaseCommand):
    help = "The background task worker for the configured TASKS_BACKEND (database or rq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run what is queued, then stop")

    def handle(self, *args: object, **options: object) -> None:
        backend = settings.TASKS_BACKEND
        if backend == "database":
            # A heartbeat tells this worker's tasks from a dead worker's; tasks of dead workers
            # (this machine's included, after kill -9) are handed out again before we start.
            worker_id = get_random_string(32)
            worker_register(worker_id=worker_id)
            tasks_recover_lost()
            heartbeat = Heartbeat(worker_id=worker_id)
            heartbeat.start()
            extra = ["--batch"] if options["batch"] else []
            try:
                call_command(
                    "db_worker", "--interval", "1", "--no-startup-delay", "--worker-id", worker_id,
                    "--queue-name", ",".join(settings.TASK_QUEUES), *extra,
                )  # fmt: skip
            finally:
                heartbeat.stop()
                worker_unregister(worker_id=worker_id)
        elif backend == "rq":
            # RQ's worker hands out the jobs of dead workers itself (RetryingQueue, core/tasks.py).
            extra = ["--burst"] if options["batch"] else []
            # Queues in order: RQ takes a "background" job only when "default" is empty.
            call_command("rqworker", *settings.TASK_QUEUES, "--job-class", "django_tasks_rq.Job", *extra)
        else:
            raise CommandError(f"TASKS_BACKEND={backend} runs tasks in the web process; there is no worker to start")
