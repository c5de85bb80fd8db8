from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


# A worker claims a queued message (sending) and sends it, puts it back in the queue for a
# retry, or gives up (failed); staff may queue a failed one again. Mail still waiting for a
# person whose data is erased is never sent (failed).
OUTBOX_TRANSITIONS: dict[str, set[str]] = {
    OutboxStatus.QUEUED: {OutboxStatus.SENDING, OutboxStatus.FAILED},
    OutboxStatus.SENDING: {OutboxStatus.SENT, OutboxStatus.QUEUED, OutboxStatus.FAILED},
    OutboxStatus.FAILED: {OutboxStatus.QUEUED},
    OutboxStatus.SENT: set(),
}


class SecretKind(models.TextChoices):
    """What a single-use link in an e-mail opens (see notifications/secrets.py)."""

    PASSWORD = "password", _("Set-password link")
    APPLICATION = "application", _("Application status link")
