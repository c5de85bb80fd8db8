"""Idempotency keys: the first answer to a caller's key is replayed for 24 hours.

A request with an `Idempotency-Key` first *claims* the key for its caller, method and path: it
inserts the key's row, and the unique constraint lets one request win. The winner runs the
operation and stores its answer; a repeat with the same body gets that answer back, a repeat
with another body is refused (422), and a repeat while the first still runs hears that it is in
progress (409) and replays the answer when it retries. An answer that is not stored (a server
error, a crash) releases the claim, so a retry runs the operation again; a claim left behind by
a process that died is taken over once it is older than any request may run. The interface
(core/api.py `idempotent`) decides what to store; this module only keeps the rows.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.core.errors import Conflict, DomainError
from propass.core.models import IdempotencyKey

# How long an answer is replayed, and kept (the hourly `purge-idempotency-keys` job).
LIFETIME = timedelta(hours=24)
# A claim this old belongs to a request that died (gunicorn stops a worker after 30 s).
STALE_CLAIM = timedelta(minutes=5)


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    http_status = 422
    default_message = _(
        "This Idempotency-Key was already used with a different request. Use a new key for a new request."
    )


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_message = _("A request with this Idempotency-Key is still being processed. Retry in a moment.")


@dataclass(frozen=True)
class Claim:
    """The right to run the operation for a key, and to store its answer."""

    pk: int
    token: str


@dataclass(frozen=True)
class StoredAnswer:
    code: int
    body: str  # JSON
    headers: dict[str, str]


def idempotency_claim(
    *, user: Any, key: str, method: str, path: str, fingerprint: str, now: datetime | None = None
) -> Claim | StoredAnswer:
    """Claim `key` for the caller's request, or return the answer stored for it. Raises
    IdempotencyKeyReused when the key was used with another body, IdempotencyKeyInProgress
    while another request holds the claim. A key older than 24 hours counts as new."""
    now = now or timezone.now()
    scope = {"user": user, "key": key, "method": method, "path": path}
    token = secrets.token_hex(16)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    **scope, fingerprint=fingerprint, created_at=now, claim=token, claimed_at=now
                )
            return Claim(pk=row.pk, token=token)
        except IntegrityError:
            pass  # the key exists: look at it under its row lock
        with transaction.atomic():
            existing = IdempotencyKey.objects.select_for_update().filter(**scope).first()
            if existing is None:
                continue  # released or purged in between: claim it afresh
            if existing.created_at <= now - LIFETIME:
                _reclaim(existing, token, now, fingerprint=fingerprint, created_at=now)
                return Claim(pk=existing.pk, token=token)
            if existing.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            if existing.response_code is not None:
                return StoredAnswer(
                    code=existing.response_code, body=existing.response_body, headers=existing.response_headers
                )
            if existing.claimed_at > now - STALE_CLAIM:
                raise IdempotencyKeyInProgress()
            _reclaim(existing, token, now)
            return Claim(pk=existing.pk, token=token)
    raise IdempotencyKeyInProgress()


def _reclaim(row: IdempotencyKey, token: str, now: datetime, **fields: Any) -> None:
    """Hand a locked, expired or abandoned key to a new request, forgetting any old answer."""
    IdempotencyKey.objects.filter(pk=row.pk).update(
        claim=token, claimed_at=now, response_code=None, response_body="", response_headers={}, **fields
    )


def idempotency_store(*, claim: Claim, code: int, body: str, headers: dict[str, str]) -> bool:
    """Store the answer of the request holding `claim`, to be replayed. Conditional on the
    claim still being this request's (one taken over as stale stores nothing); True if stored."""
    rows = IdempotencyKey.objects.filter(pk=claim.pk, claim=claim.token, response_code__isnull=True)
    return rows.update(response_code=code, response_body=body, response_headers=headers, claim="") == 1


def idempotency_release(*, claim: Claim) -> None:
    """Forget a claim whose answer is not stored, so that a retry runs the operation again."""
    IdempotencyKey.objects.filter(pk=claim.pk, claim=claim.token, response_code__isnull=True).delete()


def idempotency_purge(*, before: datetime) -> int:
    """Delete the keys made before `before`; returns how many."""
    return IdempotencyKey.objects.filter(created_at__lt=before).delete()[0]


def idempotency_forget_user(user: Any) -> int:
    """Stored answers of a person's API calls (they can hold personal data) go with an erasure."""
    deleted, _ = IdempotencyKey.objects.filter(user=user).delete()
    return deleted
