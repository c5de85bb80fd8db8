"""Back-office pages for support and program staff: serial conflicts and points corrections."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import Business
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError
from propass.core.paging import CappedPaginator
from propass.points.selectors import ledger_for
from propass.points.services import points_adjust
from propass.products.models import LegacyAccount, Registration
from propass.products.selectors import registration_conflicts
from propass.products.services import registration_review_resolve

support = staff_required(group=StaffGroup.SUPPORT)


class AdjustForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Points (negative to remove)"))
    note = forms.CharField(label=gettext_lazy("Why"), widget=forms.Textarea(attrs={"rows": 2}))


@support
def conflicts(request: HttpRequest) -> HttpResponse:
    rows = []
    for registration in registration_conflicts()[:200]:
        holder = (
            Registration.objects.select_related("business")
            .filter(product_id=registration.product_id, serial_number=registration.serial_number, status="complete")
            .first()
        )
        rows.append((registration, holder))
    return render(request, "backoffice/conflicts.html", {"rows": rows})


@require_POST
@support
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        registration_review_resolve(
            registration_id=pk,
            keep=request.POST.get("keep") == "this",
            agent=request.user,  # type: ignore[arg-type]
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("The conflict is resolved and both businesses are told."))
    return redirect("backoffice:conflicts")


@support
def business_points(request: HttpRequest, pk: int) -> HttpResponse:
    business = get_object_or_404(Business, pk=pk)
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            points_adjust(business=business, agent=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            messages.error(request, error.summary())
        else:
            messages.success(request, _("The points were adjusted."))
            return redirect("backoffice:business_points", pk=pk)
    page = CappedPaginator(ledger_for(business=business).select_related("actor"), 50).get_page(request.GET.get("page"))
    legacy = LegacyAccount.objects.filter(email=business.legacy_email).first() if business.legacy_email else None
    return render(
        request,
        "backoffice/business_points.html",
        {"business": business, "page": page, "form": form, "legacy": legacy},
    )
