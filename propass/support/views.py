from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.models import Business, User
from propass.accounts.selectors import business_of
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.core.views import upload_response
from propass.support.enums import TicketCategory, TicketStatus
from propass.support.forms import ReplyForm, TicketForm
from propass.support.models import Ticket, TicketAttachment
from propass.support.selectors import attachment_for, ticket_for_member, ticket_list
from propass.support.services import ticket_close, ticket_open, ticket_reply_member

PAGE_SIZE = 50


def _business(request: HttpRequest) -> Business:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    return business


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    items = ticket_list(business=business) if business else Ticket.objects.none()
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "support/tickets.html", {"page": page, "tickets": page.object_list})


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    category = request.GET.get("category", "")
    initial = {"category": category}
    if category == TicketCategory.MIGRATION:
        initial["subject"] = _("Migrating the products of my old CPS account")
    form = TicketForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_open(business=business, author=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your request is with CPS Priority Support. We will answer soon."))
            return redirect("support:ticket", pk=ticket.pk)
    return render(request, "support/ticket_new.html", {"form": form})


def _get_ticket(business: Business, pk: int) -> Ticket:
    try:
        return ticket_for_member(business=business, ticket_id=pk)
    except NotFound:
        raise Http404 from None


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    ticket = _get_ticket(business, pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_reply_member(
                business=business,
                author=request.user,  # type: ignore[arg-type]
                ticket_id=ticket.pk,
                **form.cleaned_data,
            )
        except NotFound:
            raise Http404 from None
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            if ticket.status == TicketStatus.CLOSED:
                messages.success(request, _("Your reply is sent and the request is open again."))
            else:
                messages.success(request, _("Your reply is sent."))
            return redirect("support:ticket", pk=ticket.pk)
    return render(request, "support/ticket.html", {"ticket": ticket, "form": form})


@require_POST
@login_required
def ticket_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        ticket_close(business=business, actor=request.user, ticket_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("The request is closed. Reply to it any time to open it again."))
    return redirect("support:ticket", pk=pk)


def attachment_response(attachment: TicketAttachment) -> FileResponse:
    """A ticket attachment, as a sandboxed download (see core's upload_response)."""
    return upload_response(attachment.file, content_type=attachment.content_type, name=attachment.original_name)


@csp_exempt()  # type: ignore[arg-type]
@login_required
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A ticket's attachment, for the ticket's business and the support agents only."""
    user: User = request.user  # type: ignore[assignment]
    found = attachment_for(user=user, attachment_id=pk)
    if found is None:
        raise Http404
    return attachment_response(found)
