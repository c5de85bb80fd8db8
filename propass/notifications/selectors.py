from typing import TYPE_CHECKING

from django.db.models import QuerySet

from propass.notifications.models import Notification, OutboxMessage

if TYPE_CHECKING:  # the bell and the outbox sit below accounts: users and businesses as types only
    from propass.accounts.models import User


def notification_unread_count(*, user: "User") -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user: "User") -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def outbox_list(*, to: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.all()
    if to:
        messages = messages.filter(to__iexact=to.strip())
    return messages
