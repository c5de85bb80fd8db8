"""No lost task: a task whose worker dies mid-run (kill -9, a lost machine) is run again.

Database backend (django-tasks-db): its worker claims a task (READY -> RUNNING, the worker's id
appended to `worker_ids`) and nothing ever moves a task whose worker died. `propass worker`
therefore registers itself in TaskWorker and beats every HEARTBEAT; `tasks_recover_lost` (when a
worker starts, and every five minutes from the scheduler) hands a RUNNING task back to the
queue when its worker has not been seen for WORKER_LOST_AFTER, or when that worker ran on this
machine and its process is gone. Each claim counts as an attempt; after TASK_MAX_ATTEMPTS the
task is marked failed and logged as an error instead.

RQ (django-tasks-rq): every job is enqueued with a bounded `rq.Retry` (RetryingQueue), so RQ's
own clean-up of the started registry, which workers run when they start and every ten minutes
(and `tasks_recover_lost` too), puts a job whose worker died back in its queue; after the
retries it lands in the failed registry, logged as an error.

Every task is written to be run twice (see the README, "Background work").
"""

import logging
import os
import socket
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import django_rq
from django.conf import settings
from django.db import connection
from django.tasks import Task
from django.utils import timezone
from django_rq.queues import DjangoRQ
from django_tasks_rq import Job as RQTaskJob
from rq import Retry
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from propass.core.models import QueuedTask, TaskWorker
from propass.core.statuses import statuses_move

logger = logging.getLogger(__name__)

BACKGROUND_QUEUE = "background"
BACKGROUND_PRIORITY = -10


def in_background[T: Task](task: T) -> T:
    """`task` on the background queue, behind money work: e-mails and PDFs never hold up
    invoices and charges. RQ's worker takes its queues in order ("default" first); the database
    backend's worker serves every queue, by priority."""
    backend = task.get_backend()
    if BACKGROUND_QUEUE not in backend.queues:  # a backend configured with one queue: that one
        return task
    if backend.supports_priority:
        return task.using(queue_name=BACKGROUND_QUEUE, priority=BACKGROUND_PRIORITY)  # type: ignore[return-value]
    return task.using(queue_name=BACKGROUND_QUEUE)  # type: ignore[return-value]


HEARTBEAT = timedelta(seconds=15)
# A worker not seen for this long is taken for dead (eight missed heartbeats).
WORKER_LOST_AFTER = timedelta(minutes=2)
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.RQBackend"
_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


class WorkerLost(Exception):
    """The worker running the task stopped before the task finished."""


def worker_register(*, worker_id: str) -> None:
    """Record a starting database worker. Workers of this machine whose process is gone died
    without a word (kill -9): they are marked lost at once, so that a restart recovers their
    tasks without waiting for WORKER_LOST_AFTER."""
    hostname, pid = socket.gethostname(), os.getpid()
    for other in TaskWorker.objects.filter(hostname=hostname).exclude(worker_id=worker_id):
        if other.pid == pid or not _process_alive(other.pid):
            TaskWorker.objects.filter(pk=other.pk).update(seen_at=_LONG_AGO)
    TaskWorker.objects.update_or_create(
        worker_id=worker_id, defaults={"hostname": hostname, "pid": pid, "seen_at": timezone.now()}
    )


def worker_beat(*, worker_id: str) -> None:
    if not TaskWorker.objects.filter(worker_id=worker_id).update(seen_at=timezone.now()):
        worker_register(worker_id=worker_id)


def worker_unregister(*, worker_id: str) -> None:
    """A worker that stops cleanly has finished (or failed) its task: it leaves no trace."""
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


class Heartbeat(threading.Thread):
    """Beats for a database worker while it runs, on a connection of its own."""

    def __init__(self, *, worker_id: str) -> None:
        super().__init__(name="propass-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(HEARTBEAT.total_seconds()):
            try:
                worker_beat(worker_id=self.worker_id)
            except Exception:
                logger.exception("worker %s could not record its heartbeat", self.worker_id)
            finally:
                connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def tasks_recover_lost(*, at: datetime | None = None) -> tuple[int, int]:
    """Hand the tasks of dead workers out again; fail those that lost their worker
    TASK_MAX_ATTEMPTS times. Returns (handed out again, failed for good)."""
    now = timezone.now()
    # Never later than now: a run "as of" a future moment must not take live workers for dead.
    at = min(at or now, now)
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == DATABASE_BACKEND:
        return _database_recover(at=at, now=now)
    if backend == RQ_BACKEND:
        return _rq_recover()
    return 0, 0


def _database_recover(*, at: datetime, now: datetime) -> tuple[int, int]:
    cutoff = at - WORKER_LOST_AFTER
    seen = dict(TaskWorker.objects.values_list("worker_id", "seen_at"))
    requeued = failed = 0
    running = QueuedTask.objects.running().values_list("pk", "worker_ids", "started_at", "task_path")
    for pk, worker_ids, started_at, task_path in running:
        worker = worker_ids[-1] if worker_ids else ""
        if worker in seen:
            if seen[worker] >= cutoff:
                continue
        elif started_at is not None and started_at >= cutoff:
            continue  # claimed just now by a worker that keeps no heartbeat (a plain db_worker)
        # Conditional on the claim read above: a task claimed again meanwhile is left alone.
        claim = QueuedTask.objects.filter(pk=pk, started_at=started_at)
        if len(worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            if statuses_move(
                claim,
                ["RUNNING"],
                "FAILED",
                finished_at=now,
                return_value=None,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                traceback=f"{WorkerLost.__doc__} Its worker was lost {len(worker_ids)} times; it is not run again.",
            ):
                failed += 1
                logger.error("task %s (%s) failed for good: its worker died %s times", pk, task_path, len(worker_ids))
        elif statuses_move(claim, ["RUNNING"], "READY"):
            requeued += 1
            logger.warning("task %s (%s) handed out again: worker %s died", pk, task_path, worker or "?")
    TaskWorker.objects.filter(seen_at__lt=at - timedelta(days=1)).delete()
    return requeued, failed


def _rq_recover() -> tuple[int, int]:
    requeued = failed = 0
    names = settings.TASKS["default"].get("QUEUES") or list(settings.RQ_QUEUES)
    for name in names:
        queue = django_rq.get_queue(name, job_class=RQTaskJob)
        started = StartedJobRegistry(queue=queue)
        for job_id in started.get_expired_job_ids():
            job = queue.fetch_job(job_id)
            if job is None or job.get_status(refresh=False) != JobStatus.STARTED:
                continue
            if job.retries_left:
                requeued += 1
                logger.warning("job %s (%s) handed out again: its worker died", job.id, job.func_name)
            else:
                failed += 1
                logger.error("job %s (%s) failed for good: its worker died on every attempt", job.id, job.func_name)
        started.cleanup()
    return requeued, failed


class RetryingQueue(DjangoRQ):
    """RQ's queue for django-tasks-rq, enqueueing every job with TASK_MAX_ATTEMPTS - 1 retries:
    a job whose worker died (or that raised) runs again, at most that many times."""

    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        retries = settings.TASK_MAX_ATTEMPTS - 1
        if kwargs.get("retry") is None and retries > 0:
            kwargs["retry"] = Retry(max=retries)
        return super().create_job(*args, **kwargs)
