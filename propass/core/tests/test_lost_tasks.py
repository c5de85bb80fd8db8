"""No task is lost: a task whose worker died (kill -9) runs again, on the database worker and on
RQ, and one that keeps killing its worker ends failed after TASK_MAX_ATTEMPTS, never RUNNING."""

import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import django_rq
import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job
from rq import SimpleWorker
from rq.registry import StartedJobRegistry

from propass.core.tests.test_task_backends import REDIS_URL, _forget_admin_models_of
from propass.notifications.enums import OutboxStatus
from propass.notifications.models import OutboxMessage
from propass.notifications.services import outbox_deliver_task
from propass.testing.tasks import blocking_task

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND
    settings.TASKS_BACKEND = "database"


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker_process() -> subprocess.Popen:
    """`propass worker` in a process of its own, on the test database."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env = {
        **clean,
        "LOCAL_ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": "database",
        "REDIS_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "propass.manage", "worker"],
        env=env,
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _claim_and_die(*, worker_id: str, started_ago: timedelta) -> DBTaskResult:
    """What a worker does before it runs a task (claim the next ready one), after which it dies."""
    with transaction.atomic():
        result = DBTaskResult.objects.ready().get_locked()
        assert result is not None
        result.claim(worker_id)
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=timezone.now() - started_ago)
    return result


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_with_its_worker_runs_again_when_a_worker_starts(database_tasks, tmp_path):
    blocking_task.enqueue(str(tmp_path))
    worker = _worker_process()
    try:
        _wait_for(lambda: (tmp_path / "runs.txt").exists(), "the worker to start the task")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    result = DBTaskResult.objects.get()
    assert result.status == "RUNNING"

    (tmp_path / "go").touch()
    call_command("worker", "--batch")

    result.refresh_from_db()
    assert result.status == "SUCCESSFUL"
    assert len(result.worker_ids) == 2
    assert Path(tmp_path / "runs.txt").read_text().split() == ["started", "started", "finished"]


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_whose_worker_died_is_sent_once_after_the_recovery_job(database_tasks, client, member):
    client.post(reverse("accounts:password_reset"), {"email": member.email})
    _claim_and_die(worker_id="worker-that-died", started_ago=timedelta(minutes=30))

    call_command("run-scheduled")
    assert DBTaskResult.objects.get().status == "READY"
    call_command("worker", "--batch")

    result = DBTaskResult.objects.get(task_path__endswith="password_reset_send_task")
    assert (result.status, len(result.worker_ids)) == ("SUCCESSFUL", 2)
    assert [message.to for message in mail.outbox] == [[member.email]]


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_run_again_after_its_worker_died_sends_no_second_link(database_tasks, client, member):
    """The worker died after the task's work was committed, before the task was marked done."""
    client.post(reverse("accounts:password_reset"), {"email": member.email})
    call_command("worker", "--batch")
    assert len(mail.outbox) == 1
    reset = DBTaskResult.objects.get(task_path__endswith="password_reset_send_task")
    DBTaskResult.objects.filter(pk=reset.pk).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=30), finished_at=None
    )

    call_command("run-scheduled")
    call_command("worker", "--batch")

    reset.refresh_from_db()
    assert (reset.status, len(reset.worker_ids)) == ("SUCCESSFUL", 2)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_that_keeps_killing_its_worker_ends_failed_and_is_logged(database_tasks, settings, tmp_path, caplog):
    settings.TASK_MAX_ATTEMPTS = 2
    blocking_task.enqueue(str(tmp_path))
    _claim_and_die(worker_id="first", started_ago=timedelta(hours=2))
    call_command("run-scheduled", "--at", (timezone.now() - timedelta(hours=1)).isoformat())
    assert DBTaskResult.objects.get().status == "READY"
    _claim_and_die(worker_id="second", started_ago=timedelta(minutes=30))

    with caplog.at_level(logging.ERROR):
        call_command("run-scheduled")

    result = DBTaskResult.objects.get()
    assert result.status == "FAILED"
    assert result.finished_at is not None
    assert "worker" in result.traceback
    assert any(str(result.pk) in record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR)
    call_command("worker", "--batch")
    assert not (tmp_path / "runs.txt").exists()


def test_an_rq_job_whose_worker_died_runs_again_after_the_recovery_job(settings, member):
    # A queue of its own, as in test_task_backends (the queue class comes from settings.RQ).
    name = f"test-{uuid.uuid4().hex}"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    settings.TASKS_BACKEND = "rq"
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    message = OutboxMessage.objects.create(
        template="test_message", language="en", sender="a@b.test", to=member.email, subject="s", body_text="t"
    )
    queue = django_rq.get_queue(name, job_class=Job)
    try:
        outbox_deliver_task.using(queue_name=name).enqueue(message.pk)
        # A worker takes the job and dies: the job stays in the started registry, whose entry
        # expires when the worker's heartbeat stops.
        dead = SimpleWorker([queue], connection=queue.connection, job_class=Job)
        job, _ = dead.dequeue_job_and_maintain_ttl(timeout=1)
        execution = dead.prepare_execution(job)
        dead.prepare_job_execution(job)
        started = StartedJobRegistry(queue=queue)
        assert job.id in started.get_job_ids(cleanup=False)
        queue.connection.zadd(started.key, {execution.composite_key: 1})

        call_command("run-scheduled")
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        for registry in (queue.finished_job_registry, queue.failed_job_registry, queue.started_job_registry):
            for job_id in registry.get_job_ids(cleanup=False):
                registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)
        _forget_admin_models_of("django_rq")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
