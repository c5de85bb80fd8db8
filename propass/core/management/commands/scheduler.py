import signal
import threading
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from propass.core.scheduling import scheduled_run_due


class Command(BaseCommand):
    help = "Runs the periodic jobs in a loop (every SCHEDULER_INTERVAL_SECONDS). Several may run at once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=int, default=settings.SCHEDULER_INTERVAL_SECONDS)

    def handle(self, *args: object, **options: object) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        interval = int(options["interval"])  # type: ignore[call-overload]
        self.stdout.write(f"scheduler: running due jobs every {interval}s")
        while not stop.is_set():
            close_old_connections()
            for job, outcome in scheduled_run_due():
                if outcome != "already ran":
                    self.stdout.write(f"scheduler: {job}: {outcome}")
            stop.wait(interval)
        self.stdout.write("scheduler: stopped")
