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
