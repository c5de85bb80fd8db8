import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField

from propass.core.models import TimeStampedModel
from propass.service.enums import PROMISE_RUNNING, SERVICE_TRANSITIONS, ServiceKind, ServiceStatus, StepKind

DATE_PARAMS = {"received_on", "promised_by"}
MONEY_PARAMS = {"amount", "discount", "total"}


class ServiceCentre(models.Model):
    """Where products are serviced (program data): its address for the shipping slip, and the
    country whose public holidays the turnaround promise skips."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    holiday_country = CountryField(
        _("public holidays of"), help_text=_("The country whose public holidays are not business days here.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    standard_turnaround_days = models.PositiveSmallIntegerField(
        _("standard turnaround (business days)"),
        default=10,
        help_text=_("How long a repair takes here without a membership: the year's value counts the days saved."),
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [
            self.name,
            self.street,
            f"{self.postal_code} {self.city}".strip(),
            str(countries.name(str(self.country))),
        ]


class ServiceRequest(TimeStampedModel):
    """A repair, maintenance check or sensor clean of one of a business's credited products.
    The reference is given at once; the promise (`promised_by`) is set when the centre records
    receipt: the receipt day plus the tier's turnaround in the centre's business days."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.PROTECT, related_name="service_requests"
    )
    registration = models.ForeignKey(
        "products.Registration", verbose_name=_("product"), on_delete=models.PROTECT, related_name="service_requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    description = models.TextField(_("description"))
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("service centre"), on_delete=models.PROTECT, related_name="requests"
    )
    tier = models.ForeignKey(
        "memberships.Tier",
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The business's membership tier when the request was made, then at receipt."),
    )
    return_name = models.CharField(_("name"), max_length=200)
    return_street = models.CharField(_("street and number"), max_length=200)
    return_postal_code = models.CharField(_("postal code"), max_length=20)
    return_city = models.CharField(_("city"), max_length=100)
    return_country = CountryField(_("country"))
    STATUS_TRANSITIONS = SERVICE_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.SUBMITTED
    )
    inbound_tracking = models.CharField(_("tracking number to the centre"), max_length=100, blank=True)
    received_on = models.DateField(_("received"), null=True, blank=True)
    turnaround_days = models.PositiveSmallIntegerField(_("turnaround (business days)"), null=True, blank=True)
    promised_by = models.DateField(_("promised by"), null=True, blank=True, db_index=True)
    quote_amount = models.DecimalField(_("quote excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True)
    quote_discount = models.DecimalField(
        _("membership discount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    quote_percent = models.DecimalField(_("discount percent"), max_digits=5, decimal_places=2, null=True, blank=True)
    quote_cap_left = models.DecimalField(
        _("discount cap left"), max_digits=10, decimal_places=2, null=True, blank=True,
        help_text=_("What was left of the yearly discount cap before this quote; empty: no cap."),
    )  # fmt: skip
    quote_currency = models.CharField(_("currency"), max_length=3, blank=True)
    quote_note = models.TextField(_("quote note"), blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipped_on = models.DateField(_("shipped"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    allowance_entry = models.OneToOneField(
        "memberships.AllowanceEntry",
        verbose_name=_("maintenance check used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    allowance_return = models.OneToOneField(
        "memberships.AllowanceEntry",
        verbose_name=_("maintenance check given back"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "promised_by"]), models.Index(fields=["business", "created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def late(self) -> bool:
        """Past its promised date and not yet ready, shipped or closed."""
        return (
            self.promised_by is not None and self.status in PROMISE_RUNNING and timezone.localdate() > self.promised_by
        )

    @property
    def quote_total(self) -> Decimal | None:
        if self.quote_amount is None:
            return None
        return self.quote_amount - (self.quote_discount or Decimal("0"))

    @property
    def return_address_lines(self) -> list[str]:
        return [
            self.return_name, self.return_street, f"{self.return_postal_code} {self.return_city}".strip(),
            str(countries.name(str(self.return_country))),
        ]  # fmt: skip


class ServiceStep(models.Model):
    """One line of a request's timeline, shown to the member: what happened, when, and its
    details (the promised date, the quote, the carrier …) in `params`."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=20, choices=StepKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_staff = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request} {self.kind}"

    @property
    def detail(self) -> dict[str, Any]:
        """The step's details as values: ISO dates as dates, amounts as decimals."""
        shown: dict[str, Any] = {}
        for key, value in self.params.items():
            if key in DATE_PARAMS and value:
                shown[key] = date.fromisoformat(value)
            elif key in MONEY_PARAMS and value:
                shown[key] = Decimal(value)
            else:
                shown[key] = value
        return shown


def attachment_path(instance: "ServiceAttachment", filename: str) -> str:
    # The stored name is random; the member's own name is kept only as text.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"service/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{extension}"


class ServiceAttachment(models.Model):
    """A photo or document sent with a request; kept in private storage and served only to the
    request's business and the service agents."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attachments")
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
