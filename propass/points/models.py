from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propass.points.enums import LedgerReason


class LedgerEntry(models.Model):
    """One credit (positive) or debit (negative) of a business's points. Append-only:
    a correction is a new entry, never an edit."""

    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.CASCADE, related_name="ledger"
    )
    amount = models.IntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=20, choices=LedgerReason.choices)
    registration = models.ForeignKey(
        "products.Registration",
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_entries",
    )
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason} ({self.reference})"
