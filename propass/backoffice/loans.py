"""Back-office pages for the loan pool (staff role service): the units by model and serial at
their centre, one unit with its calendar (its loans by date), the loans, and one loan with the
centre's steps (dispatch, return received, the decision on a damaged or late return). Every
rule is in `propass.service.loans`; these views only read forms and show refusals."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_may
from propass.backoffice.service import PAGE_SIZE, ShipForm, _StaffForm, service
from propass.catalog.models import ProductModel
from propass.core.errors import DomainError, NotFound
from propass.core.forms import DatePicker, form_add_domain_error
from propass.core.paging import CappedPaginator
from propass.service.enums import LoanCondition, LoanStatus, LoanUnitStatus
from propass.service.loans import (
    loan_dispatch,
    loan_fees,
    loan_return,
    loan_settle,
    loan_unit_add,
    loan_unit_checked,
    loan_unit_retire,
)
from propass.service.models import Loan, LoanUnit
from propass.service.selectors import loan_for_agent, loan_units, loans_queue, service_centres


class _FilterForm(_StaffForm):
    """A staff form (the service queue's) that also gives its cleaned values for a filter."""

    def values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name, "") for name in self.fields}


class PoolFilterForm(_FilterForm):
    centre = forms.ChoiceField(label=gettext_lazy("Service centre"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("All")), *LoanUnitStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [("", gettext_lazy("All"))] + [(c.code, c.name) for c in service_centres()]  # type: ignore[attr-defined]


class LoansFilterForm(_FilterForm):
    centre = forms.ChoiceField(label=gettext_lazy("Service centre"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", pgettext_lazy("loans", "Open")), *LoanStatus.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [("", gettext_lazy("All"))] + [(c.code, c.name) for c in service_centres()]  # type: ignore[attr-defined]


class UnitForm(_StaffForm):
    model = forms.ModelChoiceField(label=gettext_lazy("Model"), queryset=ProductModel.objects.order_by("name"))
    serial_number = forms.CharField(label=gettext_lazy("Serial number"), max_length=60)
    centre = forms.ChoiceField(label=gettext_lazy("Service centre"))
    condition = forms.CharField(
        label=gettext_lazy("Condition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(c.code, c.name) for c in service_centres()]  # type: ignore[attr-defined]


class CheckedForm(_StaffForm):
    condition = forms.CharField(
        label=gettext_lazy("Condition after the check"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DispatchForm(ShipForm):
    """A unit sent to the member: the same carrier and tracking number as a shipment back."""


class ReturnForm(_StaffForm):
    returned_on = forms.DateField(label=gettext_lazy("Day the unit came back"), widget=DatePicker)
    condition = forms.ChoiceField(label=gettext_lazy("Condition"), choices=LoanCondition.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SettleForm(_StaffForm):
    charge_late = forms.BooleanField(label=gettext_lazy("Invoice the late days"), required=False)
    charge_damage = forms.BooleanField(label=gettext_lazy("Invoice the damage fee"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Decision, for the member"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


def _may_act(request: HttpRequest) -> bool:
    return staff_may(request.user, [StaffGroup.SERVICE], write=True)  # type: ignore[arg-type]


def _pool_render(request: HttpRequest, unit_form: UnitForm | None = None) -> HttpResponse:
    form = PoolFilterForm(request.GET)
    chosen = form.values()
    units = loan_units(centre=chosen["centre"], status=chosen["status"])
    page = CappedPaginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "unit_form": unit_form or UnitForm(), "may_act": _may_act(request)}
    return render(request, "backoffice/loan_pool.html", context)


@service
def pool(request: HttpRequest) -> HttpResponse:
    return _pool_render(request)


@require_POST
@service
def unit_add(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = loan_unit_add(
                agent=request.user,  # type: ignore[arg-type]
                model_id=data["model"].pk,
                serial_number=data["serial_number"],
                centre=data["centre"],
                condition=data["condition"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Unit %(serial)s added to the pool.") % {"serial": unit.serial_number})
            return redirect("backoffice:loan_unit", pk=unit.pk)
    return _pool_render(request, unit_form=form)


def _unit(pk: int) -> LoanUnit:
    found = LoanUnit.objects.select_related("model", "centre").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@service
def unit_detail(request: HttpRequest, pk: int, checked_form: CheckedForm | None = None) -> HttpResponse:
    unit = _unit(pk)
    calendar = Loan.objects.filter(unit=unit).select_related("business").order_by("starts_on", "pk")
    context = {
        "unit": unit,
        "calendar": calendar,
        "checked_form": checked_form or CheckedForm(initial={"condition": unit.condition}),
        "may_act": _may_act(request),
    }
    return render(request, "backoffice/loan_unit.html", context)


@require_POST
@service
def unit_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _unit(pk)
    try:
        if action == "checked":
            form = CheckedForm(request.POST)
            form.is_valid()
            loan_unit_checked(agent=request.user, unit_id=pk, condition=form.cleaned_data.get("condition", ""))  # type: ignore[arg-type]
            messages.success(request, _("Checked: the unit can be lent again."))
        elif action == "retire":
            loan_unit_retire(agent=request.user, unit_id=pk)  # type: ignore[arg-type]
            messages.success(request, _("The unit is retired from the pool."))
        else:
            raise Http404
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    return redirect("backoffice:loan_unit", pk=pk)


@service
def loans_list(request: HttpRequest) -> HttpResponse:
    form = LoansFilterForm(request.GET)
    chosen = form.values()
    page = CappedPaginator(loans_queue(status=chosen["status"], centre=chosen["centre"]), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "backoffice/loans.html", {"form": form, "page": page, "extra_query": query.urlencode()})


def _loan_render(request: HttpRequest, pk: int, **forms_given: Any) -> HttpResponse:
    try:
        loan = loan_for_agent(loan_id=pk)
    except NotFound:
        raise Http404 from None
    days_late, late_fee, damage_fee = loan_fees(loan)
    context: dict[str, Any] = {
        "loan": loan,
        "days_late": days_late,
        "late_fee": late_fee,
        "damage_fee": damage_fee,
        "dispatch_form": DispatchForm(),
        "return_form": ReturnForm(initial={"returned_on": timezone.localdate(), "condition": LoanCondition.GOOD}),
        "settle_form": SettleForm(initial={"charge_late": bool(days_late), "charge_damage": bool(damage_fee)}),
        "may_act": _may_act(request),
    }
    context.update(forms_given)
    return render(request, "backoffice/loan.html", context)


@service
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _loan_render(request, pk)


def _dispatch(request: HttpRequest, pk: int, form: DispatchForm) -> Any:
    loan_dispatch(agent=request.user, loan_id=pk, **form.cleaned_data)  # type: ignore[arg-type]
    return _("Dispatched; the member has the tracking number.")


def _return(request: HttpRequest, pk: int, form: ReturnForm) -> Any:
    loan = loan_return(agent=request.user, loan_id=pk, **form.cleaned_data)  # type: ignore[arg-type]
    if loan.status == LoanStatus.CLOSED:
        return _("Return recorded; the deposit is released. Check the unit before it is lent again.")
    return _("Return recorded; decide on the damage or the late days below.")


def _settle(request: HttpRequest, pk: int, form: SettleForm) -> Any:
    loan_settle(agent=request.user, loan_id=pk, **form.cleaned_data)  # type: ignore[arg-type]
    return _("Decision recorded; the loan is closed and the deposit released.")


LOAN_STEPS: dict[str, tuple[type[_StaffForm], str, Callable[..., Any]]] = {
    "dispatch": (DispatchForm, "dispatch_form", _dispatch),
    "return": (ReturnForm, "return_form", _return),
    "settle": (SettleForm, "settle_form", _settle),
}


@require_POST
@service
def loan_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in LOAN_STEPS:
        raise Http404
    form_class, name, act = LOAN_STEPS[action]
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
            return redirect("backoffice:loan", pk=pk)
    return _loan_render(request, pk, **{name: form})
