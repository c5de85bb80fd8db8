from csp.decorators import csp_exempt
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import Business
from propass.accounts.permissions import staff_may, staff_required
from propass.accounts.services import password_link_resend
from propass.billing.bank import bank_lines_unmatched_count
from propass.core.errors import DomainError
from propass.core.paging import CappedPaginator
from propass.notifications.enums import OutboxStatus, SecretKind
from propass.notifications.models import OutboxMessage
from propass.notifications.selectors import outbox_list
from propass.notifications.services import email_send, outbox_requeue
from propass.onboarding.selectors import application_counts
from propass.onboarding.services import application_link_resend
from propass.products.selectors import registration_conflicts_count
from propass.service.selectors import service_overdue_count
from propass.support.selectors import tickets_waiting_for_staff_count


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    counts = {
        "businesses": Business.objects.count(),
        "outbox_queued": OutboxMessage.objects.filter(status=OutboxStatus.QUEUED).count(),
        "outbox_failed": OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count(),
        "applications": application_counts(),
        "tickets": tickets_waiting_for_staff_count(),
        "conflicts": registration_conflicts_count(),
        "bank_unmatched": bank_lines_unmatched_count(),
        "service_overdue": service_overdue_count(),
    }
    user = request.user
    links = {
        "support": staff_may(user, [StaffGroup.SUPPORT], write=False),  # type: ignore[arg-type]
        "finance": staff_may(user, [StaffGroup.FINANCE], write=False),  # type: ignore[arg-type]
        "service": staff_may(user, [StaffGroup.SERVICE], write=False),  # type: ignore[arg-type]
    }
    return render(request, "backoffice/dashboard.html", {"counts": counts, "links": links})


@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    to = request.GET.get("to", "")
    page = CappedPaginator(
        outbox_list(to=to).only("pk", "created_at", "to", "subject", "status", "attempts"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "backoffice/outbox.html", {"page": page, "to": to})


# Staff who help members and applicants may have a single-use link sent again (never the auditor).
LINK_HELPERS = [StaffGroup.VALIDATION, StaffGroup.SUPPORT, StaffGroup.PROGRAM_ADMIN]


@staff_required
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One e-mail as staff may read it: a single-use link shows as "link sent" (the bodies
    themselves are for delivery and `propass outbox` on the server)."""
    message = get_object_or_404(OutboxMessage, pk=pk)
    may_resend = bool(message.secret_kind) and staff_may(request.user, LINK_HELPERS, write=True)  # type: ignore[arg-type]
    return render(request, "backoffice/outbox_detail.html", {"message": message, "may_resend": may_resend})


@csp_exempt()  # type: ignore[arg-type]
@staff_required
def outbox_html(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML version of an e-mail, for the preview frame: sandboxed, no scripts."""
    message = get_object_or_404(OutboxMessage, pk=pk)
    response = HttpResponse(message.staff_html)
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"
    )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_POST
@staff_required
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        outbox_requeue(message_id=pk, actor=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
        return redirect("backoffice:outbox_detail", pk=pk)
    messages.success(request, _("The e-mail is queued again."))
    return redirect("backoffice:outbox_detail", pk=pk)


@require_POST
@staff_required(groups=LINK_HELPERS)
def outbox_resend_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Instead of showing a single-use link, send its owner a new one, through the service
    that owns it (audited)."""
    message = get_object_or_404(OutboxMessage, pk=pk)
    actor = request.user
    try:
        if message.secret_kind == SecretKind.PASSWORD and message.secret_ref:
            sent = password_link_resend(user_id=message.secret_ref, actor=actor)  # type: ignore[arg-type]
        elif message.secret_kind == SecretKind.APPLICATION and message.secret_ref:
            sent = application_link_resend(application_id=message.secret_ref, actor=actor)  # type: ignore[arg-type]
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, error.summary())
        return redirect("backoffice:outbox_detail", pk=pk)
    messages.success(request, _("A new link is on its way to %(email)s.") % {"email": sent.to})
    return redirect("backoffice:outbox_detail", pk=sent.pk)


@require_POST
@staff_required
def outbox_test(request: HttpRequest) -> HttpResponse:
    """Send a test e-mail to oneself, to check the e-mail configuration."""
    email_send(
        to=request.user.email,  # type: ignore[union-attr]
        template="test_message",
        context={"user": request.user},
        language=request.user.language,  # type: ignore[union-attr]
    )
    messages.success(request, _("A test e-mail is on its way to %(email)s.") % {"email": request.user.email})  # type: ignore[union-attr]
    return redirect("backoffice:outbox")
