from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel
from propass.memberships.enums import (
    LIVE_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    PaymentMethod,
    SubscriptionStatus,
    TierFamily,
)


class Tier(TimeStampedModel):
    """A paid membership level, open to businesses with at least `min_points`."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=12, choices=TierFamily.choices, default=TierFamily.STANDARD)
    min_points = models.PositiveIntegerField(_("minimum points"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    benefits = models.JSONField(
        _("benefits"), default=dict, blank=True, help_text=_('Per language: {"en": ["…", "…"], "it": [...]}')
    )
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position", "min_points"]

    def __str__(self) -> str:
        return self.name

    def benefits_for(self, language: str | None = None) -> list[str]:
        language = (language or get_language() or "en")[:2]
        return list(self.benefits.get(language) or self.benefits.get("en") or [])


class TierPrice(models.Model):
    """The price of a tier excluding VAT, for a currency and a term of 1, 2 or 3 years."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(_("currency"), max_length=3)
    term_years = models.PositiveSmallIntegerField(_("term (years)"), choices=[(1, "1"), (2, "2"), (3, "3")])
    amount = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("tier price")
        verbose_name_plural = _("tier prices")
        constraints = [
            models.UniqueConstraint(fields=["tier", "currency", "term_years"], name="one_price_per_tier_currency_term")
        ]
        ordering = ["tier", "currency", "term_years"]

    def __str__(self) -> str:
        return f"{self.tier} {self.term_years}y {self.amount} {self.currency}"


class MembershipNumber(models.Model):
    """Every membership number ever handed out: unique, never given again."""

    number = models.CharField(max_length=9, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.number


class Subscription(TimeStampedModel):
    """A business's paid membership of one tier for a term of 1 to 3 years."""

    business = models.ForeignKey(
        "accounts.Business", verbose_name=_("business"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT)
    STATUS_TRANSITIONS = SUBSCRIPTION_TRANSITIONS
    status = models.CharField(
        _("status"), max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    membership_number = models.CharField(_("membership number"), max_length=9, unique=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    starts_on = models.DateField(_("starts"))
    expires_on = models.DateField(_("expires"))
    auto_renew = models.BooleanField(_("auto-renewal"), default=True)
    cancelled_at = models.DateTimeField(_("renewal cancelled"), null=True, blank=True)
    next_tier = models.ForeignKey(
        Tier, verbose_name=_("tier from the renewal"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    po_number = models.CharField(_("purchase order number"), max_length=35, blank=True)
    price = models.DecimalField(_("price excl. VAT"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    card_reference = models.CharField(max_length=100, blank=True)
    card_last4 = models.CharField(_("card"), max_length=4, blank=True)
    terms_version = models.CharField(_("terms accepted"), max_length=20)
    terms_accepted_at = models.DateTimeField(_("terms accepted at"))
    terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("terms accepted by"), null=True, on_delete=models.SET_NULL
    )
    terms_accepted_ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["business"], condition=models.Q(status__in=LIVE_STATUSES), name="one_live_subscription"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.membership_number}"


class PlanChange(models.Model):
    """A change of tier: an upgrade applies at once and owes the price difference for the
    rest of the term; a downgrade waits for the renewal."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="plan_changes")
    from_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("takes effect"))
    days_left = models.PositiveIntegerField(default=0)
    days_in_term = models.PositiveIntegerField(default=0)
    amount_due = models.DecimalField(_("amount due excl. VAT"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    applied = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.from_tier} → {self.to_tier} ({self.effective_on})"


class RenewalNotice(models.Model):
    """A reminder or decision about one term's end, recorded once per (subscription, kind, term)
    so that the daily job can run any number of times."""

    class Kind(models.TextChoices):
        REMINDER_60 = "reminder_60", _("Reminder 60 days before expiry")
        REMINDER_30 = "reminder_30", _("Reminder 30 days before expiry")
        REMINDER_7 = "reminder_7", _("Reminder 7 days before expiry")
        POINTS_SHORT = "points_short", _("Points no longer enough for the tier")
        RENEWED = "renewed", _("Renewed")
        EXPIRED = "expired", _("Expired")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="renewal_notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    term_expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "kind", "term_expires_on"], name="renewal_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.kind} {self.term_expires_on}"
