"""Erasing a person on request: their login and personal details are anonymised; the
business's records, and above all its invoices, are kept as the law requires."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user

from propass.accounts.enums import AccessRevokeReason, BusinessRole
from propass.accounts.models import Business, BusinessMembership, SecureToken, User, normalize_email
from propass.accounts.services import user_sessions_revoke
from propass.billing.models import Invoice
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, InvalidInput, NotFound
from propass.core.idempotency import idempotency_forget_user
from propass.core.services import audit_record
from propass.core.statuses import statuses_move
from propass.notifications.enums import OutboxStatus
from propass.notifications.models import Notification, OutboxMessage
from propass.onboarding.models import Application
from propass.support.models import TicketMessage

ERASED_DOMAIN = "invalid"  # RFC 2606: never deliverable


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user.pk)


@dataclass
class ErasurePlan:
    """What erasing a person would do: shown to staff before they confirm."""

    user: User
    business: Business | None
    role: str | None
    successor: User | None
    refusal: str | None
    notifications: int
    emails: int
    applications: int
    ticket_messages: int
    invoices: int


@dataclass
class Erasure:
    user: User
    successor: User | None
    counts: dict[str, int] = field(default_factory=dict)


def _emails_about(address: str, full_name: str) -> Q:
    """E-mails to the person, or whose text names them (an invitation they sent, say)."""
    mentions = [Q(to__iexact=address)]
    for text in (address, full_name) if full_name else (address,):
        mentions += [Q(subject__icontains=text), Q(body_text__icontains=text), Q(body_html__icontains=text)]
    return reduce(or_, mentions)


def _full_name(user: User) -> str:
    # Only a first and a last name together are specific enough to search texts for.
    return f"{user.first_name} {user.last_name}".strip() if user.first_name and user.last_name else ""


def _successor(membership: BusinessMembership | None) -> tuple[User | None, str | None]:
    """Who takes over when the business superuser is erased, or why erasing them is refused.

    The longest-standing administrator becomes the superuser. Without an administrator the
    erasure is refused while other users remain (a member must not gain billing rights
    unasked); a business whose only user is erased keeps its records without a login.
    """
    if membership is None or membership.role != BusinessRole.SUPERUSER:
        return None, None
    others = BusinessMembership.objects.filter(business_id=membership.business_id).exclude(pk=membership.pk)
    admin = others.filter(role=BusinessRole.ADMIN).select_related("user").order_by("created_at", "pk").first()
    if admin is not None:
        return admin.user, None
    if others.exists():
        return None, str(
            _(
                "This person is the superuser of %(business)s and the business has no administrator to take over. "
                "Ask the business to make one of its users an administrator first."
            )
            % {"business": membership.business.name}
        )
    return None, None


def _refusal(user: User) -> str | None:
    if user.is_staff:
        return str(_("Staff accounts are not erased here; a system administrator removes them."))
    if is_erased(user):
        return str(_("This person's data has already been erased."))
    return None


def person_erasure_plan(*, user_id: int) -> ErasurePlan:
    """What erasing the person would change, and whether it is refused (staff accounts, a
    person already erased, a superuser nobody can replace)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("This person does not exist."))
    membership = BusinessMembership.objects.select_related("business").filter(user=user).first()
    successor, refusal = _successor(membership)
    refusal = _refusal(user) or refusal
    business = membership.business if membership else None
    return ErasurePlan(
        user=user,
        business=business,
        role=membership.get_role_display() if membership else None,
        successor=successor,
        refusal=refusal,
        notifications=Notification.objects.filter(user=user).count(),
        emails=OutboxMessage.objects.filter(_emails_about(user.email, _full_name(user))).count(),
        applications=Application.objects.filter(email__iexact=user.email).count(),
        ticket_messages=TicketMessage.objects.filter(author=user).count(),
        invoices=Invoice.objects.filter(business=business).count() if business else 0,
    )


def person_erase(*, user_id: int, actor: User, reason: str, confirm_email: str) -> Erasure:
    """Erase a person on request: the login's e-mail, name and password are replaced, the user
    is deactivated and leaves the business; their tokens, sessions, second-factor devices,
    notifications and login records are deleted; applications they sent lose their contact
    details and e-mails to or about them lose their text. The business's records (products,
    points, memberships, invoices, support messages) are kept. Staff confirm by typing the
    person's e-mail and give a reason; the erasure itself is audited."""
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [str(_("Say why this person is erased, for example the date of their request."))]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound(_("This person does not exist."))
        if normalize_email(confirm_email) != user.email:
            errors["confirm"] = [str(_("Type the person's e-mail address exactly to confirm."))]
        refusal = _refusal(user)
        if refusal:
            raise Conflict(refusal, code="not_erasable")
        if errors:
            raise InvalidInput(fields=errors)
        membership = BusinessMembership.objects.select_related("business").filter(user=user).first()
        successor, refusal = _successor(membership)
        if refusal:
            raise Conflict(refusal, code="sole_superuser")
        counts = _erase(user, membership, successor, actor)
        audit_record(
            actor=actor,
            action=AuditAction.PERSON_ERASE,
            target=user,
            data={
                "user_id": user.pk,
                "reason": reason,
                "business": membership.business_id if membership else None,
                "new_superuser": successor.pk if successor else None,
                "counts": counts,
            },
        )
    return Erasure(user=user, successor=successor, counts=counts)


def _erase(user: User, membership: BusinessMembership | None, successor: User | None, actor: User) -> dict[str, int]:
    address, full_name, anonymous = user.email, _full_name(user), erased_email(user.pk)
    counts: dict[str, int] = {}

    if membership is not None:
        membership.delete()
        if successor is not None:
            BusinessMembership.objects.filter(user=successor).update(role=BusinessRole.SUPERUSER)

    counts["applications"] = Application.objects.filter(email__iexact=address).update(
        first_name="", last_name="", email=anonymous, phone="", updated_at=timezone.now()
    )
    counts["notifications"] = Notification.objects.filter(user=user).delete()[0]

    emails = OutboxMessage.objects.filter(_emails_about(address, full_name))
    # Mail still waiting for the person is never sent; mail waiting for someone else that
    # names them is left to go out, and its text stays until it is sent.
    waiting = [OutboxStatus.QUEUED, OutboxStatus.SENDING]
    statuses_move(
        emails.filter(to__iexact=address),
        waiting,
        OutboxStatus.FAILED,
        last_error="The recipient's personal data was erased.",
    )
    counts["emails"] = emails.exclude(status__in=waiting).update(
        subject="", body_text="", body_html="", masked_text="", masked_html=""
    )
    OutboxMessage.objects.filter(to__iexact=address).update(to=anonymous)

    # Login records of the lock-out protection carry the e-mail as the user name.
    for name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        apps.get_model("axes", name).objects.filter(username__iexact=address).delete()

    SecureToken.objects.filter(user=user).delete()
    idempotency_forget_user(user)
    revoked = user_sessions_revoke(user=user, actor=actor, reason=AccessRevokeReason.ERASED)
    counts["sessions"] = revoked["sessions"]
    counts["devices"] = _devices_delete(user)

    user.email = anonymous
    user.first_name = ""
    user.last_name = ""
    user.email_opt_out = []
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return counts


def _devices_delete(user: User) -> int:
    """Delete second-factor devices, where two-factor login is installed."""
    if not apps.is_installed("django_otp"):
        return 0
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)
