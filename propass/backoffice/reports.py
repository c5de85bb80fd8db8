"""Back-office reports: six charts for a period, each with its numbers as a table and a CSV."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.backoffice.charts import Series, bar_chart, histogram, stacked_bar_chart
from propass.backoffice.finance import _csv_response, _text
from propass.backoffice.report_data import (
    EARLIEST,
    LATEST,
    MAX_PERIOD_DAYS,
    REPORTS,
    ChartSpec,
    Column,
    Period,
    Report,
    period_default,
)
from propass.core.figures import figures_cached
from propass.core.forms import DatePicker
from propass.core.money import money_format

reports_access = staff_required(groups=[StaffGroup.PROGRAM_ADMIN, StaffGroup.FINANCE])


class ReportPeriodForm(forms.Form):
    """The period of the reports, as `?from=` and `?to=` (ISO dates); an empty end takes its
    default, an unreadable or impossible period falls back to the last twelve months."""

    def __init__(self, data: Any, *, today: date) -> None:
        self.default = period_default(today=today)
        super().__init__(
            data,
            label_suffix="",
            initial={"from": self.default.date_from, "to": self.default.date_to},
        )
        for name, label in (("from", _("From")), ("to", _("To"))):
            self.fields[name] = forms.DateField(label=label, required=False, widget=DatePicker())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if self.errors:
            return data
        end = end or (self.default.date_to if start is None else max(start, self.default.date_to))
        start = start or period_default(today=end).date_from
        if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
            raise forms.ValidationError(_("Choose dates between 2000 and 2100."), code="range")
        if start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."), code="order")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most five years."), code="too_long")
        data["period"] = Period(start, end)
        return data

    @property
    def period(self) -> Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return self.default


def _period_form(request: HttpRequest) -> ReportPeriodForm:
    bound = {key: request.GET[key] for key in ("from", "to") if key in request.GET}
    return ReportPeriodForm(bound or None, today=timezone.localdate())


@dataclass(frozen=True)
class Cell:
    key: str
    text: str  # as the page shows it
    value: str  # as the CSV writes it
    numeric: bool


@dataclass
class ShownReport:
    report: Report
    charts: list[tuple[str, SafeString]]  # (title, chart)
    header: list[Column]
    cells: list[list[Cell]]
    csv_url: str


def _shown(value: Any, column: Column, row: dict[str, Any]) -> str:
    if value is None or value == "":
        return "–"
    if column.kind == "date":
        return date_format(value, "SHORT_DATE_FORMAT")
    if column.kind == "month":
        return date_format(value, "YEAR_MONTH_FORMAT")
    if column.kind == "country":
        return str(countries.name(value) or value)
    if column.kind == "money":
        return money_format(value, row["currency"])
    if column.kind == "percent":
        return f"{number_format(value, decimal_pos=1)} %"
    if column.kind == "int":
        return number_format(value, force_grouping=True)
    return str(value)


def _csv_value(value: Any, kind: str) -> str:
    """Codes and ISO dates rather than labels; plain decimals."""
    if value is None:
        return ""
    if kind == "month":
        return value.strftime("%Y-%m")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return _text(value) if isinstance(value, str) else str(value)


def _csv_rows(report: Report) -> list[list[str]]:
    kinds = {column.key: column.kind for column in report.columns}
    return [[_csv_value(row[key], kinds.get(key, "text")) for key in report.csv_header] for row in report.rows]


def _chart(report: Report, index: int, spec: ChartSpec) -> SafeString:
    label_column = report.column(spec.label)
    labels = [
        _csv_value(row[spec.label], label_column.kind)
        if label_column.kind in ("date", "month")
        else str(row[spec.label])
        for row in report.rows
    ]
    series = [
        Series(str(report.column(key).label), [row[key] for row in report.rows], spec.tones[j] if spec.tones else "")
        for j, key in enumerate(spec.series)
    ]
    assert report.period is not None
    description = _("%(title)s from %(start)s to %(end)s; the numbers are in the table below.") % {
        "title": spec.title,
        "start": date_format(report.period.date_from, "SHORT_DATE_FORMAT"),
        "end": date_format(report.period.date_to, "SHORT_DATE_FORMAT"),
    }
    common = {"chart_id": f"chart-{report.slug}-{index}", "title": str(spec.title), "description": description}
    if spec.kind == "stacked":
        return stacked_bar_chart(**common, labels=labels, series=series)
    if spec.kind == "histogram":
        return histogram(**common, labels=labels, values=[row[spec.series[0]] for row in report.rows])
    return bar_chart(**common, labels=labels, series=series, percent=spec.percent)


def _show(report: Report, query: str) -> ShownReport:
    return ShownReport(
        report=report,
        charts=[(str(spec.title), _chart(report, index, spec)) for index, spec in enumerate(report.charts)],
        header=report.columns,
        cells=[
            [Cell(c.key, _shown(row[c.key], c, row), _csv_value(row[c.key], c.kind), c.numeric) for c in report.columns]
            for row in report.rows
        ],
        csv_url=f"{reverse('backoffice:report_csv', args=[report.slug])}?{query}",
    )


@reports_access
def reports(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    period = form.period
    query = urlencode({"from": period.date_from.isoformat(), "to": period.date_to.isoformat()})
    figures = figures_cached(
        f"reports-html:{get_language()}:{period.date_from.isoformat()}:{period.date_to.isoformat()}",
        lambda: render_to_string(
            "backoffice/_reports_body.html",
            {
                "reports": [
                    _show(build(date_from=period.date_from, date_to=period.date_to), query)
                    for build in REPORTS.values()
                ]
            },
        ),
        fresh=request.GET.get("fresh") == "1",
    )
    return render(
        request,
        "backoffice/reports.html",
        {"form": form, "period": period, "body": figures.value, "figures": figures, "query": query},
    )


@reports_access
def report_csv(request: HttpRequest, report: str) -> StreamingHttpResponse:
    build = REPORTS.get(report)
    if build is None:
        raise Http404
    period = _period_form(request).period
    found = build(date_from=period.date_from, date_to=period.date_to)
    rows: Iterator[list[str]] = iter(_csv_rows(found))
    name = f"{report}-{period.date_from.isoformat()}-{period.date_to.isoformat()}.csv"
    return _csv_response(name, found.csv_header, rows)
