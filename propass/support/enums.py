from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketCategory(models.TextChoices):
    MEMBERSHIP = "membership", _("Membership")
    PRODUCTS = "products", _("Products and points")
    MIGRATION = "migration", _("Product migration from the old CPS")
    BILLING = "billing", _("Billing and invoices")
    REPAIR = "repair", _("Repairs")
    OTHER = "other", _("Something else")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("support ticket status", "Open")
    WAITING_MEMBER = "waiting_member", _("Waiting for member")
    WAITING_STAFF = "waiting_staff", _("Waiting for staff")
    CLOSED = "closed", pgettext_lazy("support ticket status", "Closed")


# An agent's answer waits for the member; the member's answer (even to a closed ticket)
# puts it back with the agents; either side may close it.
TICKET_TRANSITIONS: dict[str, set[str]] = {
    TicketStatus.OPEN: {TicketStatus.WAITING_MEMBER, TicketStatus.CLOSED},
    TicketStatus.WAITING_MEMBER: {TicketStatus.WAITING_STAFF, TicketStatus.CLOSED},
    TicketStatus.WAITING_STAFF: {TicketStatus.WAITING_MEMBER, TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.WAITING_STAFF, TicketStatus.WAITING_MEMBER},
}

# The statuses in which the agents owe an answer: the SLA clock runs.
AWAITING_STAFF = [TicketStatus.OPEN, TicketStatus.WAITING_STAFF]

# What the member reads for each status (the agents see the labels above).
MEMBER_STATUS_LABELS = {
    TicketStatus.OPEN: _("Sent, waiting for an answer"),
    TicketStatus.WAITING_MEMBER: _("Answered"),
    TicketStatus.WAITING_STAFF: _("Waiting for an answer"),
    TicketStatus.CLOSED: pgettext_lazy("support ticket status", "Closed"),
}
