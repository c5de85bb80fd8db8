"""Back-office pages for the validation team: the queue and the decisions."""

from typing import TYPE_CHECKING

from csp.decorators import csp_exempt
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import User
from propass.accounts.permissions import staff_required
from propass.accounts.services import password_link_resend
from propass.core.countries import country_choices
from propass.core.enums import AuditAction
from propass.core.errors import DomainError
from propass.core.models import AuditLog
from propass.core.paging import COUNT_CAP, CappedPaginator
from propass.core.selectors import program_current
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.forms import RejectForm, RequestInfoForm
from propass.onboarding.models import Application
from propass.onboarding.selectors import (
    application_counts,
    application_queue,
    application_review_facts,
    document_for_staff,
)
from propass.onboarding.services import (
    application_approve,
    application_reject,
    application_request_info,
    application_start_review,
    application_vies_check_again,
)
from propass.onboarding.views import document_response

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

validation = staff_required(group=StaffGroup.VALIDATION)

# What the application's history says for each audited step, in the reader's language.
HISTORY_LABELS: dict[str, "_StrPromise"] = {
    AuditAction.APPLICATION_SUBMIT: gettext_lazy("Submitted"),
    AuditAction.APPLICATION_REVIEW: gettext_lazy("Review started"),
    AuditAction.APPLICATION_REQUEST_INFO: gettext_lazy("Information requested"),
    AuditAction.APPLICATION_ANSWER: gettext_lazy("Applicant answered"),
    AuditAction.APPLICATION_APPROVE: gettext_lazy("Approved"),
    AuditAction.APPLICATION_REJECT: gettext_lazy("Rejected"),
    AuditAction.APPLICATION_LINK_RESEND: gettext_lazy("Set-password link sent again"),
    AuditAction.APPLICATION_VIES_CHECK: gettext_lazy("VIES asked again"),
}


@validation
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    country = request.GET.get("country", "")
    applications = application_queue(status=status, country=country)
    page = CappedPaginator(applications, 50).get_page(request.GET.get("page"))
    counts = application_counts()
    query = "&".join(f"{key}={value}" for key, value in (("status", status), ("country", country)) if value)
    return render(
        request,
        "backoffice/applications.html",
        {
            "page": page,
            "counts": counts,
            "status_counts": [
                (code, label, min(counts[code], COUNT_CAP), counts[code] > COUNT_CAP)
                for code, label in ApplicationStatus.choices
            ],
            "statuses": ApplicationStatus.choices,
            "countries": country_choices(program_current().participating_countries),
            "status": status,
            "country": country,
            "extra_query": query,
            "now": timezone.now(),
        },
    )


@validation
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("vies_check").prefetch_related("documents"), pk=pk
    )
    history = list(
        AuditLog.objects.filter(target_type="onboarding.application", target_id=str(pk)).order_by("created_at")
    )
    for entry in history:
        entry.label = HISTORY_LABELS.get(entry.action, entry.action)  # type: ignore[attr-defined]
    return render(
        request,
        "backoffice/application_detail.html",
        {
            "application": application,
            "facts": application_review_facts(application=application),
            "history": history,
            "reject_form": RejectForm(),
            "info_form": RequestInfoForm(),
            "now": timezone.now(),
        },
    )


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agent: User = request.user  # type: ignore[assignment]
    try:
        if action == "review":
            application_start_review(application_id=pk, agent=agent)
            messages.success(request, _("You are reviewing this application."))
        elif action == "approve":
            application_approve(application_id=pk, agent=agent)
            messages.success(request, _("Approved: the business exists and the set-password e-mail is on its way."))
        elif action == "reject":
            application_reject(application_id=pk, agent=agent, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected: the applicant is told why."))
        elif action == "request-info":
            application_request_info(application_id=pk, agent=agent, message=request.POST.get("message", ""))
            messages.success(request, _("The applicant is asked for more information."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.summary())
    return redirect("backoffice:application", pk=pk)


@require_POST
@validation
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    return _act(request, pk, action)


@require_POST
@validation
def resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the approved applicant a new set-password link."""
    application = get_object_or_404(Application, pk=pk, status=ApplicationStatus.APPROVED)
    user = User.objects.filter(email__iexact=application.email, is_active=True).first()
    if user is None:
        raise Http404
    password_link_resend(user_id=user.pk, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("A new set-password link is on its way to %(email)s.") % {"email": user.email})
    return redirect("backoffice:application", pk=pk)


@require_POST
@validation
def vies_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask VIES again about the application's VAT number."""
    get_object_or_404(Application, pk=pk)
    try:
        application_vies_check_again(application_id=pk, agent=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("VIES is being asked again; its answer appears here."))
    return redirect("backoffice:application", pk=pk)


@csp_exempt()  # type: ignore[arg-type]
@validation
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = document_for_staff(document_id=pk)
    if found is None:
        raise Http404
    return document_response(found)
