"""The audit trail viewer: every staff role reads it, filters it and exports it; nobody edits it."""

import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from propass.accounts.permissions import staff_required
from propass.backoffice.finance import _csv_response, _FilterForm, _query_without_page, _text, _wants_csv
from propass.backoffice.selectors import AuditFilters, audit_search, audit_target_types
from propass.core.forms import DatePicker
from propass.core.paging import CappedPaginator

PAGE_SIZE = 50


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DatePicker())


class AuditFilterForm(_FilterForm):
    actor = forms.CharField(label=gettext_lazy("Who (e-mail contains)"), required=False)
    action = forms.CharField(label=gettext_lazy("Action (starts with)"), required=False)
    target_type = forms.ChoiceField(label=gettext_lazy("Object type"), required=False)
    target_id = forms.CharField(label=gettext_lazy("Object id"), required=False)
    date_from = _date(gettext_lazy("From"))
    date_to = _date(gettext_lazy("To"))
    q = forms.CharField(
        label=gettext_lazy("Object or action contains"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", gettext_lazy("All")), *audit_target_types()]
        self.fields["target_type"].choices = choices  # type: ignore[attr-defined]


COLUMNS = ["created_at", "actor", "action", "target_type", "target_id", "target", "data"]


def _rows(found: Any) -> Iterator[list[str]]:
    for entry in found.iterator(chunk_size=2000):
        yield [
            timezone.localtime(entry.created_at).isoformat(timespec="seconds"), _text(entry.actor_repr),
            entry.action, entry.target_type, _text(entry.target_id), _text(entry.target_repr),
            _text(json.dumps(entry.data, ensure_ascii=False, sort_keys=True)),
        ]  # fmt: skip


@staff_required()  # any staff; called, since a CSV export is no HttpResponse
def audit(request: HttpRequest) -> HttpResponseBase:
    form = AuditFilterForm(request.GET)
    found = audit_search(filters=AuditFilters(**form.values()))
    if _wants_csv(request):
        return _csv_response(f"audit-{timezone.localdate().isoformat()}.csv", COLUMNS, _rows(found))
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/audit.html",
        {"form": form, "page": page, "extra_query": _query_without_page(request)},
    )
