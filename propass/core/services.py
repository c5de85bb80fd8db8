from datetime import datetime, timedelta
from typing import Any

import holidays
from django.db import models, transaction
from django.utils import timezone

from propass.core.enums import AuditAction
from propass.core.models import AuditLog, Sequence


def audit_repr(obj: Any) -> str:
    """How an object is named in the append-only audit log: never a member's personal data
    (an entry cannot be changed when the person is erased later), so people are named by id;
    staff by e-mail, for accountability."""
    named = getattr(obj, "audit_repr", None)
    return str(named) if named is not None else str(obj)


def audit_record(
    *, actor: Any, action: AuditAction, target: models.Model | None = None, data: dict | None = None
) -> AuditLog:
    """Write one audit entry: who (a user, or None for the system) did `action` to `target`."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLog.objects.create(
        actor=user,
        actor_repr=audit_repr(user) if user is not None else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=audit_repr(target)[:254] if target is not None else "",
        data=data or {},
    )


def audit_record_many(*, action: AuditAction, entries: list[tuple[models.Model, dict]], actor: Any = None) -> None:
    """`audit_record` of one action for many targets, in one INSERT (a batch job's moves)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    AuditLog.objects.bulk_create(
        AuditLog(
            actor=user,
            actor_repr=audit_repr(user) if user is not None else "system",
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_repr=audit_repr(target)[:254],
            data=data,
        )
        for target, data in entries
    )


def sequence_next(*, name: str, start: int = 1) -> int:
    """Return the next value of the named sequence: gap-free and never repeated.

    The row lock is held until the caller's transaction ends, so a value used by a
    transaction that rolls back is handed out again: invoice series stay gap-free.
    """
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name, defaults={"last_value": start - 1})
        seq = Sequence.objects.select_for_update().get(name=name)
        seq.last_value += 1
        seq.save(update_fields=["last_value"])
        return seq.last_value


def sequence_next_block(*, name: str, count: int, start: int = 1) -> int:
    """Reserve `count` consecutive values of the named sequence and return the first: the
    batch form of `sequence_next`, with the same lock (held until the caller's transaction
    ends, so a rolled-back block is handed out again)."""
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name, defaults={"last_value": start - 1})
        seq = Sequence.objects.select_for_update().get(name=name)
        first = seq.last_value + 1
        seq.last_value += count
        seq.save(update_fields=["last_value"])
        return first


def business_days_after(*, start: datetime, days: int, country: str) -> datetime:
    """`start` moved forward by `days` business days: weekends and the country's public
    holidays are skipped; the time of day stays the same (in the operator's time zone)."""
    local = timezone.localtime(start)
    calendar = holidays.country_holidays(country, years=range(local.year, local.year + 2))
    moment, counted = local, 0
    while counted < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in calendar:
            counted += 1
    return moment
