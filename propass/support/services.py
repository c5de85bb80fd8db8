from django.db import transaction
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.core.errors import InvalidInput
from propass.core.services import audit_record
from propass.support.enums import TicketCategory
from propass.support.models import Ticket, TicketMessage


def ticket_open(*, business: Business, author: User, category: str, subject: str, body: str) -> Ticket:
    """A member opens a CPS Priority Support request with a first message."""
    errors: dict[str, list[str]] = {}
    if category not in TicketCategory.values:
        errors["category"] = [str(_("Choose what your request is about."))]
    if not subject.strip():
        errors["subject"] = [str(_("This field is required."))]
    if not body.strip():
        errors["body"] = [str(_("Tell us how we can help."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            business=business, created_by=author, category=category, subject=subject.strip()[:200]
        )
        TicketMessage.objects.create(ticket=ticket, author=author, body=body.strip())
        audit_record(actor=author, action="support.open", target=ticket, data={"category": category})
    return ticket
