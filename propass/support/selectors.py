"""Reading tickets: a business sees its own (without the agents' internal notes); support
agents see the queue and everything about the member beside a ticket."""

from dataclasses import dataclass

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import is_support_agent
from propass.accounts.selectors import business_of
from propass.billing.models import Invoice
from propass.core.errors import NotFound
from propass.memberships.models import Subscription
from propass.memberships.services import subscription_current
from propass.products.models import Registration
from propass.support.enums import TicketStatus
from propass.support.models import CannedReply, Ticket, TicketAttachment, TicketMessage

NOT_FOUND = _("This support request does not exist.")


def ticket_list(*, business: Business) -> QuerySet[Ticket]:
    """The business's tickets, the most recently active first."""
    return Ticket.objects.filter(business=business).order_by(F("last_message_at").desc(nulls_last=True), "-id")


def _member_messages() -> Prefetch:
    return Prefetch(
        "messages",
        queryset=TicketMessage.objects.filter(internal=False).select_related("author").prefetch_related("attachments"),
    )


def ticket_for_member(*, business: Business, ticket_id: int) -> Ticket:
    """One ticket of the business with the messages its members may read; another
    business's ticket is not found."""
    ticket = Ticket.objects.filter(business=business, pk=ticket_id).prefetch_related(_member_messages()).first()
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def attachment_for(*, user: User, attachment_id: int, ticket_id: int | None = None) -> TicketAttachment | None:
    """An attachment the user may download: support agents any, a member only one of their
    business's tickets that is not on an internal note."""
    attachments = TicketAttachment.objects.select_related("message")
    if ticket_id is not None:
        attachments = attachments.filter(message__ticket_id=ticket_id)
    if not is_support_agent(user):
        business = business_of(user)
        if business is None:
            return None
        attachments = attachments.filter(message__ticket__business=business, message__internal=False)
    return attachments.filter(pk=attachment_id).first()


# --- Agents --------------------------------------------------------------------------


def ticket_queue(*, agent: User, status: str = "", category: str = "", assigned: str = "") -> QuerySet[Ticket]:
    """The agents' queue: by priority (Platinum first, no membership last), then oldest first.
    Without a status filter the closed tickets are left out; `assigned` is "me" or "none"."""
    tickets = Ticket.objects.select_related("business", "tier", "assigned_to")
    tickets = tickets.filter(status=status) if status else tickets.exclude(status="closed")
    if category:
        tickets = tickets.filter(category=category)
    if assigned == "me":
        tickets = tickets.filter(assigned_to=agent)
    elif assigned == "none":
        tickets = tickets.filter(assigned_to__isnull=True)
    return tickets.order_by("priority", "created_at", "id")


def tickets_waiting_for_staff_count() -> int:
    """Tickets that wait for an agent: new ones and those the member answered."""
    return Ticket.objects.filter(status__in=[TicketStatus.OPEN, TicketStatus.WAITING_STAFF]).count()


def ticket_for_agent(*, ticket_id: int) -> Ticket:
    """One ticket with every message, internal notes included."""
    messages = TicketMessage.objects.select_related("author").prefetch_related("attachments")
    ticket = (
        Ticket.objects.select_related("business", "tier", "assigned_to", "created_by")
        .prefetch_related(Prefetch("messages", queryset=messages))
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(NOT_FOUND)
    return ticket


def support_agents() -> QuerySet[User]:
    """Staff who can be given a ticket: active staff in the support group, and superusers."""
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(Q(groups__name="support") | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "email")
    )


def canned_replies(*, language: str) -> list[CannedReply]:
    """The active canned replies in `language`; English ones when there are none in it."""
    replies = list(CannedReply.objects.filter(active=True, language__in=[language, "en"]))
    own = [reply for reply in replies if reply.language == language]
    return own or [reply for reply in replies if reply.language == "en"]


@dataclass(frozen=True)
class MemberContext:
    business: Business
    membership: Subscription | None
    products: int
    latest_products: list[Registration]
    points_balance: int
    invoices: list[Invoice]


def member_context(*, business: Business) -> MemberContext:
    """What an agent sees beside a ticket: the business, its membership, products, points and
    latest invoices (one query each)."""
    registrations = Registration.objects.filter(business=business)
    return MemberContext(
        business=business,
        membership=subscription_current(business=business),
        products=registrations.count(),
        latest_products=list(registrations.select_related("product").order_by("-created_at", "-id")[:5]),
        points_balance=business.points_balance,
        invoices=list(Invoice.objects.filter(business=business).order_by("-issue_date", "-id")[:5]),
    )
