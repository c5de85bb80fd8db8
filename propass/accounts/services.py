import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from propass.accounts.enums import AccessRevokeReason, BusinessRole, StaffGroup, TokenPurpose
from propass.accounts.models import Business, BusinessMembership, SecureToken, User, normalize_email
from propass.accounts.selectors import API_TOKEN_ID_LENGTH, api_token_id, api_tokens_live
from propass.core.enums import AuditAction
from propass.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from propass.core.models import AuditLog, Program
from propass.core.peppol import peppol_id_normalise
from propass.core.ratelimit import rate_limit_hit
from propass.core.selectors import program_current
from propass.core.services import audit_record
from propass.core.vies import vies_check_request
from propass.notifications.enums import SecretKind
from propass.notifications.kinds import OPTIONAL_EMAILS
from propass.notifications.models import OutboxMessage
from propass.notifications.secrets import SecretLink
from propass.notifications.services import email_send, notification_create


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_issue(*, user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """Create a single-use link token for `user`; returns the raw value to put in the link."""
    raw = secrets.token_urlsafe(32)
    SecureToken.objects.create(
        user=user, purpose=purpose, token_hash=token_hash(raw), expires_at=timezone.now() + lifetime
    )
    return raw


def token_consume(*, raw: str, purposes: list[TokenPurpose]) -> User:
    """Use a token once. A second use, an expired or unknown token raises InvalidInput."""
    now = timezone.now()
    with transaction.atomic():
        used = SecureToken.objects.filter(
            token_hash=token_hash(raw), purpose__in=purposes, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if used != 1:
            raise InvalidInput(_("This link has expired or has already been used."), code="token_invalid")
        return SecureToken.objects.select_related("user").get(token_hash=token_hash(raw)).user


def token_check(*, raw: str, purposes: list[TokenPurpose]) -> User | None:
    """The user a still-usable token belongs to, without using it up."""
    token = (
        SecureToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), purpose__in=purposes, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return token.user if token else None


def token_purge(*, at: datetime) -> int:
    """Delete tokens that expired or were used more than a day before `at`."""
    cutoff = at - timedelta(days=1)
    deleted, _ = SecureToken.objects.filter(expires_at__lt=cutoff).delete()
    deleted_used, _ = SecureToken.objects.filter(used_at__lt=cutoff).delete()
    return deleted + deleted_used


# --- API tokens and sessions ---------------------------------------------------------

# Live API tokens a user may hold; issuing one more revokes the oldest (a script that asks
# for a token on every run keeps working, and the rows per user stay few).
API_TOKENS_PER_USER = 20


def api_token_issue(*, user: User) -> str:
    """A new API token for `user`, valid for `API_TOKEN_TTL_HOURS`. The raw value is returned
    once: only its hash is stored."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one issuer at a time per user
        AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
        token, raw = AuthToken.objects.create(user=user, expiry=timedelta(hours=settings.API_TOKEN_TTL_HOURS))
        surplus = list(
            AuthToken.objects.filter(user=user)
            .order_by("-created", "-digest")
            .values_list("digest", flat=True)[API_TOKENS_PER_USER:]
        )
        AuthToken.objects.filter(digest__in=surplus).delete()
        audit_record(
            actor=user,
            action=AuditAction.API_TOKEN_ISSUE,
            target=user,
            data={"token": api_token_id(token), "expires_at": token.expiry.isoformat(), "replaced": len(surplus)},
        )
    return raw


def api_token_revoke(*, user: User, token_id: str) -> None:
    """The owner revokes one of their API tokens (by its public id); another user's token, an
    expired or unknown one is NotFound."""
    if len(token_id) != API_TOKEN_ID_LENGTH:
        raise NotFound()
    with transaction.atomic():
        deleted, _rows = api_tokens_live(user=user).filter(digest__startswith=token_id.lower()).delete()
        if not deleted:
            raise NotFound(_("This API token does not exist or has already expired."))
        audit_record(actor=user, action=AuditAction.API_TOKEN_REVOKE, target=user, data={"token": token_id})


def api_token_purge(*, at: datetime) -> int:
    """Delete API tokens that expired before `at`."""
    deleted, _rows = AuthToken.objects.filter(expiry__lt=at).delete()
    return deleted


def _session_keys_of(user: User) -> list[str]:
    # Sessions are signed blobs: decode the live ones (a 12-hour cookie keeps them few).
    return [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]


def user_sessions_revoke(*, user: User, reason: AccessRevokeReason, actor: User | None = None) -> dict[str, int]:
    """End every way `user` is logged in: all their API tokens and all their sessions, the
    browser that made the change included (the set-password page then sends it to the login).
    Called whenever a password is set or reset, and when the user is deactivated, removed from
    a business or erased; audited with the reason (`actor` None: the system)."""
    with transaction.atomic():
        tokens, _rows = AuthToken.objects.filter(user=user).delete()
        sessions, _rows = Session.objects.filter(session_key__in=_session_keys_of(user)).delete()
        counts = {"tokens": tokens, "sessions": sessions}
        audit_record(
            actor=actor,
            action=AuditAction.USER_ACCESS_REVOKE,
            target=user,
            data={"reason": reason, **counts},
        )
    return counts


def user_set_language(*, user: User, language: str) -> None:
    """Store the language the member interface and e-mails use for this user."""
    user.language = language
    user.save(update_fields=["language"])


def user_set_email_preferences(*, user: User, wanted: list[str]) -> None:
    """Switch optional e-mails on or off; essential ones cannot be switched off."""
    user.email_opt_out = sorted(kind for kind in OPTIONAL_EMAILS if kind not in wanted)
    user.save(update_fields=["email_opt_out"])


def password_link_send(
    *, user: User, purpose: TokenPurpose, program: Program | None = None, template: str | None = None, **context: object
) -> OutboxMessage:
    """Send a single-use link to set (first time) or reset the password, from the program's
    no-reply sender, valid for the program's number of hours. The link is a secret: staff see
    the message with it masked."""
    program = program or program_current()
    hours = program.set_password_link_hours
    raw = token_issue(user=user, purpose=purpose, lifetime=timedelta(hours=hours))
    link = SecretLink(
        path=reverse("accounts:set_password", args=[raw]),
        kind=SecretKind.PASSWORD,
        ref=user.pk,
        valid_until=timezone.now() + timedelta(hours=hours),
    )
    first_time = not user.has_usable_password()
    return email_send(
        to=user.email,
        template=template or ("account_ready" if first_time else "password_reset"),
        language=user.language,
        sender=program.sender,
        context={"user": user, "program": program, "hours": hours, "link_path": link, **context},
    )


def password_link_resend(*, user_id: int, actor: User) -> OutboxMessage:
    """Staff helping someone have a new link sent to that person's own address: a reset link,
    or a set-password link while they have no password yet. Audited; staff never see links."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not (user.is_staff or BusinessMembership.objects.filter(user=user).exists()):
        raise NotFound(_("This login no longer exists or cannot log in."))
    purpose = TokenPurpose.RESET_PASSWORD if user.has_usable_password() else TokenPurpose.SET_PASSWORD
    with transaction.atomic():
        message = password_link_send(user=user, purpose=purpose)
        audit_record(actor=actor, action=AuditAction.PASSWORD_LINK_RESEND, target=user, data={"message": message.pk})
    return message


def password_reset_request(*, email: str) -> None:
    """Ask for a reset link. The work happens in the background, so that the answer is the
    same, and as quick, for a known, an unknown and a not-yet-approved e-mail."""
    address = normalize_email(email)
    # At most a few links an hour per address; over that, the same answer and no e-mail.
    if address and not rate_limit_hit(key=f"password-reset:{token_hash(address)}", limit=5, seconds=3600):
        request_id = secrets.token_hex(16)
        transaction.on_commit(lambda: password_reset_send_task.enqueue(address, request_id))


@task()
def password_reset_send_task(email: str, request_id: str = "") -> None:
    password_reset_send(email=email, request_id=request_id)


def password_reset_send(*, email: str, request_id: str = "") -> None:
    """Send a reset link to an active user of an approved business (or staff). Any other
    e-mail, known or not, gets nothing. Safe to run twice: a request answered already (its id
    is in the audit entry written with the link) sends nothing more."""
    user = User.objects.filter(email__iexact=normalize_email(email), is_active=True).first()
    if user is None:
        return
    if not user.is_staff and not BusinessMembership.objects.filter(user=user).exists():
        return
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one answer at a time per user
        answered = AuditLog.objects.filter(
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            target_type=user._meta.label_lower,
            target_id=str(user.pk),
            data__request=request_id,
        )
        if request_id and answered.exists():
            return
        password_link_send(user=user, purpose=TokenPurpose.RESET_PASSWORD)
        audit_record(actor=None, action=AuditAction.PASSWORD_RESET_REQUESTED, target=user, data={"request": request_id})


def password_set(*, raw_token: str, password: str) -> User:
    """Set a password with a single-use link. The password must pass the validators
    before the link is used up."""
    pending = SecureToken.objects.select_related("user").filter(token_hash=token_hash(raw_token)).first()
    try:
        validate_password(password, user=pending.user if pending else None)
    except ValidationError as exc:
        raise InvalidInput(fields={"password": list(exc.messages)}) from None
    with transaction.atomic():
        user = token_consume(raw=raw_token, purposes=[TokenPurpose.SET_PASSWORD, TokenPurpose.RESET_PASSWORD])
        user.set_password(password)
        user.save(update_fields=["password"])
        SecureToken.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        audit_record(actor=user, action=AuditAction.PASSWORD_SET, target=user)
        user_sessions_revoke(user=user, actor=user, reason=AccessRevokeReason.PASSWORD_SET)
        notification_create(
            user=user,
            kind="password_set",
            title=_("Your password was set"),
            body=_("If this was not you, ask for a new link on the login page at once."),
        )
    return user


def _require_superuser(actor: User, business: Business) -> None:
    if not BusinessMembership.objects.filter(user=actor, business=business, role=BusinessRole.SUPERUSER).exists():
        raise Forbidden(_("Only the business superuser can manage the users of the business."))


def business_user_invite(
    *, business: Business, actor: User, email: str, first_name: str, last_name: str, role: str = BusinessRole.MEMBER
) -> User:
    """The business superuser adds a user, who receives an invitation with a set-password link."""
    _require_superuser(actor, business)
    email = normalize_email(email)
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [str(_("Enter a valid e-mail address."))]
    if role not in {BusinessRole.ADMIN, BusinessRole.MEMBER}:
        errors["role"] = [str(_("Choose administrator or member."))]
    if not first_name.strip():
        errors["first_name"] = [str(_("This field is required."))]
    if not errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [str(_("This e-mail cannot be added. If the person already has a login, contact support."))]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        user = User.objects.create_user(
            email, first_name=first_name.strip(), last_name=last_name.strip(), language=business.language
        )
        BusinessMembership.objects.create(user=user, business=business, role=role)
        audit_record(
            actor=actor, action=AuditAction.BUSINESS_USER_INVITE, target=business, data={"user": user.pk, "role": role}
        )
        password_link_send(
            user=user, purpose=TokenPurpose.SET_PASSWORD, template="team_invitation", business=business, inviter=actor
        )
    return user


def business_user_remove(*, business: Business, actor: User, user_id: int) -> None:
    """The business superuser removes a user: their login stops working at once."""
    _require_superuser(actor, business)
    membership = BusinessMembership.objects.filter(business=business, user_id=user_id).select_related("user").first()
    if membership is None:
        raise NotFound()
    if membership.role == BusinessRole.SUPERUSER:
        raise Conflict(_("The business superuser cannot be removed."), code="superuser")
    with transaction.atomic():
        user = membership.user
        membership.delete()
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        SecureToken.objects.filter(user=user).delete()
        audit_record(actor=actor, action=AuditAction.BUSINESS_USER_REMOVE, target=business, data={"user": user.pk})
        user_sessions_revoke(user=user, actor=actor, reason=AccessRevokeReason.REMOVED)


# --- Staff roles and two-factor authentication ----------------------------------------

# Model permissions each staff group carries, as (app label, model or "*", actions). They
# govern the data administration at /backoffice/admin/; back-office pages check the groups.
_VIEW = ("view",)
_EDIT = ("add", "change", "delete", "view")
STAFF_GROUP_PERMISSIONS: dict[StaffGroup, list[tuple[str, str, tuple[str, ...]]]] = {
    StaffGroup.VALIDATION: [
        ("onboarding", "*", _VIEW),
        ("accounts", "business", _VIEW),
        ("accounts", "user", _VIEW),
        ("products", "legacyaccount", _VIEW),
    ],
    StaffGroup.SUPPORT: [
        ("support", "*", _VIEW),
        ("faq", "*", _VIEW),
        ("accounts", "business", _VIEW),
        ("accounts", "user", _VIEW),
        ("products", "*", _VIEW),
        ("memberships", "*", _VIEW),
        ("notifications", "*", _VIEW),
    ],
    StaffGroup.FINANCE: [
        ("billing", "*", _VIEW),
        ("memberships", "*", _VIEW),
        ("accounts", "business", _VIEW),
    ],
    StaffGroup.SERVICE: [
        ("service", "*", _VIEW),
        ("accounts", "business", _VIEW),
        ("products", "registration", _VIEW),
        ("catalog", "*", _VIEW),
        ("memberships", "*", _VIEW),
    ],
    StaffGroup.PROGRAM_ADMIN: [
        ("core", "program", _EDIT),
        ("core", "legaltext", _EDIT),
        ("products", "*", _EDIT),
        ("catalog", "*", _EDIT),
        ("memberships", "tier", _EDIT),
        ("memberships", "tierprice", _EDIT),
        ("billing", "sellerentity", _EDIT),
        ("billing", "vatrate", _EDIT),
        ("support", "supportsla", _EDIT),
        ("support", "cannedreply", _EDIT),
        ("faq", "*", _EDIT),
        ("service", "servicecentre", _EDIT),
        ("service", "loanprice", _EDIT),  # the loan pool's price data: deposit, late and damage fees
    ],
    StaffGroup.AUDITOR: [("*", "*", _VIEW)],
}
# Secrets no group may read in the data administration: second-factor keys, API tokens, sessions.
STAFF_HIDDEN_APPS = ("otp_totp", "otp_static", "otp_hotp", "otp_email", "knox", "sessions")


def _permissions_query(specs: list[tuple[str, str, tuple[str, ...]]]) -> Q:
    query = Q(pk__in=[])
    for app_label, model, actions in specs:
        part = Q(codename__regex=rf"^({'|'.join(actions)})_")
        if app_label != "*":
            part &= Q(content_type__app_label=app_label)
        if model != "*":
            part &= Q(content_type__model=model)
        query |= part
    return query


def staff_groups_ensure() -> dict[StaffGroup, Group]:
    """Every installation has the six staff groups with their default model permissions
    (runs after each migrate). Permissions are only added, so an operator's additions stay."""
    result = {}
    for role, specs in STAFF_GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(_permissions_query(specs)).exclude(
            content_type__app_label__in=STAFF_HIDDEN_APPS
        )
        group.permissions.add(*permissions)
        result[role] = group
    return result


def staff_totp_device(*, user: User) -> TOTPDevice | None:
    """The staff member's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def staff_totp_start(*, user: User) -> TOTPDevice:
    """A new authenticator secret for a staff member who has none confirmed yet; the same one
    until it is confirmed, so reloading the set-up page keeps the QR code."""
    if not user.is_staff:
        raise Forbidden()
    if staff_totp_device(user=user) is not None:
        raise Conflict(_("Two-factor authentication is already set up."), code="two_factor_set_up")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _two_factor_attempt(user: User, step: str) -> None:
    # At most ten codes per quarter of an hour: a six-digit code cannot be guessed that way.
    if rate_limit_hit(key=f"two-factor:{user.pk}", limit=10, seconds=900):
        audit_record(
            actor=user, action=AuditAction.STAFF_2FA_FAILED, target=user, data={"step": step, "reason": "rate_limited"}
        )
        raise InvalidInput(
            _("Too many codes were tried. Please wait a quarter of an hour and try again."), code="rate_limited"
        )


def _two_factor_wrong(user: User, step: str) -> InvalidInput:
    audit_record(actor=user, action=AuditAction.STAFF_2FA_FAILED, target=user, data={"step": step})
    return InvalidInput(fields={"code": [str(_("This code is not correct. Enter the current code of your app."))]})


def staff_totp_confirm(*, user: User, code: str) -> TOTPDevice:
    """Confirm the authenticator being set up with a current code from it; from then on the
    staff member's logins need a code."""
    _two_factor_attempt(user, "setup")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or staff_totp_device(user=user) is not None:
            raise Conflict(_("Two-factor authentication is already set up."), code="two_factor_set_up")
        confirmed = device.verify_token(code.strip())
        if confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            audit_record(actor=user, action=AuditAction.STAFF_2FA_SETUP, target=user, data={"device": device.pk})
    if not confirmed:  # outside the transaction, so that the failure's audit entry stays
        raise _two_factor_wrong(user, "setup")
    return device


def staff_totp_verify(*, user: User, code: str) -> TOTPDevice:
    """Check a staff member's code from their confirmed authenticator: each code works once,
    and only a few tries are allowed in a row."""
    _two_factor_attempt(user, "login")
    device = staff_totp_device(user=user)
    if device is None:
        raise Conflict(_("Set up two-factor authentication first."), code="two_factor_missing")
    verified = verify_token(user, device.persistent_id, code.strip())
    if verified is None:
        raise _two_factor_wrong(user, "login")
    return verified


PEPPOL_ID_FORMAT = _('Enter a Peppol participant ID: the scheme, a colon and the identifier, e.g. "0208:0403019261".')


def business_peppol_id_set(*, business: Business, actor: User, peppol_id: str) -> Business:
    """A user with billing rights says where the business receives e-invoices on Peppol
    ("0208:0403019261"), or clears it (empty); the next invoices carry it as their electronic
    address. Staff may set it too (`actor` staff)."""
    billing = BusinessMembership.objects.filter(
        user=actor, business=business, role__in=(BusinessRole.SUPERUSER, BusinessRole.ADMIN)
    ).exists()
    if not (actor.is_staff or billing):
        raise Forbidden(_("Only users with billing rights can change where the business receives e-invoices."))
    normalised = peppol_id_normalise(peppol_id) if peppol_id.strip() else ""
    if normalised is None:
        raise InvalidInput(fields={"peppol_id": [str(PEPPOL_ID_FORMAT)]})
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        before = locked.peppol_id
        if before != normalised:
            Business.objects.filter(pk=locked.pk).update(peppol_id=normalised, updated_at=timezone.now())
            audit_record(
                actor=actor, action=AuditAction.BUSINESS_PEPPOL_ID, target=locked,
                data={"before": before, "after": normalised},
            )  # fmt: skip
    business.peppol_id = normalised
    return business


def business_vies_check_request(*, business_id: int, actor: Any = None, requester: str = "") -> Business:
    """Ask VIES about a business's VAT number as it is now (after it changed), and show that
    answer on the business. `requester` is the asking seller's VAT number when the caller knows
    it (accounts does not know the sellers): without one VIES answers without a consultation
    number. A number VIES does not know of (not an EU one), or VIES switched off, leaves the
    business without a check."""
    with transaction.atomic():
        business = Business.objects.select_for_update().get(pk=business_id)
        check = (
            vies_check_request(country=str(business.country), vat_number=business.vat_number, requester=requester)
            if business.vat_number
            else None
        )
        if check is None and business.vies_check_id is None:
            return business
        business.vies_check = check
        business.save(update_fields=["vies_check", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.BUSINESS_VIES_CHECK,
            target=business,
            data={"vies_check": check.pk if check else None},
        )
    return business
