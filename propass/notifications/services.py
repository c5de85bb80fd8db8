import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation

from propass.core.enums import AuditAction
from propass.core.errors import NotFound
from propass.core.selectors import program_current
from propass.core.statuses import status_move, statuses_move
from propass.core.tasks import in_background
from propass.notifications.enums import OutboxStatus
from propass.notifications.kinds import email_wanted
from propass.notifications.models import Notification, OutboxMessage
from propass.notifications.recipients import Audience, Recipient
from propass.notifications.rendering import param_value, render_message, source_text
from propass.notifications.secrets import SECRET_MARK, SecretLink

logger = logging.getLogger(__name__)

# A message claimed by a worker that died is handed out again after this long.
STALE_CLAIM = timedelta(minutes=15)


def email_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """Subject (one line), text and HTML of e-mail `template` in `language`."""
    ctx = {"site_url": settings.SITE_URL, "language": language, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", ctx).split())
        body_text = render_to_string(f"emails/{template}/body.txt", ctx).strip() + "\n"
        body_html = render_to_string(f"emails/{template}/body.html", ctx)
    return subject, body_text, body_html


def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any] | None = None,
    language: str | None = None,
    sender: str | None = None,
) -> OutboxMessage:
    """Render e-mail `template` in the recipient's language and store it in the outbox.

    Templates live at emails/<template>/subject.txt, body.txt and body.html. Delivery is
    queued when the caller's transaction commits, so a rolled-back action sends nothing.
    A single-use link goes in `context` as a `SecretLink` (at most one per message): the
    message then also stores a staff copy rendered with the link masked.
    """
    language = language or settings.LANGUAGE_CODE
    context = context or {}
    subject, body_text, body_html = email_render(template=template, context=context, language=language)
    secret = next((value for value in context.values() if isinstance(value, SecretLink)), None)
    masked: dict[str, Any] = {}
    if secret is not None:
        masked_context = {
            key: SECRET_MARK if isinstance(value, SecretLink) else value for key, value in context.items()
        }
        _subject, masked_text, masked_html = email_render(template=template, context=masked_context, language=language)
        masked = {
            "secret_kind": secret.kind,
            "secret_ref": secret.ref,
            "secret_valid_until": secret.valid_until,
            "masked_text": masked_text,
            "masked_html": masked_html,
        }
    message = OutboxMessage.objects.create(
        template=template,
        language=language,
        sender=sender or settings.DEFAULT_FROM_EMAIL,
        to=to,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        **masked,
    )
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def _enqueue_delivery(message_id: int) -> None:
    try:
        in_background(outbox_deliver_task).enqueue(message_id)
    except Exception:
        # The message is stored; the outbox-retry job enqueues it again.
        logger.exception("could not enqueue delivery of outbox message %s", message_id)


@task()
def outbox_deliver_task(message_id: int) -> None:
    outbox_deliver(message_id=message_id)


@task()
def outbox_deliver_many_task(message_ids: list[int]) -> None:
    for message_id in message_ids:
        outbox_deliver(message_id=message_id)


def _enqueue_deliveries(message_ids: list[int]) -> None:
    try:
        in_background(outbox_deliver_many_task).enqueue(message_ids)
    except Exception:
        # The messages are stored; the outbox-retry job enqueues them again.
        logger.exception("could not enqueue delivery of %s outbox messages", len(message_ids))


def outbox_deliver(*, message_id: int) -> OutboxStatus:
    """Send one stored message through the configured e-mail backend.

    The message is claimed first (queued -> sending), so two workers never send it twice; a
    refusal puts it back in the queue with a growing delay until OUTBOX_MAX_ATTEMPTS.
    """
    now = timezone.now()
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        return OutboxStatus.FAILED
    if message.status != OutboxStatus.QUEUED or not status_move(
        message,
        OutboxStatus.SENDING,
        only_if={"next_attempt_at__lte": now},
        claimed_at=now,
        attempts=F("attempts") + 1,
    ):
        message.refresh_from_db(fields=["status"])
        return OutboxStatus(message.status)
    email = EmailMultiAlternatives(
        subject=message.subject, body=message.body_text, from_email=message.sender, to=[message.to]
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            status_move(message, OutboxStatus.FAILED, last_error=error)
            logger.error("outbox message %s failed for good: %s", message.pk, error)
            return OutboxStatus.FAILED
        delay = timedelta(minutes=min(2**message.attempts, 360))
        status_move(message, OutboxStatus.QUEUED, last_error=error, next_attempt_at=timezone.now() + delay)
        return OutboxStatus.QUEUED
    status_move(message, OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    return OutboxStatus.SENT


def outbox_retry_due(*, at: datetime) -> int:
    """Hand stale claims back to the queue and enqueue every message due by `at`."""
    stale = OutboxMessage.objects.filter(claimed_at__lt=at - STALE_CLAIM)
    statuses_move(stale, [OutboxStatus.SENDING], OutboxStatus.QUEUED, next_attempt_at=at)
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=at).values_list("pk", flat=True)[
            :1000
        ]
    )
    for message_id in due:
        _enqueue_delivery(message_id)
    return len(due)


def outbox_requeue(*, message_id: int, actor: Recipient) -> OutboxMessage:
    """Staff send a message that failed for good once more."""
    message = OutboxMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound()
    with transaction.atomic():
        if status_move(
            message,
            OutboxStatus.QUEUED,
            actor=actor,
            action=AuditAction.OUTBOX_REQUEUE,
            next_attempt_at=timezone.now(),
            attempts=0,
        ):
            transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    message.refresh_from_db()
    return message


