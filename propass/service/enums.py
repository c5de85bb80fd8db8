from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance check")
    SENSOR_CLEAN = "sensor_clean", _("Sensor clean")


# The kinds that use one of the membership year's free maintenance checks.
ALLOWANCE_KINDS = {ServiceKind.MAINTENANCE, ServiceKind.SENSOR_CLEAN}


class ServiceStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("service request status", "Submitted")
    AWAITING_PRODUCT = "awaiting_product", _("Product on its way")
    RECEIVED = "received", pgettext_lazy("service request status", "Received")
    IN_SERVICE = "in_service", _("In service")
    QUOTE_WAITING = "quote_waiting", _("Quote waiting for you")
    READY = "ready", _("Ready to ship back")
    SHIPPED = "shipped", pgettext_lazy("service request status", "Shipped")
    CLOSED = "closed", pgettext_lazy("service request status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("service request status", "Cancelled")


# Submitted: the member has the reference and the shipping slip; "awaiting product" once the
# member says the parcel is on its way (the centre may also record receipt straight from
# submitted). A quote waits for the member: approved goes back into service, declined goes to
# ready, to be shipped back unrepaired. Only a request whose product has not arrived can be
# cancelled.
SERVICE_TRANSITIONS: dict[str, set[str]] = {
    ServiceStatus.SUBMITTED: {ServiceStatus.AWAITING_PRODUCT, ServiceStatus.RECEIVED, ServiceStatus.CANCELLED},
    ServiceStatus.AWAITING_PRODUCT: {ServiceStatus.RECEIVED, ServiceStatus.CANCELLED},
    ServiceStatus.RECEIVED: {ServiceStatus.IN_SERVICE},
    ServiceStatus.IN_SERVICE: {ServiceStatus.QUOTE_WAITING, ServiceStatus.READY},
    ServiceStatus.QUOTE_WAITING: {ServiceStatus.IN_SERVICE, ServiceStatus.READY},
    ServiceStatus.READY: {ServiceStatus.SHIPPED},
    ServiceStatus.SHIPPED: {ServiceStatus.CLOSED},
    ServiceStatus.CLOSED: set(),
    ServiceStatus.CANCELLED: set(),
}

CANCELLABLE = [ServiceStatus.SUBMITTED, ServiceStatus.AWAITING_PRODUCT]
# The promise runs from receipt until the product is ready: only these can be late.
PROMISE_RUNNING = [ServiceStatus.RECEIVED, ServiceStatus.IN_SERVICE, ServiceStatus.QUOTE_WAITING]
FINISHED = [ServiceStatus.CLOSED, ServiceStatus.CANCELLED]


class StepKind(models.TextChoices):
    """One line of a request's timeline (what happened; a status move or a quote decision)."""

    SUBMITTED = "submitted", _("Request registered")
    SENT = "sent", _("Product sent to the service centre")
    RECEIVED = "received", _("Product received by the service centre")
    IN_SERVICE = "in_service", _("Work started")
    QUOTED = "quoted", _("Quote sent")
    QUOTE_APPROVED = "quote_approved", _("Quote approved")
    QUOTE_DECLINED = "quote_declined", _("Quote declined")
    READY = "ready", _("Ready to ship back")
    SHIPPED = "shipped", _("Shipped back")
    CLOSED = "closed", _("Request closed")
    CANCELLED = "cancelled", _("Request cancelled")


# --- Loan equipment -----------------------------------------------------------------------------------


class LoanUnitStatus(models.TextChoices):
    """Where a unit of the loan pool is, physically: its bookings are dates of loans, not this."""

    AVAILABLE = "available", pgettext_lazy("loan unit status", "Available")
    RESERVED = "reserved", pgettext_lazy("loan unit status", "Reserved")
    OUT = "out", pgettext_lazy("loan unit status", "Out on loan")
    RETURNED_CHECK = "returned_check", _("Returned, to be checked")
    MAINTENANCE = "maintenance", _("In maintenance")
    RETIRED = "retired", pgettext_lazy("loan unit status", "Retired")


# Available: on the shelf, nothing booked; reserved: at least one loan booked; out with a member;
# back from a loan it waits for its check, then is available (or reserved when more loans wait).
LOAN_UNIT_TRANSITIONS: dict[str, set[str]] = {
    LoanUnitStatus.AVAILABLE: {LoanUnitStatus.RESERVED, LoanUnitStatus.MAINTENANCE, LoanUnitStatus.RETIRED},
    LoanUnitStatus.RESERVED: {LoanUnitStatus.AVAILABLE, LoanUnitStatus.OUT, LoanUnitStatus.MAINTENANCE},
    LoanUnitStatus.OUT: {LoanUnitStatus.RETURNED_CHECK},
    LoanUnitStatus.RETURNED_CHECK: {LoanUnitStatus.AVAILABLE, LoanUnitStatus.RESERVED, LoanUnitStatus.MAINTENANCE},
    LoanUnitStatus.MAINTENANCE: {LoanUnitStatus.AVAILABLE, LoanUnitStatus.RESERVED, LoanUnitStatus.RETIRED},
    LoanUnitStatus.RETIRED: set(),
}
# Units that can be booked (for days to come): not retired, not in maintenance.
BOOKABLE_UNITS = [
    LoanUnitStatus.AVAILABLE,
    LoanUnitStatus.RESERVED,
    LoanUnitStatus.OUT,
    LoanUnitStatus.RETURNED_CHECK,
]


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("loan status", "Requested")
    RESERVED = "reserved", pgettext_lazy("loan status", "Reserved")
    OUT = "out", pgettext_lazy("loan status", "With you")
    RETURNED = "returned", pgettext_lazy("loan status", "Returned")
    CLOSED = "closed", pgettext_lazy("loan status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("loan status", "Cancelled")


# Requested: the unit is booked while the deposit is authorised; reserved once it is (or at once
# for a bank-transfer member); out when the centre dispatches it; returned when it is back;
# closed when the deposit is released (a good return at once, damage or lateness after the staff
# decision and its invoice).
LOAN_TRANSITIONS: dict[str, set[str]] = {
    LoanStatus.REQUESTED: {LoanStatus.RESERVED, LoanStatus.CANCELLED},
    LoanStatus.RESERVED: {LoanStatus.OUT, LoanStatus.CANCELLED},
    LoanStatus.OUT: {LoanStatus.RETURNED},
    LoanStatus.RETURNED: {LoanStatus.CLOSED},
    LoanStatus.CLOSED: set(),
    LoanStatus.CANCELLED: set(),
}
# A loan in these statuses holds its unit for its days (the exclusion constraint's condition).
LOAN_LIVE = [LoanStatus.REQUESTED, LoanStatus.RESERVED, LoanStatus.OUT]
LOAN_CANCELLABLE = [LoanStatus.REQUESTED, LoanStatus.RESERVED]


class LoanCondition(models.TextChoices):
    GOOD = "good", _("Good")
    DAMAGED = "damaged", _("Damaged")


class LoanDeposit(models.TextChoices):
    """How the deposit is secured: an authorisation held on the card on file, or (a bank-transfer
    member) no hold, the loan's reference as the deposit reference, damage and lateness invoiced."""

    CARD_HOLD = "card_hold", _("Held on your card")
    TRANSFER = "transfer", _("Deposit reference (bank transfer)")
    NONE = "none", _("No deposit")


class LoanReminderKind(models.TextChoices):
    ENDING = "ending", _("Ends in two days")
    LATE = "late", _("Late")
