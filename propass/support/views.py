from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propass.accounts.selectors import business_of
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.support.enums import TicketCategory
from propass.support.forms import TicketForm
from propass.support.models import Ticket
from propass.support.services import ticket_open


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    items = Ticket.objects.filter(business=business).order_by("-created_at")[:100] if business else []
    return render(request, "support/tickets.html", {"tickets": items})


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    category = request.GET.get("category", "")
    initial = {"category": category}
    if category == TicketCategory.MIGRATION:
        initial["subject"] = _("Migrating the products of my old CPS account")
    form = TicketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_open(business=business, author=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your request is with CPS Priority Support. We will answer soon."))
            return redirect("support:tickets")
    return render(request, "support/ticket_new.html", {"form": form})
