"""VIES, the EU's VAT number service: asked about EU VAT numbers, its answer kept as evidence.

Every EU VAT auditor expects the reverse charge to rest on a VIES check: valid or not, with
VIES's consultation number (its `requestIdentifier`, given when the requester's own EU VAT
number is sent), the date of the request, and the name and address exactly as returned.

The REST API (`POST {VIES_URL}/check-vat-number`, JSON) takes `countryCode`, `vatNumber`
(without the country code) and, for a consultation number, `requesterMemberStateCode` and
`requesterNumber`; it answers `valid`, `requestDate`, `requestIdentifier`, `name`, `address`.
When it cannot answer it says why, as `userError` or as `errorWrappers[].error` (with a 4xx or
5xx status): a member state's registry down or busy (MS_UNAVAILABLE, MS_MAX_CONCURRENT_REQ), VIES
itself down or busy (SERVICE_UNAVAILABLE, TIMEOUT, GLOBAL_MAX_CONCURRENT_REQ), or a request it
refuses (INVALID_INPUT, INVALID_REQUESTER_INFO, VAT_BLOCKED, IP_BLOCKED).

"VIES unavailable" (it often is) is never "not valid". A check without an answer stays pending
and is asked again by the `vies-checks` job after 15 minutes, 1 hour, 4 hours, then every 12
hours; after MAX_ATTEMPTS, or at once when VIES refuses the request, it is "unavailable", which
staff can ask again by hand (and decide on the documents meanwhile).

Only EU numbers go to VIES: the 27 member states (Greece as EL) and Northern Ireland (XI). No
check is made for other numbers (GB, CH, LI, NO...), nor when VIES_ENABLED is off: then
`vies_check_request` returns None and nothing else changes.

The network is never called inside a transaction: a check is created in the caller's
transaction and consulted by a task once it commits; a run claims the check with a conditional
UPDATE (so two workers never ask twice at once), asks VIES, then records the answer.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.core.errors import ServiceUnavailable
from propass.core.models import ViesCheck, ViesCheckStatus
from propass.core.statuses import status_move
from propass.core.tasks import in_background

logger = logging.getLogger(__name__)

# VIES's member state codes: the EU's 27, Greece as EL, and Northern Ireland as XI.
VIES_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
    "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
})  # fmt: skip
# The ISO 3166 country whose numbers carry another VIES code.
VIES_CODES = {"GR": "EL"}

# Answers that say VIES could not answer now: asked again later.
RETRYABLE_ERRORS = frozenset({
    "SERVICE_UNAVAILABLE", "MS_UNAVAILABLE", "TIMEOUT", "MS_MAX_CONCURRENT_REQ", "MS_MAX_CONCURRENT_REQ_TIME",
    "GLOBAL_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ_TIME", "SERVER_BUSY",
})  # fmt: skip
# Requests VIES refuses: asking again the same way does not help (staff may still ask by hand).
REFUSED_ERRORS = frozenset({"INVALID_INPUT", "INVALID_REQUESTER_INFO", "VAT_BLOCKED", "IP_BLOCKED"})
# `userError` values that are an answer, not an error (the GET endpoint says VALID / INVALID).
ANSWER_USER_ERRORS = frozenset({"", "VALID", "INVALID"})

# The wait after each failed attempt: 15 minutes, 1 hour, 4 hours, then every 12 hours.
BACKOFF = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4), timedelta(hours=12))
# After this many attempts without an answer (about two and a half days) a check is "unavailable".
MAX_ATTEMPTS = 8
# A run claims a check for this long beyond the timeout: a worker that died mid-call leaves the
# check to the job after that.
CLAIM_MARGIN = timedelta(minutes=5)
# Checks the periodic job hands out per run (the rest wait for the next run).
JOB_BATCH = 200


@dataclass(frozen=True)
class ViesAnswer:
    """What VIES said: `valid` is None when it gave no answer (then `error` says why)."""

    valid: bool | None
    error: str = ""
    request_date: datetime | None = None
    request_identifier: str = ""
    name: str = ""
    address: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def retryable(self) -> bool:
        return self.valid is None and self.error not in REFUSED_ERRORS


def vies_member_state(*, country: str, vat_number: str) -> tuple[str, str] | None:
    """The VIES member state code and the number without it, for a VAT number as stored (its
    prefix first) or without prefix for a company in `country`; None when VIES does not know the
    number's country (GB, CH, LI, NO...)."""
    number = "".join(ch for ch in (vat_number or "") if ch.isalnum()).upper()
    prefix = number[:2]
    if prefix in VIES_MEMBER_STATES:
        return (prefix, number[2:]) if number[2:] else None
    if prefix.isalpha():  # another country's prefix (GB, CHE, NO, LI...)
        return None
    code = VIES_CODES.get((country or "").upper(), (country or "").upper())
    if code not in VIES_MEMBER_STATES or code == "XI" or not number:
        return None
    return code, number


