"""CPS Priority Support: tickets, their messages both ways, priority and answer deadlines."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import is_support_agent
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from propass.core.selectors import program_current
from propass.core.services import audit_record
from propass.core.statuses import status_move
from propass.core.uploads import CheckedUpload, upload_check, with_stored_files
from propass.memberships.models import Tier
from propass.memberships.services import subscription_current
from propass.notifications.services import business_notify, email_send
from propass.support.enums import AWAITING_STAFF, TicketCategory, TicketStatus
from propass.support.models import NO_MEMBERSHIP_PRIORITY, SupportSla, Ticket, TicketAttachment, TicketMessage
from propass.support.selectors import support_agents

MAX_BODY = 10_000

# Answer times (hours) for a tier that has no SupportSla row yet (the data migration seeds
# the tiers that existed then); the row is created with this value, editable afterwards.
DEFAULT_SLA_HOURS = {"platinum": 4, "gold": 8, "silver": 24, "corporate_c": 4, "corporate_b": 8, "corporate_a": 8}
TIER_SLA_FALLBACK_HOURS = 24
NO_MEMBERSHIP_SLA_HOURS = 72


@dataclass(frozen=True)
class Standing:
    """What a business's membership means for its tickets right now."""

    tier: Tier | None
    priority: int
    response_hours: int


def tier_priority(*, tier: Tier | None) -> int:
    """Tiers rank by their order, then by their minimum points, highest first (Platinum before
    Gold before Silver in the default program); no membership comes last."""
    if tier is None:
        return NO_MEMBERSHIP_PRIORITY
    ahead = Tier.objects.filter(
        Q(position__gt=tier.position) | Q(position=tier.position, min_points__gt=tier.min_points)
    ).count()
    return ahead + 1


def support_sla_hours(*, tier: Tier | None) -> int:
    """The hours the agents have to answer a business of `tier` (None: no membership). A tier
    without its SupportSla row gets one with the default answer time."""
    row = SupportSla.objects.filter(tier=tier).first()
    if row is not None:
        return row.response_hours
    hours = NO_MEMBERSHIP_SLA_HOURS if tier is None else DEFAULT_SLA_HOURS.get(tier.code, TIER_SLA_FALLBACK_HOURS)
    try:
        with transaction.atomic():
            SupportSla.objects.get_or_create(tier=tier, defaults={"response_hours": hours})
    except IntegrityError:  # created at the same moment by another request
        pass
    return hours


def ticket_standing(*, business: Business) -> Standing:
    """Priority and answer time from the business's live membership, as it is now."""
    subscription = subscription_current(business=business)
    tier = subscription.tier if subscription is not None else None
    return Standing(tier=tier, priority=tier_priority(tier=tier), response_hours=support_sla_hours(tier=tier))


def _require_agent(user: User) -> None:
    if not is_support_agent(user):
        raise Forbidden(_("Only CPS Priority Support agents can do this."))


def _check_body(body: str, errors: dict[str, list[str]]) -> None:
    if not body.strip():
        errors["body"] = [str(_("Tell us how we can help."))]
    elif len(body) > MAX_BODY:
        errors["body"] = [str(_("The message is longer than %(limit)s characters.") % {"limit": MAX_BODY})]


def _check_attachment(attachment: UploadedFile | None, errors: dict[str, list[str]]) -> CheckedUpload | None:
    if attachment is None:
        return None
    try:
        return upload_check(attachment, max_bytes=program_current().max_upload_mb * 1024 * 1024, field="attachment")
    except InvalidInput as exc:
        errors.update({key: [str(m) for m in value] for key, value in exc.fields.items()})
        return None


def _add_message(
    ticket: Ticket,
    *,
    author: User,
    body: str,
    written: list[TicketAttachment],
    from_staff: bool = False,
    internal: bool = False,
    checked: CheckedUpload | None = None,
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket, author=author, body=body.strip(), from_staff=from_staff, internal=internal
    )
    if checked is not None:
        attachment = TicketAttachment(
            message=message, original_name=checked.safe_name, content_type=checked.content_type, size=checked.size
        )
        attachment.file.save(f"attachment.{checked.extension}", ContentFile(checked.content), save=False)
        written.append(attachment)
        attachment.save()
    return message


