"""Back-office pages for legacy CPS data: search, link to a business, upload a file."""

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import Business
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError
from propass.products.legacy import legacy_import_upload
from propass.products.migration import legacy_link
from propass.products.models import LegacyAccount, LegacyImport

support = staff_required(group=StaffGroup.SUPPORT)


@support
def legacy(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("email", "").strip().lower()
    accounts = []
    if email:
        accounts = list(
            LegacyAccount.objects.filter(email__contains=email)
            .select_related("migrated_to")
            .annotate(products=Count("registrations"))
            .order_by("email")[:50]
        )
    linked = {b.legacy_email: b for b in Business.objects.filter(legacy_email__in=[a.email for a in accounts])}
    rows = [(account, linked.get(account.email)) for account in accounts]
    return render(
        request,
        "backoffice/legacy.html",
        {"email": email, "rows": rows, "imports": LegacyImport.objects.all()[:10]},
    )


@require_POST
@support
def legacy_link_view(request: HttpRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    business = Business.objects.filter(pk=request.POST.get("business") or 0).first()
    if business is None:
        messages.error(request, _("No business has this number."))
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
