"""Figures that take long to compute over the whole program (reports, finance totals) and may
be a few minutes old: computed once, shared by every web process through the cache, and shown
with the time they were computed ("as of"), with a way to ask for them afresh.

`FIGURES_MAX_AGE` (seconds, default 300; 0 computes on every request) sets how old they may be.
When they are older, the first request to see it recomputes them while the others still get
the last figures, so a busy page never sends every web process into the same long query at once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

REFRESH_LOCK_SECONDS = 120  # a process that died while recomputing holds the others back no longer


@dataclass(frozen=True)
class Figures[T]:
    value: T
    as_of: datetime
    max_age: int  # seconds; 0: computed for this request


def figures_cached[T](key: str, compute: Callable[[], T], *, fresh: bool = False) -> Figures[T]:
    """The figures stored under `key` when they are recent enough, else `compute()`'s, stored.
    `fresh`: compute them now whatever is stored (the page's "refresh" link)."""
    max_age = settings.FIGURES_MAX_AGE
    key = f"figures:{key}"
    if max_age <= 0:
        return Figures(compute(), timezone.now(), 0)
    stored: Figures[T] | None = None if fresh else cache.get(key)
    if stored is not None:
        if (timezone.now() - stored.as_of).total_seconds() < max_age:
            return stored
        if not cache.add(f"{key}:refreshing", True, timeout=REFRESH_LOCK_SECONDS):
            return stored  # another request is computing them: the last ones meanwhile
    try:
        figures = Figures(compute(), timezone.now(), max_age)
        cache.set(key, figures, timeout=max_age * 12)
    finally:
        cache.delete(f"{key}:refreshing")
    return figures
