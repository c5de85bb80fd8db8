from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel
from propass.support.enums import TicketCategory, TicketStatus


class Ticket(TimeStampedModel):
    """A CPS Priority Support request of a business (messages, priority and SLA grow with
    the support capability)."""

    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.CASCADE, related_name="tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL
    )
    category = models.CharField(_("category"), max_length=20, choices=TicketCategory.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN)

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]
