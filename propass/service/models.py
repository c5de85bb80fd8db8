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
from propass.service.enums import (
    LOAN_TRANSITIONS,
    LOAN_UNIT_TRANSITIONS,
    PROMISE_RUNNING,
    SERVICE_TRANSITIONS,
    LoanCondition,
    LoanDeposit,
    LoanReminderKind,
    LoanStatus,
    LoanUnitStatus,
    ServiceKind,
    ServiceStatus,
    StepKind,
)

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


# --- Loan equipment -----------------------------------------------------------------------------------


class LoanPrice(models.Model):
    """Price data of a model lent from the pool, per currency: the deposit authorised on the card,
    the fee per day late and the damage fee (both excl. VAT, invoiced after a staff decision)."""

    model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("model"), on_delete=models.CASCADE, related_name="loan_prices"
    )
    currency = models.CharField(_("currency"), max_length=3)
    deposit = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2)
    daily_late_fee = models.DecimalField(_("fee per day late"), max_digits=10, decimal_places=2)
    damage_fee = models.DecimalField(_("damage fee"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("loan price")
        verbose_name_plural = _("loan prices")
        ordering = ["model__name", "currency"]
        constraints = [models.UniqueConstraint(fields=["model", "currency"], name="loan_price_model_currency")]

    def __str__(self) -> str:
        return f"{self.model} {self.currency}"


class LoanUnit(TimeStampedModel):
    """One unit of the loan pool: a catalog model with its serial number, kept at a service centre."""

    model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("model"), on_delete=models.PROTECT, related_name="loan_units"
    )
    serial_number = models.CharField(_("serial number"), max_length=60)
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("service centre"), on_delete=models.PROTECT, related_name="loan_units"
    )
    condition = models.TextField(_("condition"), blank=True)
    STATUS_TRANSITIONS = LOAN_UNIT_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=20, choices=LoanUnitStatus.choices, default=LoanUnitStatus.AVAILABLE
    )

    class Meta:
        verbose_name = _("loan unit")
        verbose_name_plural = _("loan units")
        ordering = ["model__name", "serial_number"]
        constraints = [models.UniqueConstraint(fields=["model", "serial_number"], name="loan_unit_model_serial")]

    def __str__(self) -> str:
        return f"{self.model} {self.serial_number}"


class Loan(TimeStampedModel):
    """A unit lent to a business from `starts_on` to `ends_on` (both days included). A unit is
    never booked twice for overlapping days: on PostgreSQL an exclusion constraint on
    (unit, daterange(starts_on, ends_on, '[]')) for live loans (added by migration 0002_loans on
    PostgreSQL only, so not in Meta), everywhere the unit's row lock and an overlap check in the
    booking transaction (`loan_request` in services)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.PROTECT, related_name="loans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(LoanUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="loans")
    model = models.ForeignKey(
        "catalog.ProductModel", verbose_name=_("model"), on_delete=models.PROTECT, related_name="+"
    )
    subscription = models.ForeignKey(
        "memberships.Subscription", verbose_name=_("membership"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    service_request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("service request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    STATUS_TRANSITIONS = LOAN_TRANSITIONS
    status = models.CharField(_("status"), max_length=20, choices=LoanStatus.choices, default=LoanStatus.REQUESTED)
    terms_version = models.CharField(_("loan terms accepted"), max_length=20, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"))
    deposit_method = models.CharField(_("deposit"), max_length=12, choices=LoanDeposit.choices)
    deposit_amount = models.DecimalField(_("deposit"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    daily_late_fee = models.DecimalField(_("fee per day late"), max_digits=10, decimal_places=2)
    damage_fee = models.DecimalField(_("damage fee"), max_digits=10, decimal_places=2)
    hold_reference = models.CharField(_("card authorisation"), max_length=100, blank=True)
    deposit_released_at = models.DateTimeField(_("deposit released"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking = models.CharField(_("tracking number"), max_length=100, blank=True)
    dispatched_on = models.DateField(_("dispatched"), null=True, blank=True)
    returned_on = models.DateField(_("returned"), null=True, blank=True)
    return_condition = models.CharField(_("condition"), max_length=10, choices=LoanCondition.choices, blank=True)
    return_note = models.TextField(_("note"), blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    late_fee_charged = models.DecimalField(
        _("late fee invoiced"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    damage_fee_charged = models.DecimalField(
        _("damage fee invoiced"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "starts_on"]),
            models.Index(fields=["business", "created_at"]),
            models.Index(fields=["status", "ends_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="loan_dates_ordered")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def days_late(self, day: date | None = None) -> int:
        """Days past the end date: to the return day once returned, else to `day` (today)."""
        until = self.returned_on or day or timezone.localdate()
        return max(0, (until - self.ends_on).days)


class LoanReminder(models.Model):
    """A reminder sent about a loan: at most one per loan and day (the job may run twice)."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=LoanReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["loan", "day"], name="loan_reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.loan} {self.day} {self.kind}"


class MissedPromise(models.Model):
    """A service request that passed its promised date while the product was still at the
    centre: recorded once (the member is told at once), then, when the product is ready, the
    days it was late are made good as the tier says (`BenefitKind.PROMISE_COMPENSATION`), once."""

    request = models.OneToOneField(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.CASCADE, related_name="missed_promise"
    )
    promised_by = models.DateField(_("promised by"))
    noticed_at = models.DateTimeField(_("noticed"), default=timezone.now)
    ready_on = models.DateField(_("ready"), null=True, blank=True)
    # The loan offered with the notice: the product's model, free for the days offered.
    loan_offer_starts_on = models.DateField(_("loan offered from"), null=True, blank=True)
    loan_offer_ends_on = models.DateField(_("loan offered to"), null=True, blank=True)
    days_late = models.PositiveSmallIntegerField(_("days late"), null=True, blank=True)
    days_added = models.PositiveSmallIntegerField(_("days added to the membership"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("missed promise")
        verbose_name_plural = _("missed promises")

    def __str__(self) -> str:
        return f"{self.request} {self.promised_by}"
