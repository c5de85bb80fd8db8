from django.db.models import QuerySet

from propass.accounts.models import User
from propass.notifications.models import Notification, OutboxMessage


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def outbox_list(*, to: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.all()
    if to:
        messages = messages.filter(to__iexact=to.strip())
    return messages
