"""Back-office pages for legacy CPS data: search, link to a business, upload a file."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import Business
from propass.accounts.permissions import staff_required
from propass.backoffice.selectors import business_search
from propass.core.errors import DomainError
from propass.core.paging import CappedPaginator
from propass.products.legacy import legacy_import_upload
from propass.products.migration import legacy_link
from propass.products.models import LegacyImport
from propass.products.selectors import legacy_accounts

support = staff_required(group=StaffGroup.SUPPORT)


PAGE_SIZE = 25
BUSINESS_CHOICES = 20


@support
def legacy(request: HttpRequest) -> HttpResponse:
    """Old CPS accounts (without a search: those not migrated yet), and the businesses a
    search by name, VAT number or user e-mail finds, to link one to an account."""
    email = request.GET.get("email", "").strip().lower()
    business_q = request.GET.get("business_q", "").strip()
    page = CappedPaginator(legacy_accounts(email=email), PAGE_SIZE).get_page(request.GET.get("page"))
    accounts = list(page.object_list)
    linked = {b.legacy_email: b for b in Business.objects.filter(legacy_email__in=[a.email for a in accounts])}
    choices = list(business_search(query=business_q)[:BUSINESS_CHOICES]) if business_q else []
    return render(
        request,
        "backoffice/legacy.html",
        {
            "email": email,
            "business_q": business_q,
            "choices": choices,
            "page": page,
            "rows": [(account, linked.get(account.email)) for account in accounts],
            "extra_query": urlencode({k: v for k, v in (("email", email), ("business_q", business_q)) if v}),
            "imports": LegacyImport.objects.all()[:10],
        },
    )


@require_POST
@support
def legacy_link_view(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    business = Business.objects.filter(pk=request.POST.get("business") or 0).first()
    if business is None:
        messages.error(request, _("Choose the business to link."))
        return _back_to_search(email)
    try:
        legacy_link(business=business, email=email, agent=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("%(business)s can now migrate the products of %(email)s.") % {
            "business": business.name, "email": email})  # fmt: skip
    return _back_to_search(email)


def _back_to_search(email: str) -> HttpResponse:
    return redirect(f"{reverse('backoffice:legacy')}?{urlencode({'email': email})}")


@require_POST
@support
def legacy_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
    else:
        legacy_import_upload(upload=upload, actor=request.user)
        messages.success(request, _("The file is queued for import; this page shows its report when it is done."))
    return redirect("backoffice:legacy")


@support
def legacy_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(LegacyImport, pk=pk)
    return render(request, "backoffice/legacy_import.html", {"record": record})
