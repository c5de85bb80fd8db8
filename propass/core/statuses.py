"""Allowed status moves, kept as data and enforced in one place.

Every model with a status declares its table of allowed moves as the class attribute
`STATUS_TRANSITIONS` (current status -> the statuses it may move to). Code outside this
module never writes a status itself: it calls `status_move` for one object, or
`statuses_move` for a batch (a job handing back stale claims). A test walks every model and
fails when a status field has no table, and another scans the source for writes that bypass
these two functions.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.core.enums import AuditAction
from propass.core.errors import IllegalTransition
from propass.core.services import audit_record

Transitions = Mapping[str, Iterable[str]]


def check_transition(table: Transitions, current: str, new: str) -> None:
    """Raise IllegalTransition unless `table` allows the move from `current` to `new`."""
    if new not in table.get(current, ()):
        raise IllegalTransition(
            _("The status cannot change from “%(current)s” to “%(new)s”."),
            current=current,
            new=new,
        )


def allowed_moves(table: Transitions, current: models.TextChoices | str) -> set[str]:
    return set(table.get(str(current), ()))


def status_table(model: type[models.Model]) -> Transitions:
    """The table of allowed moves a status model declares."""
    table: Transitions | None = getattr(model, "STATUS_TRANSITIONS", None)
    if table is None:
        raise TypeError(f"{model.__name__} declares no STATUS_TRANSITIONS")
    return table


def status_move(
    obj: models.Model,
    new: str,
    *,
    actor: Any = None,
    action: AuditAction | None = None,
    data: Mapping[str, Any] | None = None,
    audit_target: models.Model | None = None,
    only_if: Mapping[str, Any] | None = None,
    **fields: Any,
) -> bool:
    """Move `obj` from the status it was read with to `new`, with `fields` written in the same
    UPDATE. Raises IllegalTransition (changing nothing) when the model's table does not allow
    the move. The UPDATE is conditional on the row still having the old status (and matching
    `only_if`, e.g. a due time): when another transaction moved it first, nothing is written
    and False is returned, so a caller decides whether that is a conflict or "already done".
    On success the new values are set on `obj` and, when an `action` is given, the audit entry
    (`before`/`after` status plus `data`, about `audit_target` or `obj`) is written in the same
    transaction. Returns True when this call moved the row."""
    model = type(obj)
    old = obj.status  # type: ignore[attr-defined]
    check_transition(status_table(model), old, new)
    fields = _with_auto_now(model, fields)
    with transaction.atomic():
        rows = model._default_manager.filter(pk=obj.pk, status=old, **(only_if or {}))
        if rows.update(status=new, **fields) != 1:
            return False
        obj.status = new  # type: ignore[attr-defined]
        computed = [name for name, value in fields.items() if hasattr(value, "resolve_expression")]
        for name, value in fields.items():
            if name not in computed:
                setattr(obj, name, value)
        if computed:
            obj.refresh_from_db(fields=computed)
        if action is not None:
            extra = dict(data or {})
            audit_record(
                actor=actor,
                action=action,
                target=audit_target or obj,
                data={
                    **extra,
                    "before": {**extra.get("before", {}), "status": str(old)},
                    "after": {**extra.get("after", {}), "status": str(new)},
                },
            )
    return True


def statuses_move(rows: models.QuerySet[Any], olds: Iterable[str], new: str, **fields: Any) -> int:
    """Move every row of `rows` that is in one of the statuses `olds` to `new` in one UPDATE
    (a batch, e.g. handing stale claims back to the queue); each old -> new move must be in the
    model's table. Returns how many rows moved. Not audited: a batch is the system's routine."""
    olds = list(olds)
    table = status_table(rows.model)
    for old in olds:
        check_transition(table, old, new)
    return rows.filter(status__in=olds).update(status=new, **_with_auto_now(rows.model, fields))


def _with_auto_now(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    # An UPDATE skips `auto_now`; a status move still counts as a change of the row.
    now = timezone.now()
    stamps = {f.name: now for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    return {**stamps, **fields}
