"""Back-office pages for every staff role: find a business, and its member 360 page."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propass.accounts.enums import StaffGroup
from propass.accounts.models import Business, User
from propass.accounts.permissions import staff_in, staff_required
from propass.backoffice.selectors import SEARCH_CAP, business_overview, business_search, business_search_exact
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.core.paging import CappedPaginator
from propass.points.services import points_adjust
from propass.products.models import Registration

# Points corrections stay with support, as on the business points page.
ADJUST_POINTS = StaffGroup.SUPPORT

PAGE_SIZE = 50


class PointsAdjustForm(forms.Form):
    # The note rule (mandatory) lives in points_adjust; the form only parses.
    amount = forms.IntegerField(label=gettext_lazy("Points (negative to remove)"))
    note = forms.CharField(
        label=gettext_lazy("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "aria-required": "true"}),
        help_text=gettext_lazy("Mandatory: the business and the audit log keep it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].conditional = True  # type: ignore[attr-defined]  # required, by the service


@staff_required
def businesses(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = CappedPaginator(business_search(query=query), PAGE_SIZE, cap=SEARCH_CAP if query else None).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)  # read once: the single-hit check and the list share it
    if query and page.paginator.count == 1 and business_search_exact(page.object_list[0], query):
        return redirect("backoffice:business", pk=page.object_list[0].pk)
    return render(
        request,
        "backoffice/business_search.html",
        {"q": query, "page": page, "extra_query": urlencode({"q": query}) if query else ""},
    )


@staff_required
def business(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Business.objects.select_related("vies_check"), pk=pk)
    agent: User = request.user  # type: ignore[assignment]
    can_adjust = staff_in(agent, ADJUST_POINTS)
    form = PointsAdjustForm(request.POST or None)
    if request.method == "POST":
        if not can_adjust:
            raise PermissionDenied
        if form.is_valid():
            try:
                points_adjust(business=found, agent=agent, **form.cleaned_data)
            except DomainError as error:
                form_add_domain_error(form, error)
            else:
                messages.success(request, _("The points were adjusted."))
                return redirect(reverse("backoffice:business", args=[pk]) + "#points")
    return render(
        request,
        "backoffice/business_detail.html",
        {
            "overview": business_overview(business=found),
            "form": form,
            "can_adjust": can_adjust,
            "can_erase": staff_in(agent, StaffGroup.PROGRAM_ADMIN),
        },
    )


@staff_required
def business_products(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Business, pk=pk)
    registrations = Registration.objects.filter(business=found).select_related("product")
    page = CappedPaginator(registrations.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "backoffice/business_products.html", {"business": found, "page": page})
