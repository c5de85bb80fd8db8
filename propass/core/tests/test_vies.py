"""VIES checks against the fake VIES server: valid, invalid, unavailable, slow, switched off."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from propass.core.errors import ServiceUnavailable
from propass.core.jobs import vies_checks
from propass.core.models import ViesCheck, ViesCheckStatus
from propass.core.vies import (
    MAX_ATTEMPTS,
    vies_check_again,
    vies_check_request,
    vies_check_run,
    vies_member_state,
)
from propass.testing.vies import ADDRESS, NAME

pytestmark = pytest.mark.django_db

SELLER = "NL004495445B01"


def requested(capture, vat_number="IT00743110157", country="IT", requester=SELLER):
    with capture(execute=True):
        check = vies_check_request(country=country, vat_number=vat_number, requester=requester)
    assert check is not None
    check.refresh_from_db()
    return check


def test_the_suite_runs_with_vies_switched_off():
    assert settings.VIES_ENABLED is False


def test_a_valid_number_is_kept_with_its_consultation_number_name_and_address(vies, django_capture_on_commit_callbacks):
    check = requested(django_capture_on_commit_callbacks)

    assert check.status == ViesCheckStatus.VALID
    assert check.consultation_number.startswith("WAPIAAAAY")
    assert check.name == NAME
    assert check.address == ADDRESS  # exactly as returned, line breaks and trailing space included
    assert check.requested_at.isoformat() == "2026-12-03T10:15:30.123000+00:00"
    assert check.answer["valid"] is True
    assert (check.country, check.number, check.attempts) == ("IT", "00743110157", 1)
    assert vies.requests == [
        {
            "countryCode": "IT",
            "vatNumber": "00743110157",
            "requesterMemberStateCode": "NL",
            "requesterNumber": "004495445B01",
        }
    ]


def test_a_number_vies_does_not_know_is_invalid(vies, django_capture_on_commit_callbacks):
    vies.answer("00743110157", "invalid")

    check = requested(django_capture_on_commit_callbacks)

    assert check.status == ViesCheckStatus.INVALID
    assert check.name == "---"
    assert check.next_attempt_at is None


def test_unavailable_is_not_invalid_the_job_asks_again_later(vies, django_capture_on_commit_callbacks):
    vies.answer("00743110157", "unavailable")

    check = requested(django_capture_on_commit_callbacks)

    assert check.status == ViesCheckStatus.PENDING
    assert check.last_error == "MS_UNAVAILABLE"
    assert check.attempts == 1
    first_retry = check.next_attempt_at
    assert timedelta(minutes=14) < first_retry - timezone.now() <= timedelta(minutes=15)

    vies_checks(at=first_retry - timedelta(minutes=1))  # not due yet
    check.refresh_from_db()
    assert (check.status, check.attempts) == (ViesCheckStatus.PENDING, 1)

    vies_checks(at=first_retry)  # still unavailable: the next wait is an hour
    check.refresh_from_db()
    assert (check.status, check.attempts) == (ViesCheckStatus.PENDING, 2)
    assert check.next_attempt_at - first_retry == timedelta(hours=1)

    vies.answer("00743110157", "valid")
    vies_checks(at=check.next_attempt_at)
    check.refresh_from_db()
    assert check.status == ViesCheckStatus.VALID
    assert check.consultation_number
    assert check.last_error == ""
    assert len(vies.requests) == 3


def test_a_slow_vies_is_a_timeout_and_the_check_stays_pending(vies, django_capture_on_commit_callbacks):
    vies.answer("00743110157", "slow")

    check = requested(django_capture_on_commit_callbacks)

    assert check.status == ViesCheckStatus.PENDING
    assert check.last_error == "TIMEOUT"
    assert check.next_attempt_at > timezone.now()


def test_after_the_last_attempt_the_check_is_unavailable_and_staff_can_ask_again(
    vies, django_capture_on_commit_callbacks
):
    vies.answer("00743110157", "unavailable")
    check = requested(django_capture_on_commit_callbacks)
    while check.status == ViesCheckStatus.PENDING:
        check = vies_check_run(check_id=check.pk, at=check.next_attempt_at)
    assert check.status == ViesCheckStatus.UNAVAILABLE
    assert check.attempts == MAX_ATTEMPTS
    vies_checks(at=timezone.now() + timedelta(days=30))
    assert len(vies.requests) == MAX_ATTEMPTS  # the job leaves it alone

    vies.answer("00743110157", "valid")
    with django_capture_on_commit_callbacks(execute=True):
        again = vies_check_again(check=check)
    again.refresh_from_db()
    assert again.pk == check.pk
    assert again.status == ViesCheckStatus.VALID


def test_asking_again_after_an_answer_keeps_the_old_answer_as_evidence(vies, django_capture_on_commit_callbacks):
    check = requested(django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = vies_check_again(check=check)

    again.refresh_from_db()
    check.refresh_from_db()
    assert again.pk != check.pk
    assert again.status == check.status == ViesCheckStatus.VALID
    assert again.consultation_number != check.consultation_number
    assert again.requester == SELLER


def test_switched_off_no_check_is_made_and_nobody_is_called(vies, settings, django_capture_on_commit_callbacks):
    settings.VIES_ENABLED = False

    with django_capture_on_commit_callbacks(execute=True):
        check = vies_check_request(country="IT", vat_number="IT00743110157", requester=SELLER)

    assert check is None
    assert not ViesCheck.objects.exists()
    assert vies.requests == []


def test_asking_again_while_switched_off_says_so(vies, settings, django_capture_on_commit_callbacks):
    check = requested(django_capture_on_commit_callbacks)
    settings.VIES_ENABLED = False

    with pytest.raises(ServiceUnavailable):
        vies_check_again(check=check)


def test_only_eu_numbers_go_to_vies(vies, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        checks = [
            vies_check_request(country="GB", vat_number="GB980780684"),
            vies_check_request(country="CH", vat_number="CHE105048256"),
            vies_check_request(country="NO", vat_number="NO995525828MVA"),
            vies_check_request(country="LI", vat_number="LI51234"),
        ]
    assert checks == [None, None, None, None]
    assert vies.requests == []


def test_greece_is_el_and_northern_ireland_xi():
    assert vies_member_state(country="GR", vat_number="EL094259216") == ("EL", "094259216")
    assert vies_member_state(country="GR", vat_number="094259216") == ("EL", "094259216")
    assert vies_member_state(country="GB", vat_number="XI980780684") == ("XI", "980780684")
    assert vies_member_state(country="GB", vat_number="980780684") is None
    assert vies_member_state(country="IT", vat_number="GB980780684") is None


def test_a_requester_outside_the_eu_is_not_sent(vies, django_capture_on_commit_callbacks):
    check = requested(django_capture_on_commit_callbacks, requester="GB980780684")

    assert check.status == ViesCheckStatus.VALID
    assert check.consultation_number == ""  # VIES gives one only to an EU requester
    assert vies.requests == [{"countryCode": "IT", "vatNumber": "00743110157"}]


def test_a_check_claimed_by_another_run_is_not_asked_twice(vies, django_capture_on_commit_callbacks):
    vies.answer("00743110157", "unavailable")
    check = requested(django_capture_on_commit_callbacks)

    vies_check_run(check_id=check.pk)  # its next attempt is not due: nothing asked

    assert len(vies.requests) == 1
