"""Background work runs on the database worker (embedded default) and on RQ with Redis."""

import os
import uuid

import pytest
from django.core import mail
from django.core.management import call_command

from propass.notifications.enums import OutboxStatus
from propass.notifications.models import OutboxMessage
from propass.notifications.services import email_send, outbox_deliver_task

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_queued_mail(settings, member):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    settings.TASKS_BACKEND = "database"
    message = email_send(to=member.email, template="test_message", context={"user": member})
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.QUEUED
    call_command("worker", "--batch")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_mail_and_pdfs_wait_behind_money_work_on_the_database_worker(settings, member):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    settings.TASKS_BACKEND = "database"
    from django_tasks_db.models import DBTaskResult

    from propass.billing.invoicing import invoice_issue_task

    email_send(to=member.email, template="test_message", context={"user": member})  # queued first
    invoice_issue_task.enqueue(999_999)  # then money work
    queued = list(DBTaskResult.objects.ready().values_list("task_path", "queue_name"))
    assert queued == [
        ("propass.billing.invoicing.invoice_issue_task", "default"),
        ("propass.notifications.services.outbox_deliver_task", "background"),
    ]


def test_the_rq_backend_runs_tasks_through_redis(settings, member):
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    # A queue of its own, so that parallel test workers (and other runs) sharing this Redis
    # neither see nor empty each other's jobs.
    name = f"test-{uuid.uuid4().hex}"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django_rq", "django_tasks_rq"]
    message = OutboxMessage.objects.create(
        template="test_message", language="en", sender="a@b.test", to=member.email, subject="s", body_text="t"
    )
    queue = django_rq.get_queue(name, job_class=Job)
    try:
        outbox_deliver_task.using(backend="default", queue_name=name).enqueue(message.pk)
        assert queue.count == 1
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    finally:
        for registry in (queue.finished_job_registry, queue.failed_job_registry):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        queue.delete(delete_jobs=True)
        _forget_admin_models_of("django_rq")
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT


def _forget_admin_models_of(app_label):
    """Installing django_rq for one test registers its models in the admin site, which
    outlives the test's settings; take them out again so the admin index does not look for
    an app that is no longer installed."""
    from django.contrib import admin

    for model in [model for model in admin.site._registry if model._meta.app_label == app_label]:
        admin.site.unregister(model)
