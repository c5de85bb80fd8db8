import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel
from propass.support.enums import AWAITING_STAFF, MEMBER_STATUS_LABELS, TICKET_TRANSITIONS, TicketCategory, TicketStatus

# Tickets of businesses without a live membership come after every tier.
NO_MEMBERSHIP_PRIORITY = 1000


class Ticket(TimeStampedModel):
    """A CPS Priority Support request of a business: messages both ways, a priority from the
    business's membership tier and an answer deadline from that tier's SLA."""

    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.CASCADE, related_name="tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL
    )
    category = models.CharField(_("category"), max_length=20, choices=TicketCategory.choices)
    subject = models.CharField(_("subject"), max_length=200)
    STATUS_TRANSITIONS = TICKET_TRANSITIONS
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    tier = models.ForeignKey(
        "memberships.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The business's membership tier at its last message; none without a membership."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=NO_MEMBERSHIP_PRIORITY, help_text=_("Lower comes first.")
    )
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    last_message_at = models.DateTimeField(_("last activity"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    sla_alerted_for = models.DateTimeField(
        null=True, blank=True, help_text="The answer deadline the agents were last alerted about."
    )

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "priority", "created_at"])]

    def __str__(self) -> str:
        return self.subject

    @property
    def awaiting_staff(self) -> bool:
        return self.status in AWAITING_STAFF

    @property
    def member_status(self) -> str:
        return str(MEMBER_STATUS_LABELS.get(self.status, self.get_status_display()))  # type: ignore[call-overload]


class TicketMessage(models.Model):
    """One message of a ticket: the member's, an agent's answer, or an agent's internal note
    that members never see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"))
    from_staff = models.BooleanField(_("from CPS Priority Support"), default=False)
    internal = models.BooleanField(_("internal note"), default=False, help_text=_("Seen by the support agents only."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]


def attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # The stored name is random; the member's own name is kept only as text.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"support/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{extension}"


class TicketAttachment(models.Model):
    """A file sent with a message; kept in private storage and served only to the ticket's
    business and the support agents."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class SupportSla(models.Model):
    """How many hours the agents have to answer, per membership tier; the row without a tier
    is for businesses without a membership."""

    tier = models.OneToOneField(
        "memberships.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="support_sla",
        help_text=_("Empty: businesses without a membership."),
    )
    response_hours = models.PositiveIntegerField(_("answer within (hours)"))

    class Meta:
        verbose_name = _("support SLA")
        verbose_name_plural = _("support SLAs")
        # One row per tier, and a single row for "no membership" (a NULL tier).
        constraints = [models.UniqueConstraint(Coalesce("tier", 0), name="support_sla_one_per_tier")]

    def __str__(self) -> str:
        return f"{self.tier or _('No membership')}: {self.response_hours} h"


class CannedReply(models.Model):
    """A ready answer the agents pick in the member's language and adapt before sending."""

    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["language", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"
