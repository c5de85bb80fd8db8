import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from propass.core.models import TimeStampedModel
from propass.products.enums import (
    REGISTRATION_TRANSITIONS,
    REQUIRED_FIELDS,
    TRANSFER_TRANSITIONS,
    RegistrationStatus,
    TransferStatus,
)


class LegacyAccount(TimeStampedModel):
    """An account of the old CPS program, loaded by staff; found by its e-mail (stored
    lower-cased). Once its products are migrated it names the business and the time."""

    email = models.EmailField(_("old CPS e-mail"), unique=True)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    membership_number = models.CharField(_("old membership number"), max_length=30, blank=True)
    level = models.CharField(_("old level"), max_length=50, blank=True)
    migrated_to = models.ForeignKey(
        "accounts.Business",
        verbose_name=_("migrated to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legacy_accounts",
    )
    migrated_at = models.DateTimeField(_("migrated"), null=True, blank=True)

    class Meta:
        verbose_name = _("legacy CPS account")
        verbose_name_plural = _("legacy CPS accounts")

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return self.email


class LegacyRegistration(models.Model):
    """A product registered in the old program; any detail may be missing."""

    # The unique (account, key) index serves lookups by account; no second index on it.
    account = models.ForeignKey(LegacyAccount, on_delete=models.CASCADE, related_name="registrations", db_index=False)
    # The import key with the account: serial number and (product code or product name).
    key = models.CharField(max_length=320, default="")
    product = models.ForeignKey(
        "catalog.ProductModel",
        verbose_name=_("model"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # only read through the account; keeps a million-row import fast
        db_constraint=False,
    )
    product_code = models.CharField(_("product code"), max_length=50, blank=True)
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    country_of_purchase = models.CharField(_("country of purchase"), max_length=2, blank=True)
    dealer = models.CharField(_("dealer"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legacy registration")
        verbose_name_plural = _("legacy registrations")
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="legacy_registration_key_unique")]

    def __str__(self) -> str:
        return f"{self.product_code or self.product_name} {self.serial_number}"


class Registration(TimeStampedModel):
    """A product a business registered. Its points value is fixed when the model is chosen;
    it is credited when all five details are present and no other business holds the serial."""

    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.CASCADE, related_name="registrations"
    )
    product = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("model"), null=True, blank=True, on_delete=models.PROTECT
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    country_of_purchase = CountryField(_("country of purchase"), blank=True)
    dealer = models.CharField(_("dealer"), max_length=200, blank=True)
    STATUS_TRANSITIONS = REGISTRATION_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.INCOMPLETE
    )
    points_value = models.PositiveIntegerField(_("points value"), default=0)
    points_credited = models.IntegerField(_("points credited"), default=0)
    review_note = models.TextField(_("review note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One credited registration per model and serial across all businesses.
            models.UniqueConstraint(
                fields=["product", "serial_number"],
                condition=models.Q(status="complete"),
                name="one_credited_registration_per_serial",
            ),
            models.UniqueConstraint(
                fields=["business", "product", "serial_number"],
                condition=models.Q(product__isnull=False) & ~models.Q(serial_number="") & ~models.Q(status="rejected"),
                name="one_registration_per_serial_per_business",
            ),
        ]
        indexes = [
            models.Index(fields=["business", "status"]),
            # A business's products newest first (MY PRODUCTS, member 360) without walking the
            # whole table's created_at index.
            models.Index(fields=["business", "-created_at", "-id"], name="registration_business_newest"),
            models.Index(fields=["product", "serial_number"]),
            models.Index(fields=["serial_number"], name="registration_serial"),  # staff search by serial
        ]

    def __str__(self) -> str:
        return f"{self.product or '?'} {self.serial_number}".strip()

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED_FIELDS if not getattr(self, name if name != "product" else "product_id")]


class LegacyImport(models.Model):
    """A legacy file uploaded in the back office, imported by the background worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    # The worker claims a queued file (so two workers never import it twice) and finishes it.
    STATUS_TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING},
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }

    file = models.FileField(upload_to="legacy-imports/", max_length=200)
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    accounts = models.PositiveIntegerField(default=0)
    registrations = models.PositiveIntegerField(default=0)
    bad_rows = models.PositiveIntegerField(default=0)
    report = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name


def transfer_proof_path(instance: "ProductTransfer", filename: str) -> str:
    # The stored name is random; the member's own name is kept only as text.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"transfers/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{extension}"


class ProductTransfer(TimeStampedModel):
    """A registration one business releases to another. The offer names the receiver by the
    e-mail of one of its users or its VAT number, as typed (`recipient`); `to_business` is the
    business found, or none, and the releasing business is never told which. On acceptance the
    registration moves to the receiver with its own purchase date, the releasing business is
    debited the points it had from it and the receiver credited the catalog value of the day."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfers",
    )
    # What was offered, kept when the registration is later deleted.
    product = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("model"), null=True, blank=True, on_delete=models.PROTECT
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    from_business = models.ForeignKey(
        "accounts.Business",
        verbose_name=_("from business"),
        on_delete=models.CASCADE,
        related_name="transfers_out",
    )
    to_business = models.ForeignKey(
        "accounts.Business",
        verbose_name=_("to business"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transfers_in",
    )
    recipient = models.CharField(_("offered to"), max_length=254)
    STATUS_TRANSITIONS = TRANSFER_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=20, choices=TransferStatus.choices, default=TransferStatus.OFFERED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # The receiver's own purchase, and the releasing business's, given back on a reversal.
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    previous_purchase_date = models.DateField(_("previous purchase date"), null=True, blank=True)
    proof = models.FileField(_("proof of purchase"), upload_to=transfer_proof_path, max_length=200, blank=True)
    proof_name = models.CharField(_("proof file name"), max_length=200, blank=True)
    proof_content_type = models.CharField(max_length=50, blank=True)
    points_debited = models.PositiveIntegerField(_("points debited"), default=0)
    points_credited = models.PositiveIntegerField(_("points credited"), default=0)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)
    reversal_note = models.TextField(_("reversal note"), blank=True)

    class Meta:
        verbose_name = _("product transfer")
        verbose_name_plural = _("product transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open offer per registration.
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(status="offered"),
                name="one_open_transfer_per_registration",
            ),
        ]
        indexes = [
            models.Index(fields=["from_business", "-created_at"], name="transfer_from_newest"),
            models.Index(fields=["to_business", "status"], name="transfer_to_status"),
            models.Index(fields=["status", "-created_at"], name="transfer_status_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.product or '?'} {self.serial_number}".strip()


class EndOfSupportNotice(models.Model):
    """A business was told that a registration's model reaches its end of support (90 or 30
    days ahead): recorded once per registration, threshold and end-of-support date, so the daily
    job can run any number of times. `batch` names the run that recorded it (the rows a run
    wrote are the ones it tells)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="end_of_support_notices")
    days_before = models.PositiveSmallIntegerField(_("days before"))
    end_of_support = models.DateField(_("end of support"))
    batch = models.UUIDField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("end-of-support notice")
        verbose_name_plural = _("end-of-support notices")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "days_before", "end_of_support"], name="end_of_support_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} {self.days_before} days before {self.end_of_support}"
