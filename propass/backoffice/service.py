"""Back-office pages for the service centres: the queue ordered by promised date, and one
request beside the product's registration and the business's tier and allowances, with the
centre's steps (receipt, diagnosis, quote, completion, shipment, closing). Every rule is in
`propass.service.services`; these views only read forms and show refusals."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_may, staff_required
from propass.core.errors import DomainError, NotFound
from propass.core.forms import DatePicker, form_add_domain_error
from propass.core.paging import CappedPaginator
from propass.memberships.selectors import tiers_all
from propass.service.enums import ServiceStatus
from propass.service.models import ServiceRequest
from propass.service.selectors import (
    service_agent_context,
    service_centres,
    service_overdue_count,
    service_queue,
    service_request_for_agent,
)
from propass.service.services import (
    quote_amount_parse,
    quote_preview,
    service_request_close,
    service_request_quote,
    service_request_ready,
    service_request_receive,
    service_request_ship,
    service_request_start,
)
from propass.service.views import slip_response

service = staff_required(group=StaffGroup.SERVICE)

PAGE_SIZE = 50


class _StaffForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class QueueFilterForm(_StaffForm):
    centre = forms.ChoiceField(label=gettext_lazy("Service centre"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", pgettext_lazy("service requests", "Open")), *ServiceStatus.choices],
    )
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", gettext_lazy("All"))]
        self.fields["centre"].choices = everything + [(centre.code, centre.name) for centre in service_centres()]  # type: ignore[attr-defined]
        self.fields["tier"].choices = everything + [(tier.code, tier.name) for tier in tiers_all()]  # type: ignore[attr-defined]

    def values(self) -> dict[str, str]:
        # A value the form cannot read is ignored rather than refused.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name, "") for name in self.fields}


class ReceiveForm(_StaffForm):
    received_on = forms.DateField(label=gettext_lazy("Day the product arrived"), widget=DatePicker)


class StartForm(_StaffForm):
    diagnosis = forms.CharField(
        label=gettext_lazy("Diagnosis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The member reads it in the request's timeline."),
    )


class QuoteForm(_StaffForm):
    amount = forms.CharField(
        label=gettext_lazy("Repair, excl. VAT, before the discount"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the member"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShipForm(_StaffForm):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=60)
    tracking = forms.CharField(label=gettext_lazy("Tracking number"), max_length=100)


@service
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    chosen = form.values()
    requests = service_queue(centre=chosen["centre"], status=chosen["status"], tier=chosen["tier"])
    page = CappedPaginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/service_queue.html",
        {"form": form, "page": page, "extra_query": query.urlencode(), "overdue": service_overdue_count()},
    )


def _found(pk: int) -> ServiceRequest:
    try:
        return service_request_for_agent(request_id=pk)
    except NotFound:
        raise Http404 from None


def _render(request: HttpRequest, pk: int, **forms_given: Any) -> HttpResponse:
    found = _found(pk)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "service_request": found,
        "context": service_agent_context(request=found),
        "receive_form": ReceiveForm(initial={"received_on": today}),
        "start_form": StartForm(),
        "quote_form": QuoteForm(),
        "ship_form": ShipForm(),
        "preview": None,
        "may_act": staff_may(request.user, [StaffGroup.SERVICE], write=True),  # type: ignore[arg-type]
    }
    context.update(forms_given)
    return render(request, "backoffice/service_request.html", context)


@service
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, pk)


@service
def request_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The shipping slip, as the member printed it (to match a parcel that arrives)."""
    return slip_response(_found(pk))


def _receive(request: HttpRequest, pk: int, form: ReceiveForm) -> Any:
    received_on: date = form.cleaned_data["received_on"]
    found = service_request_receive(agent=request.user, request_id=pk, received_on=received_on)  # type: ignore[arg-type]
    if found.promised_by is not None:
        return _("Receipt recorded: promised by %(date)s.") % {
            "date": date_format(found.promised_by, "SHORT_DATE_FORMAT")
        }
    return _("Receipt recorded.")


def _start(request: HttpRequest, pk: int, form: StartForm) -> Any:
    service_request_start(agent=request.user, request_id=pk, diagnosis=form.cleaned_data["diagnosis"])  # type: ignore[arg-type]
    return _("Work started; the member is told.")


def _quote(request: HttpRequest, pk: int, form: QuoteForm) -> Any:
    service_request_quote(agent=request.user, request_id=pk, **form.cleaned_data)  # type: ignore[arg-type]
    return _("Quote sent; it waits for the member's decision.")


def _ship(request: HttpRequest, pk: int, form: ShipForm) -> Any:
    service_request_ship(agent=request.user, request_id=pk, **form.cleaned_data)  # type: ignore[arg-type]
    return _("Shipment recorded; the member has the tracking number.")


# Each step: its form (None: a button), where a refused form is shown, and the service call.
FORM_STEPS: dict[str, tuple[type[_StaffForm], str, Callable[..., Any]]] = {
    "receive": (ReceiveForm, "receive_form", _receive),
    "start": (StartForm, "start_form", _start),
    "quote": (QuoteForm, "quote_form", _quote),
    "ship": (ShipForm, "ship_form", _ship),
}
BUTTON_STEPS: dict[str, tuple[Callable[..., Any], Any]] = {
    "ready": (service_request_ready, gettext_lazy("Ready to ship back; the member is told.")),
    "close": (service_request_close, gettext_lazy("The request is closed.")),
}


@require_POST
@service
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action in BUTTON_STEPS:
        move, done = BUTTON_STEPS[action]
        try:
            move(agent=request.user, request_id=pk)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            messages.error(request, error.summary())
        else:
            messages.success(request, str(done))
        return redirect("backoffice:service_request", pk=pk)
    if action == "preview":
        return _quote_preview(request, pk)
    if action not in FORM_STEPS:
        raise Http404
    form_class, name, act = FORM_STEPS[action]
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(request, pk, form)
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect("backoffice:service_request", pk=pk)
    return _render(request, pk, **{name: form})


def _quote_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the member would pay for the amount typed: the discount within what is left of the
    cap. Nothing is recorded."""
    form = QuoteForm(request.POST)
    preview = None
    if form.is_valid():
        try:
            amount = quote_amount_parse(form.cleaned_data["amount"])
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            discount = quote_preview(request=_found(pk), amount=amount)
            preview = {"amount": amount, "discount": discount, "total": amount - discount.amount}
    return _render(request, pk, quote_form=form, preview=preview)