def vies_consult(*, country: str, number: str, requester: str = "") -> ViesAnswer:
    """Ask VIES once about `country` + `number` (VIES codes); `requester` is the asking company's
    EU VAT number, with its prefix, for a consultation number. Never raises for VIES's or the
    network's failures: they come back as an answer without `valid`."""
    body: dict[str, str] = {"countryCode": country, "vatNumber": number}
    asking = vies_member_state(country="", vat_number=requester) if requester else None
    if asking is not None:
        body["requesterMemberStateCode"], body["requesterNumber"] = asking
    url = f"{settings.VIES_URL}/check-vat-number"
    if not url.startswith(("https://", "http://")):
        return ViesAnswer(None, "VIES_URL is not an http(s) address")
    request = urllib.request.Request(  # noqa: S310 (an http(s) address, checked above)
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.VIES_TIMEOUT) as response:  # noqa: S310 (VIES_URL is ours)
            payload = _json(response.read())
    except urllib.error.HTTPError as error:
        payload = _json(error.read())
        return ViesAnswer(None, _error_of(payload) or f"HTTP_{error.code}", raw=payload)
    except TimeoutError:
        return ViesAnswer(None, "TIMEOUT")
    except (urllib.error.URLError, OSError) as failure:
        reason = getattr(failure, "reason", failure)
        if isinstance(reason, TimeoutError):
            return ViesAnswer(None, "TIMEOUT")
        return ViesAnswer(None, f"NETWORK: {reason}"[:255])
    refused = _error_of(payload)
    valid = payload.get("valid", payload.get("isValid"))
    if refused or not isinstance(valid, bool):
        return ViesAnswer(None, refused or "SERVICE_UNAVAILABLE", raw=payload)
    return ViesAnswer(
        valid,
        request_date=_request_date(payload.get("requestDate")),
        request_identifier=str(payload.get("requestIdentifier") or ""),
        name=str(payload.get("name") or ""),
        address=str(payload.get("address") or ""),
        raw=payload,
    )


