from django.db import models
from django.utils.translation import gettext_lazy as _


class TierFamily(models.TextChoices):
    STANDARD = "standard", _("Standard")
    CORPORATE = "corporate", _("Corporate")


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")


SUBSCRIPTION_TRANSITIONS: dict[str, set[str]] = {
    SubscriptionStatus.ACTIVE: {SubscriptionStatus.SUSPENDED, SubscriptionStatus.EXPIRED},
    SubscriptionStatus.SUSPENDED: {SubscriptionStatus.ACTIVE, SubscriptionStatus.EXPIRED},
    SubscriptionStatus.EXPIRED: set(),
}

LIVE_STATUSES = [SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED]


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Credit Card")
    BANK_TRANSFER = "bank_transfer", _("Bank Transfer")


class BenefitKind(models.TextChoices):
    """What a benefit does; the parameters a tier gives it with depend on the kind."""

    REPAIR_TURNAROUND = "repair_turnaround", _("Priority repair turnaround")  # days (business days)
    MAINTENANCE_CHECKS = "maintenance_checks", _("Free maintenance checks")  # count per membership year
    REPAIR_DISCOUNT = "repair_discount", _("Repair discount")  # percent, yearly cap per currency
    RETURN_SHIPPING = "return_shipping", _("Free return shipping")
    LOANS = "loans", _("Loan equipment")  # days: the longest loan
    EVENT_SUPPORT = "event_support", _("Event support")
    HOTLINE = "hotline", _("Priority hotline")
    # days: at most this many days added to the membership when a repair misses its promise
    PROMISE_COMPENSATION = "promise_compensation", _("Days added for a late repair")


# Kinds whose use is counted against a yearly allowance (the ledger), and how.
COUNTED_KINDS = {BenefitKind.MAINTENANCE_CHECKS}  # a maintenance check or a sensor clean
CAPPED_KINDS = {BenefitKind.REPAIR_DISCOUNT}

# The parameters (TierBenefit fields) a tier gives a benefit of each kind with, and the one it
# cannot do without: a turnaround needs its days, a discount its percent …
KIND_PARAMETERS: dict[str, tuple[str, ...]] = {
    BenefitKind.REPAIR_TURNAROUND: ("days",),
    BenefitKind.MAINTENANCE_CHECKS: ("count", "per_body"),
    BenefitKind.REPAIR_DISCOUNT: ("percent", "caps"),
    BenefitKind.RETURN_SHIPPING: (),
    BenefitKind.LOANS: ("days",),
    BenefitKind.EVENT_SUPPORT: (),
    BenefitKind.HOTLINE: (),
    BenefitKind.PROMISE_COMPENSATION: ("days",),
}
REQUIRED_PARAMETER: dict[str, str] = {
    BenefitKind.REPAIR_TURNAROUND: "days",
    BenefitKind.MAINTENANCE_CHECKS: "count",
    BenefitKind.REPAIR_DISCOUNT: "percent",
    BenefitKind.LOANS: "days",
    BenefitKind.PROMISE_COMPENSATION: "days",
}
