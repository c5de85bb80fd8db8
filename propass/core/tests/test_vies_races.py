"""Runs of one VIES check at once (a task and the job, two workers) ask VIES once."""

import pytest
from django.utils import timezone

from propass.core.models import ViesCheck, ViesCheckStatus
from propass.core.vies import vies_check_run
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 10


def test_ten_runs_of_one_check_ask_vies_once(vies):
    check = ViesCheck.objects.create(
        country="IT", number="00743110157", requester="NL004495445B01", next_attempt_at=timezone.now()
    )

    results = run_at_once(THREADS, lambda _index: vies_check_run(check_id=check.pk))

    assert errors_in(results) == []
    assert len(vies.requests) == 1
    check.refresh_from_db()
    assert (check.status, check.attempts) == (ViesCheckStatus.VALID, 1)


def test_ten_runs_of_an_unanswered_check_record_one_attempt(vies):
    vies.answer("00743110157", "unavailable")
    check = ViesCheck.objects.create(country="IT", number="00743110157", next_attempt_at=timezone.now())

    results = run_at_once(THREADS, lambda _index: vies_check_run(check_id=check.pk))

    assert errors_in(results) == []
    assert len(vies.requests) == 1
    check.refresh_from_db()
    assert (check.status, check.attempts, check.last_error) == (ViesCheckStatus.PENDING, 1, "MS_UNAVAILABLE")