def _json(data: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(data or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _error_of(payload: dict[str, Any]) -> str:
    user_error = str(payload.get("userError") or "")
    if user_error not in ANSWER_USER_ERRORS:
        return user_error
    wrappers = payload.get("errorWrappers") or []
    if payload.get("actionSucceed") is False or wrappers:
        first = wrappers[0] if wrappers and isinstance(wrappers[0], dict) else {}
        return str(first.get("error") or "SERVICE_UNAVAILABLE")
    return ""


def _request_date(value: object) -> datetime | None:
    """VIES's request date: a timestamp ("2026-12-03T19:20:31.123Z") or a date ("2026-12-03+01:00")."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(value[:10]), time(), tzinfo=UTC)
        except ValueError:
            return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=UTC)


def vies_check_request(*, country: str, vat_number: str, requester: str = "") -> ViesCheck | None:
    """Ask VIES about a company's VAT number (as stored, or without prefix for `country`):
    a pending check, consulted once the caller's transaction commits. `requester` is the
    seller's VAT number, sent when it is an EU one (VIES then gives a consultation number). None
    when VIES is off or the number is not an EU one."""
    checks = vies_checks_request(items=[(country, vat_number, requester)])
    return checks[0]


def vies_checks_request(*, items: list[tuple[str, str, str]]) -> list[ViesCheck | None]:
    """`vies_check_request` for many (country, VAT number, requester) at once, in one INSERT and
    one task (a renewal day's invoices)."""
    if not settings.VIES_ENABLED:
        return [None] * len(items)
    now = timezone.now()
    made: list[ViesCheck | None] = []
    for country, vat_number, requester in items:
        member = vies_member_state(country=country, vat_number=vat_number)
        made.append(
            None
            if member is None
            else ViesCheck(
                country=member[0],
                number=member[1],
                requester=requester if vies_member_state(country="", vat_number=requester) else "",
                next_attempt_at=now,
            )
        )
    created = ViesCheck.objects.bulk_create([check for check in made if check is not None])
    if created:
        ids = [check.pk for check in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return made


def _enqueue(check_ids: list[int]) -> None:
    try:
        in_background(vies_checks_task).enqueue(check_ids)
    except Exception:
        logger.exception("could not enqueue VIES checks %s; the vies-checks job asks them", check_ids)


def vies_check_again(*, check: ViesCheck) -> ViesCheck:
    """Ask VIES again about a check's number (staff's "Ask VIES again"). A check without an answer
    (pending or unavailable) is asked again at once; one with an answer stays as evidence and a
    new check is made for the same number and requester, which the caller links instead."""
    if not settings.VIES_ENABLED:
        raise ServiceUnavailable(_("VIES checks are switched off on this installation."), code="vies_disabled")
    if check.is_answered:
        again = ViesCheck.objects.create(
            country=check.country, number=check.number, requester=check.requester, next_attempt_at=timezone.now()
        )
    else:
        again = check
        with transaction.atomic():
            if check.status == ViesCheckStatus.UNAVAILABLE:
                status_move(check, ViesCheckStatus.PENDING, next_attempt_at=timezone.now())
            else:
                ViesCheck.objects.filter(pk=check.pk, status=ViesCheckStatus.PENDING).update(
                    next_attempt_at=timezone.now()
                )
    transaction.on_commit(lambda: _enqueue([again.pk]))
    return again


def vies_check_run(*, check_id: int, at: datetime | None = None) -> ViesCheck:
    """Consult VIES for a pending check whose attempt is due by `at`, and record the answer:
    valid or not valid with what VIES returned; without an answer, the check stays pending with
    its next attempt after the back-off, or becomes "unavailable" after MAX_ATTEMPTS or when VIES
    refuses the request. A check not due, answered, or claimed by another run is left alone."""
    now = timezone.now()
    at = at or now
    check = ViesCheck.objects.get(pk=check_id)
    if check.status != ViesCheckStatus.PENDING or not settings.VIES_ENABLED:
        return check
    attempt = check.attempts + 1
    claim_until = max(at, now) + timedelta(seconds=settings.VIES_TIMEOUT) + CLAIM_MARGIN
    claimed = ViesCheck.objects.filter(
        pk=check.pk, status=ViesCheckStatus.PENDING, attempts=check.attempts, next_attempt_at__lte=at
    ).update(attempts=F("attempts") + 1, next_attempt_at=claim_until, updated_at=now)
    if not claimed:
        return check
    answer = vies_consult(country=check.country, number=check.number, requester=check.requester)
    if answer.error == "INVALID_REQUESTER_INFO" and check.requester:
        # The seller's number was refused as requester: the number itself is still worth asking.
        answer = vies_consult(country=check.country, number=check.number)
    check.refresh_from_db()
    return _record(check, answer, attempt=attempt, at=max(at, now))


def _record(check: ViesCheck, answer: ViesAnswer, *, attempt: int, at: datetime) -> ViesCheck:
    only_if = {"attempts": attempt}
    if answer.valid is not None:
        status_move(
            check,
            ViesCheckStatus.VALID if answer.valid else ViesCheckStatus.INVALID,
            only_if=only_if,
            consultation_number=answer.request_identifier[:100],
            requested_at=answer.request_date or timezone.now(),
            name=answer.name,
            address=answer.address,
            answer=answer.raw,
            next_attempt_at=None,
            last_error="",
        )
        return check
    logger.warning("VIES gave no answer for %s (attempt %s): %s", check.vat_number, attempt, answer.error)
    if not answer.retryable or attempt >= MAX_ATTEMPTS:
        status_move(
            check,
            ViesCheckStatus.UNAVAILABLE,
            only_if=only_if,
            next_attempt_at=None,
            last_error=answer.error[:255],
            answer=answer.raw,
        )
        return check
    wait = BACKOFF[min(attempt, len(BACKOFF)) - 1]
    ViesCheck.objects.filter(pk=check.pk, status=ViesCheckStatus.PENDING, **only_if).update(
        next_attempt_at=at + wait, last_error=answer.error[:255], answer=answer.raw, updated_at=timezone.now()
    )
    check.refresh_from_db()
    return check


def vies_checks_due(*, at: datetime) -> list[int]:
    """The pending checks whose next attempt is due by `at`, oldest first."""
    return list(
        ViesCheck.objects.filter(status=ViesCheckStatus.PENDING, next_attempt_at__lte=at)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:JOB_BATCH]
    )


@task()
def vies_checks_task(check_ids: list[int], at: str = "") -> None:
    moment = datetime.fromisoformat(at) if at else None
    for check_id in check_ids:
        vies_check_run(check_id=check_id, at=moment)
