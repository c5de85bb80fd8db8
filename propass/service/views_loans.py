"""The member's loan pages: the business's loans, asking for one (model, dates, an optional open
service request, the loan terms; availability shown) and one loan with its deposit and tracking.
Thin: the rules are in service/loans.py."""

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.models import Business
from propass.accounts.selectors import business_of
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.service.enums import FINISHED, LOAN_CANCELLABLE
from propass.service.loans import (
    LoanInput,
    loan_cancel,
    loan_days_allowed,
    loan_request,
    loan_terms_version,
)
from propass.service.models import Loan, ServiceRequest
from propass.service.selectors import loan_availability, loan_for_member, loan_list, loan_models

PAGE_SIZE = 50
AVAILABILITY_DAYS = 28


class LoanForm(forms.Form):
    model = forms.TypedChoiceField(label=gettext_lazy("Model"), coerce=int)
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))
    service_request = forms.TypedChoiceField(
        label=gettext_lazy("For the service request"), coerce=int, required=False, empty_value=None
    )
    accept_terms = forms.BooleanField(label=gettext_lazy("I accept the loan terms"), required=False)

    def __init__(self, *args: object, business: Business, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["model"].choices = [(m.pk, m.name) for m in loan_models()]  # type: ignore[attr-defined]
        open_requests = ServiceRequest.objects.filter(business=business).exclude(status__in=FINISHED)
        self.fields["service_request"].choices = [  # type: ignore[attr-defined]
            ("", _("None: a loan on its own")),
            *[(r.pk, f"{r.reference} · {r.registration.product}") for r in open_requests.select_related(
                "registration__product")],
        ]  # fmt: skip


def _business(request: HttpRequest) -> Business:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    return business


@login_required
def loans_list(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    items = loan_list(business=business) if business else Loan.objects.none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "service/loans/list.html", {"page": page, "loans": page.object_list})


def _availability(model_id: int | None, start: date) -> list:
    if not model_id:
        return []
    return loan_availability(model_id=model_id, starts_on=start, ends_on=start + timedelta(days=AVAILABILITY_DAYS - 1))


@login_required
def loan_new(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    # A loan offered with a notice (a missed promise) opens with its request, model and days filled in.
    initial = {key: request.GET.get(key) or "" for key in ("service_request", "model", "starts_on", "ends_on")}
    form = LoanForm(request.POST or None, business=business, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = loan_request(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                data=LoanInput(
                    model_id=data["model"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                    service_request_id=data["service_request"], accept_terms=data["accept_terms"],
                ),
            )  # fmt: skip
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your loan %(reference)s is reserved.") % {"reference": loan.reference})
            return redirect("service:loan", pk=loan.pk)
    chosen = form.data.get("model") or request.GET.get("model") or ""
    model_id = int(chosen) if str(chosen).isdigit() else None
    if model_id is None and form.fields["model"].choices:  # type: ignore[attr-defined]
        model_id = form.fields["model"].choices[0][0]  # type: ignore[attr-defined]
    context = {
        "form": form,
        "days_allowed": loan_days_allowed(business=business),
        "terms_version": loan_terms_version(),
        "availability": _availability(model_id, timezone.localdate()),
        "availability_model": model_id,
    }
    return render(request, "service/loans/new.html", context)


@login_required
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        loan = loan_for_member(business=business, loan_id=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "service/loans/detail.html", {"loan": loan, "cancellable": loan.status in LOAN_CANCELLABLE})


@login_required
@require_POST
def loan_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        loan = loan_cancel(business=business, actor=request.user, loan_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("Loan %(reference)s is cancelled.") % {"reference": loan.reference})
    return redirect("service:loan", pk=pk)
