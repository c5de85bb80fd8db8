"""Figures a few minutes old (core.figures): computed once, shared, recomputed when old, one
request at a time; and the pages that show them say when they were computed."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.test import override_settings

from propass.core.figures import figures_cached
from propass.core.lookups import Values
from propass.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


@override_settings(FIGURES_MAX_AGE=300)
def test_figures_are_computed_once_then_read_until_they_are_too_old(time_machine):
    calls, compute = counter()
    time_machine.move_to("2026-12-03 10:00:00+00:00", tick=False)
    first = figures_cached("test", compute)
    assert (first.value, len(calls)) == (1, 1)
    time_machine.shift(timedelta(seconds=299))
    assert figures_cached("test", compute).value == 1
    assert figures_cached("test", compute).as_of == first.as_of
    time_machine.shift(timedelta(seconds=2))
    assert figures_cached("test", compute).value == 2
    assert figures_cached("test", compute, fresh=True).value == 3


@override_settings(FIGURES_MAX_AGE=300)
def test_while_one_request_recomputes_old_figures_the_others_get_the_last_ones(time_machine):
    calls, compute = counter()
    time_machine.move_to("2026-12-03 10:00:00+00:00", tick=False)
    figures_cached("test", compute)
    time_machine.shift(timedelta(minutes=10))
    cache.add("figures:test:refreshing", True)  # another process is at it
    assert figures_cached("test", compute).value == 1
    assert len(calls) == 1
    cache.delete("figures:test:refreshing")
    assert figures_cached("test", compute).value == 2


@override_settings(FIGURES_MAX_AGE=300)
def test_a_failed_computation_leaves_no_lock_behind():
    def broken():
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        figures_cached("test", broken)
    assert cache.get("figures:test:refreshing") is None
    assert figures_cached("test", lambda: 7).value == 7


def test_without_a_max_age_figures_are_computed_on_every_call():
    _, compute = counter()
    assert [figures_cached("test", compute).value for _ in range(3)] == [1, 2, 3]
    assert figures_cached("test", compute).max_age == 0


def test_any_of_matches_the_listed_values_and_an_empty_list_matches_nothing(django_user_model):
    for n in range(5):
        AuditLog.objects.create(action="test", target_type="x", target_id=str(n))
    found = AuditLog.objects.filter(target_type="x", target_id__any=Values(["1", "3", "9"]))
    assert sorted(found.values_list("target_id", flat=True)) == ["1", "3"]
    assert not AuditLog.objects.filter(target_id__any=Values([])).exists()
    either = AuditLog.objects.filter(Q(target_id__any=Values([])) | Q(target_id="4"))
    assert list(either.values_list("target_id", flat=True)) == ["4"]
