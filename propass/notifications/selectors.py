from django.db.models import QuerySet

from propass.notifications.models import Notification, OutboxMessage
from propass.notifications.recipients import Recipient


def notification_unread_count(*, user: Recipient) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notification_list(*, user: Recipient) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk)


def outbox_list(*, to: str = "") -> QuerySet[OutboxMessage]:
    messages = OutboxMessage.objects.all()
    if to:
        messages = messages.filter(to__iexact=to.strip())
    return messages
