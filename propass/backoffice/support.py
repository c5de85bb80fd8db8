"""Back-office pages for CPS Priority Support: the queue and one ticket beside the member's
context."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.models import User
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.core.paging import CappedPaginator
from propass.support.enums import TicketCategory, TicketStatus
from propass.support.forms import NoteForm, StaffReplyForm
from propass.support.models import CannedReply, Ticket
from propass.support.selectors import canned_replies, member_context, support_agents, ticket_for_agent, ticket_queue
from propass.support.services import ticket_assign, ticket_close, ticket_reply_staff

support = staff_required(group=StaffGroup.SUPPORT)

PAGE_SIZE = 50
_ANY = [("", gettext_lazy("All"))]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Not closed")), *TicketStatus.choices],
    )
    category = forms.ChoiceField(label=gettext_lazy("About"), required=False, choices=_ANY + TicketCategory.choices)
    assigned = forms.ChoiceField(
        label=gettext_lazy("Assigned"),
        required=False,
        choices=[("", gettext_lazy("Anyone")), ("me", gettext_lazy("To me")), ("none", gettext_lazy("Unassigned"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, str]:
        # A value the form cannot read is ignored rather than refused.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name, "") for name in self.fields}


@support
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    tickets = ticket_queue(agent=request.user, **form.values())  # type: ignore[arg-type]
    page = CappedPaginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/support_queue.html",
        {"form": form, "page": page, "extra_query": query.urlencode(), "now": timezone.now()},
    )


def _language(ticket: Ticket) -> str:
    return ticket.created_by.language if ticket.created_by is not None else ticket.business.language


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: StaffReplyForm | None = None,
    note_form: NoteForm | None = None,
) -> HttpResponse:
    language = _language(ticket)
    replies = canned_replies(language=language)
    if reply_form is None:
        chosen: CannedReply | None = next(
            (reply for reply in replies if str(reply.pk) == request.GET.get("canned", "")), None
        )
        reply_form = StaffReplyForm(initial={"body": chosen.body} if chosen else None)
    return render(
        request,
        "backoffice/support_ticket.html",
        {
            "ticket": ticket,
            "context": member_context(business=ticket.business),
            "canned": replies,
            "canned_chosen": request.GET.get("canned", ""),
            "reply_form": reply_form,
            "note_form": note_form or NoteForm(prefix="note"),
            "agents": support_agents(),
            "now": timezone.now(),
        },
    )


def _ticket(pk: int) -> Ticket:
    try:
        return ticket_for_agent(ticket_id=pk)
    except NotFound:
        raise Http404 from None


@support
def ticket(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket; POST sends an answer to the member (action=reply) or adds an internal note
    (action=note)."""
    found = _ticket(pk)
    if request.method != "POST":
        return _render_ticket(request, found)
    internal = request.POST.get("action") == "note"
    form: StaffReplyForm | NoteForm = (
        NoteForm(request.POST, prefix="note") if internal else StaffReplyForm(request.POST, request.FILES)
    )
    if form.is_valid():
        try:
            ticket_reply_staff(
                agent=request.user,  # type: ignore[arg-type]
                ticket_id=pk,
                body=form.cleaned_data["body"],
                internal=internal,
                attachment=form.cleaned_data.get("attachment"),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Note saved.") if internal else _("Answer sent; the member is told."))
            return redirect("backoffice:support_ticket", pk=pk)
    if internal:
        return _render_ticket(request, found, note_form=form)  # type: ignore[arg-type]
    return _render_ticket(request, found, reply_form=form)  # type: ignore[arg-type]


@require_POST
@support
def ticket_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    raw = request.POST.get("assignee", "")
    assignee = User.objects.filter(pk=raw).first() if raw.isdigit() else None
    if raw and assignee is None:
        messages.error(request, _("Choose a support agent."))
        return redirect("backoffice:support_ticket", pk=pk)
    try:
        ticket_assign(agent=request.user, ticket_id=pk, assignee=assignee)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        if assignee is None:
            messages.success(request, _("The ticket is unassigned."))
        else:
            messages.success(request, _("Assigned to %(name)s.") % {"name": assignee.get_full_name()})
    return redirect("backoffice:support_ticket", pk=pk)


@require_POST
@support
def ticket_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        ticket_close(actor=request.user, ticket_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("The ticket is closed."))
    return redirect("backoffice:support_ticket", pk=pk)