def notification_create(
    *, user: Recipient, kind: str, title: Any, body: Any = "", url: str = "", params: dict | None = None
) -> Notification:
    """Put an entry under the user's bell. `title` and `body` are lazy translations with
    `%(name)s` placeholders: their English source and `params` are stored, and the text is
    rendered in the reader's language whenever it is shown."""
    return Notification.objects.create(
        user_id=user.pk, **_notification_row(kind=kind, title=title, body=body, url=url, params=params)
    )


def _notification_row(*, kind: str, title: Any, body: Any, url: str, params: dict | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": source_text(title)[:200],
        "body": source_text(body) if body else "",
        "url": url,
        "params": {key: param_value(value) for key, value in (params or {}).items()},
    }


def notification_mark_all_read(*, user: Recipient) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


def notification_mark_read(*, user: Recipient, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read; another user's is not found."""
    notification = Notification.objects.filter(pk=notification_id, user_id=user.pk).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_business(
    *, business: Audience, kind: str, title: Any, body: Any = "", url: str = "", params: dict | None = None
) -> None:
    """Put an entry under the bell of every active user of a business, each in their own
    language (`title` and `body` are lazy translations, `params` fill their placeholders)."""
    users = business.memberships.filter(user__is_active=True).values_list("user_id", flat=True)
    row = _notification_row(kind=kind, title=title, body=body, url=url, params=params)
    Notification.objects.bulk_create([Notification(user_id=user_id, **row) for user_id in users])


def notifications_businesses(
    *,
    entries: Sequence[tuple[Audience, dict] | tuple[Audience, dict, str]],
    kind: str,
    title: Any,
    body: Any = "",
    url: str = "",
) -> None:
    """`notification_business` for many businesses, each with its own `params` (and its own
    link when an entry gives a third item), in one INSERT. Each business's `memberships` are
    read as given: the caller prefetches the active users' memberships (`business__memberships`,
    filtered on `user__is_active`)."""
    rows = []
    for business, params, *link in entries:
        row = _notification_row(kind=kind, title=title, body=body, url=link[0] if link else url, params=params)
        rows += [Notification(user_id=membership.user_id, **row) for membership in business.memberships.all()]
    Notification.objects.bulk_create(rows)


def businesses_notify(
    *,
    entries: list[tuple[Audience, dict]],
    kind: str,
    title: Any,
    body: Any = "",
    url: str = "",
    billing_only: bool = False,
) -> None:
    """`business_notify` for many businesses, each with its own `params` (a batch job: a
    renewal day, its invoices): the same bells and e-mails, with the people of every business
    read in one query, the bells and the outbox rows written in one INSERT each and their
    delivery queued as one background task. Each business's `memberships` are read as given:
    the caller prefetches them with their users (`business__memberships__user`)."""
    program = program_current()
    bells: list[Notification] = []
    messages: list[OutboxMessage] = []
    for business, raw in entries:
        params = {key: param_value(value) for key, value in raw.items()}
        row = _notification_row(kind=kind, title=title, body=body, url=url, params=params)
        for membership in business.memberships.all():
            user = membership.user
            if not user.is_active:
                continue
            bells.append(Notification(user_id=user.pk, **row))
            if billing_only and membership.role not in ("superuser", "admin"):
                continue
            if not email_wanted(user=user, kind=kind):
                continue
            with translation.override(user.language):
                context = {
                    "user": user,
                    "title": render_message(source_text(title), params),
                    "body": render_message(source_text(body), params) if body else "",
                    "url": url,
                }
            subject, body_text, body_html = email_render(template="notice", context=context, language=user.language)
            messages.append(
                OutboxMessage(
                    template="notice",
                    language=user.language,
                    sender=program.sender,
                    to=user.email,
                    subject=subject[:300],
                    body_text=body_text,
                    body_html=body_html,
                )
            )
    Notification.objects.bulk_create(bells)
    ids = [message.pk for message in OutboxMessage.objects.bulk_create(messages)]
    if ids:
        transaction.on_commit(lambda: _enqueue_deliveries(ids))


def business_notify(
    *,
    business: Audience,
    kind: str,
    title: Any,
    body: Any = "",
    url: str = "",
    params: dict | None = None,
    billing_only: bool = False,
    details: Sequence[tuple[Any, dict]] = (),
    details_heading: Any = "",
) -> None:
    """Tell a business about an event that matters: an entry under every user's bell and an
    e-mail, each in the reader's language (`title` and `body` are lazy translations with
    `%(name)s` placeholders filled from `params`). `billing_only` e-mails only the users who
    manage the membership (superuser and administrators). `details` (lazy sentences with their
    own parameters, under `details_heading`) are listed in the e-mail only, e.g. the year's value
    in a renewal reminder."""
    params = {key: param_value(value) for key, value in (params or {}).items()}
    notification_business(business=business, kind=kind, title=title, body=body, url=url, params=params)
    program = program_current()
    memberships = business.memberships.select_related("user").filter(user__is_active=True)
    if billing_only:
        memberships = memberships.filter(role__in=["superuser", "admin"])
    for membership in memberships:
        user = membership.user
        if not email_wanted(user=user, kind=kind):
            continue
        with translation.override(user.language):
            email_send(
                to=user.email,
                template="notice",
                language=user.language,
                sender=program.sender,
                context={
                    "user": user,
                    "title": render_message(source_text(title), params),
                    "body": render_message(source_text(body), params) if body else "",
                    "url": url,
                    "details_heading": render_message(source_text(details_heading), None) if details else "",
                    "details": [render_message(source_text(line), line_params) for line, line_params in details],
                },
            )
