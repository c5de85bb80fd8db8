from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from propass.core.models import TimeStampedModel
from propass.memberships.enums import (
    LIVE_STATUSES,
    SUBSCRIPTION_TRANSITIONS,
    BenefitKind,
    PaymentMethod,
    SubscriptionStatus,
    TierFamily,
)


class Tier(TimeStampedModel):
    """A paid membership level, open to businesses with at least `min_points`; what it gives
    is its TierBenefits."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    family = models.CharField(_("family"), max_length=12, choices=TierFamily.choices, default=TierFamily.STANDARD)
    min_points = models.PositiveIntegerField(_("minimum points"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position", "min_points"]

    def __str__(self) -> str:
        return self.name


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


class Benefit(TimeStampedModel):
    """Something a membership gives (program data, edited by the program admin): its name and
    description per language, and a kind that says how tiers parametrise it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=BenefitKind.choices)
    names = models.JSONField(_("name"), default=dict, help_text=_('Per language: {"en": "…", "it": "…"}'))
    descriptions = models.JSONField(_("description"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    def name_for(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(self.names.get(language) or self.names.get("en") or self.code)

    def description_for(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(self.descriptions.get(language) or self.descriptions.get("en") or "")


class TierBenefit(models.Model):
    """A tier gives a benefit with its parameters: `days` (repair turnaround in business days,
    longest loan), `count` (uses per membership year), `percent` and `caps` (repair discount,
    a yearly cap per currency: {"EUR": "300.00"}). `per_body` multiplies the count by the
    business's registered camera bodies (corporate tiers)."""

    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.CASCADE, related_name="tier_benefits")
    benefit = models.ForeignKey(Benefit, verbose_name=_("benefit"), on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("uses per membership year"), null=True, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True, blank=True)
    caps = models.JSONField(_("yearly cap per currency"), default=dict, blank=True)
    per_body = models.BooleanField(_("per registered body"), default=False)

    class Meta:
        verbose_name = _("tier benefit")
        verbose_name_plural = _("tier benefits")
        ordering = ["tier", "benefit__position"]
        constraints = [models.UniqueConstraint(fields=["tier", "benefit"], name="one_benefit_per_tier")]

    def __str__(self) -> str:
        return f"{self.tier} {self.benefit}"


class AllowanceEntry(models.Model):
    """One use (or the return of a use) of a yearly allowance: append-only. `quantity` counts
    uses (1, or -1 for a use given back) or, for a capped discount, the money granted. What is
    left is the allowance minus the sum of the entries of the membership year."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="allowance_entries")
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="+")
    year_starts_on = models.DateField(_("membership year from"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allowance use")
        verbose_name_plural = _("allowance uses")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subscription", "benefit", "year_starts_on"], name="allowance_year")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.benefit} {self.quantity}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Allowance entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Allowance entries are append-only")


class MemberCard(models.Model):
    """The member card's verification code, for the QR code that points at /verify/<code>/:
    random and long (no enumeration). A card is for one tier and one end date: when the
    membership changes tier or term, a new card (a new code) is made and the old code stops
    verifying; no code verifies once the membership is not active."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="cards")
    code = models.CharField(max_length=64, unique=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "tier", "valid_until"], name="one_card_per_tier_and_term")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} card until {self.valid_until}"