def _write_locked(ticket: Ticket, status: str, **fields: Any) -> None:
    """Write `fields` to a ticket the caller has locked, moving it to `status` through its
    table when it is in another one."""
    if ticket.status != status:
        if not status_move(ticket, status, **fields):
            raise Conflict()
        return
    for name, value in fields.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=[*fields, "updated_at"])


def _locked(ticket_id: int, business: Business | None = None) -> Ticket:
    tickets = Ticket.objects.select_for_update()
    if business is not None:
        tickets = tickets.filter(business=business)
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("This support request does not exist."))
    return ticket


def ticket_url(ticket: Ticket) -> str:
    return reverse("support:ticket", args=[ticket.pk])


def ticket_open(
    *,
    business: Business,
    author: User,
    category: str,
    subject: str,
    body: str,
    attachment: UploadedFile | None = None,
) -> Ticket:
    """A member opens a CPS Priority Support request with a first message (and optionally a
    PDF, JPEG or PNG). Its priority and answer deadline come from the business's tier."""
    errors: dict[str, list[str]] = {}
    if category not in TicketCategory.values:
        errors["category"] = [str(_("Choose what your request is about."))]
    if not subject.strip():
        errors["subject"] = [str(_("This field is required."))]
    _check_body(body, errors)
    checked = _check_attachment(attachment, errors)
    if errors:
        raise InvalidInput(fields=errors)
    standing = ticket_standing(business=business)

    def write(written: list[TicketAttachment]) -> Ticket:
        now = timezone.now()
        ticket = Ticket.objects.create(
            business=business,
            created_by=author,
            category=category,
            subject=subject.strip()[:200],
            tier=standing.tier,
            priority=standing.priority,
            due_at=now + timedelta(hours=standing.response_hours),
            last_message_at=now,
        )
        _add_message(ticket, author=author, body=body, written=written, checked=checked)
        audit_record(
            actor=author,
            action=AuditAction.SUPPORT_OPEN,
            target=ticket,
            data={"category": category, "priority": standing.priority, "attachment": checked is not None},
        )
        return ticket

    return with_stored_files(write)


def ticket_reply_member(
    *, business: Business, author: User, ticket_id: int, body: str, attachment: UploadedFile | None = None
) -> TicketMessage:
    """A member of the ticket's business answers; the ticket goes back to the agents (a closed
    one is reopened) with the priority and answer deadline of the business's tier now."""
    errors: dict[str, list[str]] = {}
    _check_body(body, errors)
    checked = _check_attachment(attachment, errors)
    if not Ticket.objects.filter(pk=ticket_id, business=business).exists():
        raise NotFound(_("This support request does not exist."))
    if errors:
        raise InvalidInput(fields=errors)
    standing = ticket_standing(business=business)

    def write(written: list[TicketAttachment]) -> TicketMessage:
        ticket = _locked(ticket_id, business)
        previous = ticket.status
        now = timezone.now()
        changes: dict[str, Any] = {"tier": standing.tier, "priority": standing.priority, "last_message_at": now}
        if previous not in AWAITING_STAFF:
            changes.update(due_at=now + timedelta(hours=standing.response_hours), closed_at=None)
        _write_locked(ticket, previous if previous in AWAITING_STAFF else TicketStatus.WAITING_STAFF, **changes)
        message = _add_message(ticket, author=author, body=body, written=written, checked=checked)
        audit_record(
            actor=author,
            action=AuditAction.SUPPORT_REOPEN if previous == TicketStatus.CLOSED else AuditAction.SUPPORT_REPLY,
            target=ticket,
            data={"message": message.pk, "attachment": checked is not None},
        )
        return message

    return with_stored_files(write)


