from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.notifications.enums import OUTBOX_TRANSITIONS, OutboxStatus, SecretKind
from propass.notifications.rendering import render_message
from propass.notifications.secrets import secret_mask_html, secret_mask_text


class Notification(models.Model):
    """One entry under the bell, for one user. Stored as its kind, the English source text and
    its parameters, and rendered in the reader's language when it is shown."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title

    @property
    def title_text(self) -> str:
        return render_message(self.title, self.params)

    @property
    def body_text(self) -> str:
        return render_message(self.body, self.params) if self.body else ""


class OutboxMessage(models.Model):
    """An e-mail, rendered and stored before it is sent, so that none is ever lost.

    `body_text` and `body_html` are what is sent. A message with a single-use link
    (`secret_kind` set) also keeps a staff copy with the link masked (`masked_*`): staff read
    `staff_text` and `staff_html`, never the bodies (see notifications/secrets.py)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    template = models.CharField(_("template"), max_length=100)
    language = models.CharField(_("language"), max_length=8)
    sender = models.CharField(_("from"), max_length=254)
    to = models.EmailField(_("to"), db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    STATUS_TRANSITIONS = OUTBOX_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    secret_kind = models.CharField(_("single-use link"), max_length=20, choices=SecretKind.choices, blank=True)
    secret_ref = models.PositiveBigIntegerField(null=True, blank=True)
    secret_valid_until = models.DateTimeField(_("link valid until"), null=True, blank=True)
    masked_text = models.TextField(blank=True)
    masked_html = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name = _("e-mail")
        verbose_name_plural = _("outbox")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def staff_text(self) -> str:
        """The plain text as staff may read it: a single-use link is a note in their language."""
        if not self.secret_kind:
            return self.body_text
        return secret_mask_text(self.masked_text, self.secret_valid_until)

    @property
    def staff_html(self) -> str:
        """The HTML as staff may see it: a single-use link is a note in their language."""
        if not self.secret_kind:
            return self.body_html
        return secret_mask_html(self.masked_html, self.secret_valid_until)
