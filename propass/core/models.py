from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogIsAppendOnly(Exception):
    """Something tried to change or delete an audit entry."""


def _only_unlinks_the_actor(fields: dict[str, object]) -> bool:
    # Deleting a user sets the actor to NULL (SET_NULL); actor_repr still says who it was.
    return bool(fields) and fields.keys() <= {"actor", "actor_id"} and all(v is None for v in fields.values())


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs: object) -> int:
        if not _only_unlinks_the_actor(kwargs):
            raise AuditLogIsAppendOnly("audit log is append-only")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit log is append-only")


class AuditLog(models.Model):
    """Who did what to which object, and with which data. Append-only: the application
    refuses to change or delete an entry, and so does the database (a trigger)."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_repr = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_repr = models.CharField(_("object"), max_length=254, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr or '-'} {self.action} {self.target_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AuditLogIsAppendOnly("audit log is append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit log is append-only")


class Sequence(models.Model):
    """A named counter. `sequence_next` hands out its values without gaps or repeats."""

    name = models.CharField(max_length=100, unique=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class ScheduledRun(models.Model):
    """One run of a periodic job for one time slot; the unique pair makes a run happen once."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"


class TaskWorker(models.Model):
    """A running `propass worker` on the database backend, with its heartbeat: a task claimed by a
    worker whose heartbeat stopped (kill -9, a lost machine) is handed out again (core/tasks.py)."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class QueuedTask(DBTaskResult):
    """django-tasks-db's task row, with the moves ProPass makes on it (handing a lost task out
    again, failing it for good) going through core.statuses like every other status."""

    STATUS_TRANSITIONS = {
        "READY": {"RUNNING"},
        "RUNNING": {"READY", "SUCCESSFUL", "FAILED"},
        "SUCCESSFUL": set(),
        "FAILED": set(),
    }

    class Meta:
        proxy = True


def _default_countries() -> list[str]:
    return []


class Program(TimeStampedModel):
    """The membership program an operator runs: its names, sender and rules are data."""

    name = models.CharField(_("program name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=30)
    sender_name = models.CharField(_("sender name"), max_length=100)
    sender_email = models.EmailField(_("sender address (no-reply)"))
    operator_country = models.CharField(
        _("operator country"), max_length=2, help_text=_("Its public holidays do not count as business days.")
    )
    validation_sla_days = models.PositiveSmallIntegerField(_("validation time in business days"), default=2)
    participating_countries = models.JSONField(
        _("participating countries"), default=_default_countries, help_text=_("ISO 3166 codes, e.g. IT, DE, GB.")
    )
    accepted_document_types = models.JSONField(_("accepted document types"), default=list)
    set_password_link_hours = models.PositiveSmallIntegerField(_("set-password link valid for (hours)"), default=72)
    max_upload_mb = models.PositiveSmallIntegerField(_("largest upload (MB)"), default=10)
    business_invoice_max_age_days = models.PositiveSmallIntegerField(
        _("business invoice not older than (days)"), default=92
    )
    invitation_threshold = models.PositiveIntegerField(
        _("points for the invitation"), default=500, help_text=_("A business is invited once its balance reaches this.")
    )
    payment_grace_days = models.PositiveSmallIntegerField(
        _("grace period for bank transfers (days)"),
        default=14,
        help_text=_("A bank-transfer invoice unpaid this many days after its due date suspends the membership."),
    )
    refund_window_days = models.PositiveSmallIntegerField(
        _("refund window (days)"),
        default=14,
        help_text=_(
            "A membership cancelled within this many days of the start of its term is refunded in full by a "
            "credit note and ends at once; 0 means no refunds."
        ),
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("program")

    def __str__(self) -> str:
        return self.name

    @property
    def sender(self) -> str:
        return f"{self.sender_name} <{self.sender_email}>"


class LegalTextKind(models.TextChoices):
    BUSINESS_TERMS = "business_terms", _("Business account terms")
    PRIVACY_NOTICE = "privacy_notice", _("Privacy notice")
    PROGRAM_TERMS = "program_terms", _("Membership terms and conditions")
    LOAN_TERMS = "loan_terms", _("Loan equipment terms")


class LegalText(TimeStampedModel):
    """One version of a legal text. Consents store the version they accepted."""

    kind = models.CharField(_("kind"), max_length=30, choices=LegalTextKind.choices)
    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    published_at = models.DateTimeField(_("in force from"))

    class Meta:
        verbose_name = _("legal text")
        verbose_name_plural = _("legal texts")
        ordering = ["kind", "-published_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version", "language"], name="legal_text_version_language_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class IdempotencyKey(models.Model):
    """A caller's `Idempotency-Key` for one operation (method and path) and the first answer to
    it, replayed for 24 hours to a repeat with the same body. Until the answer is stored the
    key is claimed (`claim`, `claimed_at`) by the request running the operation; the unique
    constraint lets only one request claim a key (core/idempotency.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the body as canonical JSON
    created_at = models.DateTimeField(db_index=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField()
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)  # JSON as sent: jsonb would reorder the keys
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "method", "path"], name="idempotency_key_once_per_operation")
        ]
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key}"


class ViesCheckStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for VIES")
    VALID = "valid", _("Valid in VIES")
    INVALID = "invalid", _("Not valid in VIES")
    UNAVAILABLE = "unavailable", _("VIES unavailable")


class ViesCheck(TimeStampedModel):
    """One consultation of the EU's VIES service about a VAT number, kept as evidence (the
    reverse charge rests on it): VIES's answer with its consultation number, date, and the name
    and address exactly as returned. "VIES unavailable" is never "not valid": a check without an
    answer stays pending and is asked again (core/vies.py); after the last automatic attempt it
    is "unavailable", and staff can still ask again."""

    STATUS_TRANSITIONS = {
        ViesCheckStatus.PENDING: {ViesCheckStatus.VALID, ViesCheckStatus.INVALID, ViesCheckStatus.UNAVAILABLE},
        ViesCheckStatus.UNAVAILABLE: {ViesCheckStatus.PENDING},
        ViesCheckStatus.VALID: set(),
        ViesCheckStatus.INVALID: set(),
    }

    country = models.CharField(_("member state"), max_length=2)  # VIES's code: EL for Greece, XI
    number = models.CharField(_("VAT number"), max_length=20)  # without the member state's code
    requester = models.CharField(_("requester VAT number"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ViesCheckStatus.choices, default=ViesCheckStatus.PENDING
    )
    consultation_number = models.CharField(_("consultation number"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("VIES request date"), null=True, blank=True)
    name = models.TextField(_("name as returned"), blank=True)
    address = models.TextField(_("address as returned"), blank=True)
    answer = models.JSONField(_("answer as returned"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("VIES check")
        verbose_name_plural = _("VIES checks")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="vies_check_due")]

    def __str__(self) -> str:
        return f"{self.vat_number} {self.status}"

    @property
    def vat_number(self) -> str:
        return f"{self.country}{self.number}"

    @property
    def is_answered(self) -> bool:
        return self.status in (ViesCheckStatus.VALID, ViesCheckStatus.INVALID)
