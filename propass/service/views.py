from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.models import Business, User
from propass.accounts.permissions import has_billing_rights
from propass.accounts.selectors import business_of
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.core.uploads import content_disposition
from propass.core.views import upload_response
from propass.memberships.benefits import benefits_summary
from propass.memberships.enums import BenefitKind
from propass.memberships.value import year_value
from propass.service.enums import CANCELLABLE, FINISHED, ServiceStatus
from propass.service.forms import SentForm, ServiceRequestForm
from propass.service.loans import loan_days_allowed
from propass.service.models import ServiceAttachment, ServiceRequest
from propass.service.pdf import shipping_slip_pdf
from propass.service.selectors import (
    attachment_for,
    credited_registrations,
    return_address_default,
    service_centre_for,
    service_request_for_member,
    service_request_list,
)
from propass.service.services import (
    ServiceRequestInput,
    service_quote_approve,
    service_quote_decline,
    service_request_cancel,
    service_request_create,
    service_request_mark_sent,
)

PAGE_SIZE = 50
RECENT = 5


def _business(request: HttpRequest) -> Business:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    return business


def _get(business: Business, pk: int) -> ServiceRequest:
    try:
        return service_request_for_member(business=business, request_id=pk)
    except NotFound:
        raise Http404 from None


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    items = service_request_list(business=business) if business else ServiceRequest.objects.none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "service/list.html", {"page": page, "requests": page.object_list})


@login_required
def benefits(request: HttpRequest) -> HttpResponse:
    """What the membership includes, used and left this membership year, what it gave this year
    next to its fee, and the recent service requests (what the member card's VIEW opens)."""
    business = business_of(request.user)  # type: ignore[arg-type]
    summary = benefits_summary(business=business) if business is not None else None
    value = year_value(business=business) if summary is not None and business is not None else None
    recent = list(service_request_list(business=business)[:RECENT]) if business is not None else []
    loans = business is not None and loan_days_allowed(business=business) is not None
    return render(
        request, "service/benefits.html", {"summary": summary, "value": value, "requests": recent, "loans": loans}
    )


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    centre = service_centre_for(country=str(business.country))
    initial = {**return_address_default(business=business), "centre": centre.code if centre else ""}
    form = ServiceRequestForm(request.POST or None, request.FILES or None, business=business, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = service_request_create(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                data=ServiceRequestInput(
                    registration_id=data["registration"].pk, kind=data["kind"], description=data["description"],
                    centre=data["centre"], return_name=data["return_name"], return_street=data["return_street"],
                    return_postal_code=data["return_postal_code"], return_city=data["return_city"],
                    return_country=data["return_country"],
                ),
                attachments=data["attachments"],
            )  # fmt: skip
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Your service request %(reference)s is registered. Send the product as described below.")
                % {"reference": created.reference},
            )
            return redirect("service:detail", pk=created.pk)
    summary = benefits_summary(business=business)
    checks = summary.line(BenefitKind.MAINTENANCE_CHECKS) if summary else None
    context = {
        "form": form,
        "summary": summary,
        "checks": checks,
        "checks_left": int(checks.remaining) if checks and checks.remaining is not None else 0,
        "has_products": credited_registrations(business=business).exists(),
    }
    return render(request, "service/new.html", context)


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    found = _get(business, pk)
    context = {
        "service_request": found,
        "sent_form": SentForm(),
        "can_cancel": found.status in CANCELLABLE,
        "can_decide": has_billing_rights(user=request.user, business=business),  # type: ignore[arg-type]
        "awaiting_product": found.status in (ServiceStatus.SUBMITTED, ServiceStatus.AWAITING_PRODUCT),
        "loan_days": loan_days_allowed(business=business) if found.status not in FINISHED else None,
    }
    return render(request, "service/detail.html", context)


def _act(request: HttpRequest, pk: int, done: str, action) -> HttpResponse:  # type: ignore[no-untyped-def]
    business = _business(request)
    try:
        action(business=business, actor=request.user, request_id=pk)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, done)
    return redirect("service:detail", pk=pk)


@require_POST
@login_required
def request_sent(request: HttpRequest, pk: int) -> HttpResponse:
    form = SentForm(request.POST)
    tracking = form.cleaned_data["tracking"] if form.is_valid() else ""

    def sent(**kwargs):  # type: ignore[no-untyped-def]
        return service_request_mark_sent(tracking=tracking, **kwargs)

    return _act(request, pk, _("Thank you. The service centre knows the product is on its way."), sent)


@require_POST
@login_required
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("The service request is cancelled."), service_request_cancel)


@require_POST
@login_required
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, _("You approved the quote. The repair goes ahead."), service_quote_approve)


@require_POST
@login_required
def quote_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, _("You declined the quote. The product will be shipped back unrepaired."), service_quote_decline
    )


def slip_response(found: ServiceRequest) -> HttpResponse:
    """The shipping slip PDF in the active language, as a download."""
    content = shipping_slip_pdf(request=found, language=get_language() or "en")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"{found.reference}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def slip(request: HttpRequest, pk: int) -> HttpResponse:
    return slip_response(_get(_business(request), pk))


def attachment_response(attachment: ServiceAttachment) -> FileResponse:
    """A request's attachment, as a sandboxed download (see core's upload_response)."""
    return upload_response(attachment.file, content_type=attachment.content_type, name=attachment.original_name)


@csp_exempt()  # type: ignore[arg-type]
@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A request's attachment, for the request's business and the service agents only."""
    user: User = request.user  # type: ignore[assignment]
    found = attachment_for(user=user, attachment_id=pk)
    if found is None:
        raise Http404
    return attachment_response(found)
