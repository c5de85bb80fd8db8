"""Periodic jobs: each app declares its own in jobs.py with @periodic.

`scheduled_run_due(at=...)` runs every job whose current slot has not run yet. A slot is the
job's interval counted from the epoch, and (job, slot) is unique in the database, so two
schedulers, or the same command run twice, never run one slot twice. Jobs work "as of `at`"
and pick up everything due by then, so a missed slot is caught up by the next one.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from propass.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[..., object]

    def slot(self, at: datetime) -> int:
        return int(at.timestamp() // self.every.total_seconds())


registry: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[Callable[..., object]], Callable[..., object]]:
    def register(func: Callable[..., object]) -> Callable[..., object]:
        registry[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def scheduled_run_due(*, at: datetime | None = None) -> list[tuple[str, str]]:
    """Run each registered job once for the slot `at` falls in. Returns (job, outcome) pairs."""
    at = at or timezone.now()
    outcomes = []
    for job in sorted(registry.values(), key=lambda j: j.name):
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=job.slot(at))
        except IntegrityError:
            outcomes.append((job.name, "already ran"))
            continue
        try:
            job.func(at=at)
        except Exception:
            logger.exception("periodic job %s failed", job.name)
            run.error = traceback.format_exc()[-4000:]
            outcomes.append((job.name, "failed"))
        else:
            outcomes.append((job.name, "ran"))
        # An update, not save(): a job may have pruned old runs, this one included.
        ScheduledRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), error=run.error)
    return outcomes
