from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken

from propass.accounts.enums import TokenPurpose
from propass.accounts.models import SecureToken
from propass.accounts.services import api_token_issue, token_issue
from propass.core.models import ScheduledRun
from propass.core.scheduling import PeriodicJob, registry, scheduled_run_due

AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def test_each_job_runs_once_per_slot(db, capsys):
    call_command("run-scheduled", "--at", AT.isoformat())
    first = capsys.readouterr().out
    call_command("run-scheduled", "--at", AT.isoformat())
    second = capsys.readouterr().out
    assert "purge-expired-tokens: ran" in first
    assert "purge-expired-tokens: already ran" in second
    assert ScheduledRun.objects.filter(job="purge-expired-tokens").count() == 1


def test_a_later_slot_runs_again(db):
    scheduled_run_due(at=AT)
    outcomes = dict(scheduled_run_due(at=AT + timedelta(hours=1)))
    assert outcomes["purge-expired-tokens"] == "ran"


def test_a_failing_job_is_recorded_and_the_others_still_run(db, monkeypatch):
    def explode(*, at):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry, "aaa-explodes", PeriodicJob("aaa-explodes", timedelta(hours=1), explode))
    outcomes = dict(scheduled_run_due(at=AT))
    assert outcomes["aaa-explodes"] == "failed"
    assert outcomes["purge-expired-tokens"] == "ran"
    assert "boom" in ScheduledRun.objects.get(job="aaa-explodes").error


def test_purging_removes_expired_tokens_and_keeps_live_ones(member):
    now = timezone.now()
    token_issue(user=member, purpose=TokenPurpose.SET_PASSWORD, lifetime=timedelta(hours=72))
    token_issue(user=member, purpose=TokenPurpose.SET_PASSWORD, lifetime=-timedelta(days=3))
    call_command("run-scheduled", "--at", now.isoformat())
    assert SecureToken.objects.count() == 1
    assert SecureToken.objects.get().expires_at > now


def test_purging_removes_expired_api_tokens_and_keeps_live_ones(member):
    now = timezone.now()
    api_token_issue(user=member)
    api_token_issue(user=member)
    expired = AuthToken.objects.order_by("created").first()
    AuthToken.objects.filter(pk=expired.pk).update(expiry=now - timedelta(minutes=1))
    call_command("run-scheduled", "--at", now.isoformat())
    assert AuthToken.objects.count() == 1
    assert AuthToken.objects.get().expiry > now


def test_run_scheduled_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("run-scheduled", "--at", "yesterday")
