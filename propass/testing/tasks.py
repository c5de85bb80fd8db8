"""A task for tests of the worker itself: it records each run in a folder and waits there until
the test lets it finish, so that a test can kill the worker in the middle of it."""

import time
from pathlib import Path

from django.tasks import task


@task()
def blocking_task(folder: str) -> None:
    base = Path(folder)
    with (base / "runs.txt").open("a") as runs:
        runs.write("started\n")
    deadline = time.monotonic() + 120
    while not (base / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with (base / "runs.txt").open("a") as runs:
        runs.write("finished\n")
