import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from propass.catalog.enums import Category
from propass.catalog.models import ProductModel

TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no", ""}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_row(row: dict[str, str]) -> dict[str, object]:
    def text(name: str) -> str:
        return (row.get(name) or "").strip()

    def day(name: str) -> date | None:
        raw = text(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(
                _("%(column)s is not an ISO date (YYYY-MM-DD): %(value)r") % {"column": name, "value": raw}
            ) from None

    code, name, category = text("code"), text("name"), text("category").lower()
    if not code:
        raise ValueError(_("code is empty"))
    if not name:
        raise ValueError(_("name is empty"))
    if category not in Category.values:
        raise ValueError(
            _("category %(value)r is not one of %(allowed)s")
            % {"value": category, "allowed": ", ".join(Category.values)}
        )
    try:
        points = int(text("points") or "0")
    except ValueError:
        raise ValueError(_("points is not a whole number: %(value)r") % {"value": text("points")}) from None
    if points < 0:
        raise ValueError(_("points cannot be negative"))
    eligible_raw = text("eligible").lower() or "true"
    if eligible_raw not in TRUE | FALSE:
        raise ValueError(_("eligible must be true or false"))
    pattern = text("serial_pattern")
    if pattern:
        try:
            re.compile(pattern)
        except re.error:
            raise ValueError(_("serial_pattern is not a valid regular expression")) from None
    launch, end = day("launch_date"), day("end_of_support")
    if launch and end and end < launch:
        raise ValueError(_("end_of_support is before launch_date"))
    return {
        "name": name,
        "category": category,
        "points": points,
        "eligible": eligible_raw in TRUE,
        "serial_pattern": pattern,
        "launch_date": launch,
        "end_of_support": end,
        "code": code,
    }


def catalog_import(*, rows: Iterable[dict[str, str]], first_line: int = 2) -> ImportReport:
    """Import product models keyed by `code`: every row is checked, bad rows are reported
    with their line number, good rows are created or updated (re-running changes nothing)."""
    report = ImportReport()
    for line, row in enumerate(rows, start=first_line):
        try:
            values = _parse_row(row)
        except ValueError as error:
            report.errors.append((line, str(error)))
            continue
        code = values.pop("code")
        with transaction.atomic():
            _obj, created = ProductModel.objects.update_or_create(code=code, defaults=values)
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


def catalog_import_file(*, path: str) -> ImportReport:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return catalog_import(rows=csv.DictReader(handle))
