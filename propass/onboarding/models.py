import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from propass.core.models import TimeStampedModel
from propass.onboarding.enums import APPLICATION_TRANSITIONS, OPEN_STATUSES, ApplicationStatus, DocumentType


class Application(TimeStampedModel):
    """A company's request for a business account, until staff approve or reject it."""

    token = models.CharField(max_length=64, unique=True, editable=False)
    STATUS_TRANSITIONS = APPLICATION_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    # Contact person: the e-mail becomes the login.
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32)
    language = models.CharField(_("preferred language"), max_length=8, choices=settings.LANGUAGES)
    # Company
    company_name = models.CharField(_("company name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    vat_registered = models.BooleanField(_("VAT-registered"))
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True, db_index=True)
    vat_check = models.JSONField(_("VAT check"), default=dict, blank=True)
    vies_check = models.ForeignKey(
        "core.ViesCheck", verbose_name=_("VIES check"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("The latest VIES answer about the VAT number."),
    )  # fmt: skip
    authorised = models.BooleanField(_("authorised to provide these details"))
    legacy_email = models.EmailField(_("old CPS e-mail"), blank=True)
    terms_version = models.CharField(_("business account terms accepted"), max_length=20)
    privacy_version = models.CharField(_("privacy notice accepted"), max_length=20)
    # Validation
    submitted_at = models.DateTimeField(_("submitted"))
    sla_started_at = models.DateTimeField(_("SLA started"))
    sla_deadline = models.DateTimeField(_("SLA deadline"), db_index=True)
    info_request_message = models.TextField(_("information requested"), blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    business = models.OneToOneField(
        "accounts.Business",
        verbose_name=_("business"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["sla_deadline", "pk"]
        indexes = [
            # The validation queue: open applications, soonest deadline first.
            models.Index(
                fields=["sla_deadline", "id"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="application_open_queue",
            ),
            models.Index(fields=["status"], name="application_status"),  # the counts per status
            # Member 360 finds a business's applications by its users' e-mails and its VAT number.
            models.Index(Lower("email"), name="application_email_lower"),
            models.Index(fields=["vat_number"], name="application_vat_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=models.Q(status__in=OPEN_STATUSES), name="one_open_application_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.email})"

    @property
    def audit_repr(self) -> str:
        return f"{self.company_name} (application #{self.pk})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def document_path(instance: "ApplicationDocument", filename: str) -> str:
    # The stored name is random; the applicant's own name is kept only as text.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"applications/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{extension}"


class ApplicationDocument(models.Model):
    """A proof of business uploaded with an application (or later, when asked)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name
