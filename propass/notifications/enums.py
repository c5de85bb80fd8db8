from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


OUTBOX_TRANSITIONS: dict[str, set[str]] = {
    OutboxStatus.QUEUED: {OutboxStatus.SENDING},
    OutboxStatus.SENDING: {OutboxStatus.SENT, OutboxStatus.QUEUED, OutboxStatus.FAILED},
    OutboxStatus.FAILED: {OutboxStatus.QUEUED},
    OutboxStatus.SENT: set(),
}