def ticket_reply_staff(
    *, agent: User, ticket_id: int, body: str, internal: bool = False, attachment: UploadedFile | None = None
) -> TicketMessage:
    """A support agent answers the member (the ticket then waits for the member, who is told
    under the bell and by e-mail) or adds an internal note, which changes nothing for the
    member and is never shown to them."""
    _require_agent(agent)
    errors: dict[str, list[str]] = {}
    _check_body(body, errors)
    checked = _check_attachment(attachment, errors)
    if errors:
        raise InvalidInput(fields=errors)

    def write(written: list[TicketAttachment]) -> TicketMessage:
        ticket = _locked(ticket_id)
        if not internal:
            _write_locked(
                ticket, TicketStatus.WAITING_MEMBER, due_at=None, closed_at=None, last_message_at=timezone.now()
            )
        message = _add_message(
            ticket,
            author=agent,
            body=body,
            written=written,
            from_staff=True,
            internal=internal,
            checked=checked,
        )
        audit_record(
            actor=agent,
            action=AuditAction.SUPPORT_NOTE if internal else AuditAction.SUPPORT_ANSWER,
            target=ticket,
            data={"message": message.pk, "attachment": checked is not None},
        )
        if not internal:
            business_notify(
                business=ticket.business,
                kind="ticket_reply",
                title=_("CPS Priority Support answered: %(subject)s"),
                body=_("Open your request to read the answer; reply there if you need anything else."),
                url=ticket_url(ticket),
                params={"subject": ticket.subject, "ticket": ticket.pk},
            )
        return message

    return with_stored_files(write)


def ticket_close(*, actor: User, ticket_id: int, business: Business | None = None) -> Ticket:
    """A member of the ticket's business (`business` given) or a support agent closes the
    ticket; a later message from the member reopens it. Closing a closed ticket changes nothing."""
    if business is None:
        _require_agent(actor)
    with transaction.atomic():
        ticket = _locked(ticket_id, business)
        if ticket.status == TicketStatus.CLOSED:
            return ticket
        status_move(
            ticket,
            TicketStatus.CLOSED,
            actor=actor,
            action=AuditAction.SUPPORT_CLOSE,
            data={"by_member": business is not None},
            closed_at=timezone.now(),
            due_at=None,
        )
    return ticket


def ticket_assign(*, agent: User, ticket_id: int, assignee: User | None) -> Ticket:
    """A support agent gives the ticket to a support agent (themselves or a colleague), or
    takes it off everyone (`assignee` None)."""
    _require_agent(agent)
    if assignee is not None and not is_support_agent(assignee):
        raise InvalidInput(fields={"assignee": [str(_("Choose a support agent."))]})
    with transaction.atomic():
        ticket = _locked(ticket_id)
        ticket.assigned_to = assignee
        ticket.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            actor=agent,
            action=AuditAction.SUPPORT_ASSIGN,
            target=ticket,
            data={"assignee": assignee.email if assignee is not None else None},
        )
    return ticket


def tickets_alert_overdue(*, at: datetime) -> int:
    """Tickets waiting for an answer past their SLA deadline: the assigned agent, or every
    support agent when nobody is assigned, gets one e-mail listing them; each deadline is
    alerted once (a later deadline, after the member writes again, is alerted again)."""
    overdue = list(
        Ticket.objects.filter(status__in=AWAITING_STAFF, due_at__lt=at)
        .exclude(sla_alerted_for=F("due_at"))
        .select_related("business", "assigned_to")
        .order_by("priority", "due_at")[:500]
    )
    claimed = [
        ticket
        for ticket in overdue
        if Ticket.objects.filter(pk=ticket.pk, due_at=ticket.due_at)
        .exclude(sla_alerted_for=ticket.due_at)
        .update(sla_alerted_for=ticket.due_at)
    ]
    if not claimed:
        return 0
    agents = list(support_agents())
    by_agent: dict[int, list[Ticket]] = {}
    for ticket in claimed:
        for agent in [ticket.assigned_to] if ticket.assigned_to else agents:
            by_agent.setdefault(agent.pk, []).append(ticket)
    people = {agent.pk: agent for agent in agents} | {t.assigned_to.pk: t.assigned_to for t in claimed if t.assigned_to}
    for agent_id, tickets in by_agent.items():
        agent = people[agent_id]
        with translation.override(agent.language):
            lines = "\n".join(
                f"#{t.pk} {t.business.name}: {t.subject} "
                f"({settings.SITE_URL}{reverse('backoffice:support_ticket', args=[t.pk])})"
                for t in tickets
            )
            email_send(
                to=agent.email,
                template="notice",
                language=agent.language,
                context={
                    "user": agent,
                    "title": str(_("%(count)s support tickets are past their answer deadline"))
                    % {"count": len(tickets)},
                    "body": lines,
                    "url": reverse("backoffice:support"),
                },
            )
    return len(claimed)
