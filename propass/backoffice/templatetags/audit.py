"""Show an audit entry's data readably: what changed (before → after) and the other facts."""

import json
from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()


@dataclass(frozen=True)
class AuditRow:
    key: str
    value: str = ""
    before: str = ""
    after: str = ""
    change: bool = False


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@register.filter
def audit_rows(data: Any) -> list[AuditRow]:
    """The changes first (one row per changed field of `before`/`after`, or one row when they
    are plain values), then every other key with its value."""
    if not isinstance(data, dict):
        return [AuditRow(key="", value=_text(data))] if data not in (None, "") else []
    rows: list[AuditRow] = []
    before, after = data.get("before"), data.get("after")
    if "before" in data or "after" in data:
        if isinstance(before, dict) or isinstance(after, dict):
            before, after = before if isinstance(before, dict) else {}, after if isinstance(after, dict) else {}
            for key in [*before, *(key for key in after if key not in before)]:
                rows.append(AuditRow(key=key, before=_text(before.get(key)), after=_text(after.get(key)), change=True))
        else:
            rows.append(AuditRow(key="", before=_text(before), after=_text(after), change=True))
    for key, value in data.items():
        if key not in ("before", "after"):
            rows.append(AuditRow(key=key, value=_text(value)))
    return rows
