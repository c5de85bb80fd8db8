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
