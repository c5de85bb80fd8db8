import os
import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def children_plan(*, port: int, bind: str, web_workers: int) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The processes to start and their environment. They get the port as PORT, so that e-mail
    links (SITE_URL, unless set) point at the address being served."""
    propass = [sys.executable, "-m", "propass.manage"]
    commands = {
        "web": [
            sys.executable, "-m", "gunicorn", "propass.wsgi", "--bind", bind,
            "--workers", str(web_workers), "--access-logfile", "-",
        ],
        "scheduler": [*propass, "scheduler"],
    }  # fmt: skip
    if settings.TASKS_BACKEND in {"database", "rq"}:
        commands["worker"] = [*propass, "worker"]
    return commands, {**os.environ, "PORT": str(port)}


class Command(BaseCommand):
    help = "Starts web (gunicorn), task worker and scheduler together; Ctrl-C stops all three."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))

    def handle(self, *args: object, **options: object) -> None:
        bind = f"{options['host']}:{options['port']}"
        commands, env = children_plan(
            port=int(str(options["port"])), bind=bind, web_workers=int(str(options["web_workers"]))
        )
        children = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"ProPass is running at http://{bind}/ (Ctrl-C stops it)"))

        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with {child.returncode}; stopping the others")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("ProPass stopped.")
        if exit_code:
            sys.exit(exit_code)
