from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from propass.core.idempotency import LIFETIME, idempotency_purge
from propass.core.models import ScheduledRun
from propass.core.scheduling import periodic
from propass.core.tasks import in_background, tasks_recover_lost
from propass.core.vies import vies_checks_due, vies_checks_task


@periodic("purge-expired-sessions", every=timedelta(hours=6))
def purge_expired_sessions(*, at: datetime) -> None:
    Session.objects.filter(expire_date__lt=at).delete()


@periodic("prune-history", every=timedelta(days=1))
def prune_history(*, at: datetime) -> None:
    """Scheduler bookkeeping and finished task results older than 30 days are removed."""
    # Never later than now: running the jobs "as of" a future moment must not erase today's runs.
    ScheduledRun.objects.filter(started_at__lt=min(at, timezone.now()) - timedelta(days=30)).delete()
    if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
        call_command("prune_db_task_results", min_age_days=30, verbosity=0)


@periodic("recover-lost-tasks", every=timedelta(minutes=5))
def recover_lost_tasks(*, at: datetime) -> None:
    """Tasks whose worker died are handed out again (core/tasks.py)."""
    tasks_recover_lost(at=at)


@periodic("purge-idempotency-keys", every=timedelta(hours=1))
def purge_idempotency_keys(*, at: datetime) -> None:
    """Idempotency keys and their stored answers are kept 24 hours (core/idempotency.py)."""
    # Never later than now: a run "as of" a future moment must not forget keys still in use.
    idempotency_purge(before=min(at, timezone.now()) - LIFETIME)


@periodic("vies-checks", every=timedelta(minutes=15))
def vies_checks(*, at: datetime) -> None:
    """VIES checks still without an answer are asked again when their next attempt is due
    (core/vies.py: 15 minutes, 1 hour, 4 hours, then every 12 hours)."""
    if not settings.VIES_ENABLED:
        return
    due = vies_checks_due(at=at)
    if due:
        in_background(vies_checks_task).enqueue(due, at.isoformat())
