"""What a membership gives, used and left: benefits as program data, the yearly allowances as an
append-only ledger, and the member card's verification code.

The membership year runs from the term's start to its anniversary (not the calendar year); a
renewal moves the term's start, so it opens a new year. Uses are counted against the tier the
membership has when they are made: an upgrade raises what is left at once, a downgrade (which
waits for the renewal) lowers it from the renewal, and a membership that is not active uses
nothing. Every use locks the membership row first, so two uses at once cannot overdraw.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.catalog.enums import Category
from propass.core.errors import Conflict, DomainError, NotFound
from propass.core.money import date_format, money_format
from propass.core.ratelimit import rate_limit_hit
from propass.core.selectors import program_current
from propass.memberships.enums import CAPPED_KINDS, COUNTED_KINDS, LIVE_STATUSES, BenefitKind, SubscriptionStatus
from propass.memberships.models import AllowanceEntry, Benefit, MemberCard, Subscription, Tier, TierBenefit
from propass.memberships.services import add_years
from propass.products.enums import RegistrationStatus

# Camera bodies: what corporate tiers count their allowances per.
BODY_CATEGORIES = [Category.CAMERA, Category.VIDEO]


@dataclass(frozen=True)
class BenefitLine:
    """One benefit of a tier, and for a membership what is used and left this year.
    `allowance`/`used`/`remaining` are counts for counted kinds and money (in `currency`) for a
    capped discount; None where the benefit has no yearly allowance."""

    code: str
    kind: str
    name: str
    description: str
    days: int | None = None
    percent: Decimal | None = None
    allowance: Decimal | None = None
    used: Decimal | None = None
    remaining: Decimal | None = None
    currency: str = ""
    per_body: bool = False  # a tier's count per registered camera body (a membership's is counted)

    def _shown(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        if self.kind in CAPPED_KINDS and self.currency:
            return money_format(value, self.currency)
        return str(int(value))

    @property
    def used_shown(self) -> str:
        """What is used this year as the reader writes it: a count, or money for the discount."""
        return self._shown(self.used)

    @property
    def remaining_shown(self) -> str:
        return self._shown(self.remaining)

    @property
    def summary(self) -> str:
        """The benefit's parameters in words, in the active language."""
        kind = self.kind
        if kind == BenefitKind.REPAIR_TURNAROUND and self.days:
            return str(_("%(days)s business days") % {"days": self.days})
        if kind == BenefitKind.LOANS and self.days:
            return str(_("up to %(days)s days") % {"days": self.days})
        if kind == BenefitKind.PROMISE_COMPENSATION and self.days:
            return str(
                _("the days a repair is late are added to your membership, up to %(days)s days") % {"days": self.days}
            )
        if kind in COUNTED_KINDS and self.allowance is not None and self.per_body:
            return str(_("%(count)s per registered camera body per membership year") % {"count": int(self.allowance)})
        if kind in COUNTED_KINDS and self.allowance is not None:
            return str(_("%(count)s per membership year") % {"count": int(self.allowance)})
        if kind in CAPPED_KINDS and self.percent is not None:
            text = _("%(percent)s %% off repairs") % {"percent": f"{self.percent.normalize():f}"}
            if self.allowance is not None and self.currency:
                return str(
                    _("%(discount)s, up to %(cap)s a year")
                    % {"discount": text, "cap": money_format(self.allowance, self.currency)}
                )
            return str(text)
        return ""


@dataclass(frozen=True)
class BenefitsSummary:
    subscription: Subscription
    tier: Tier
    year_starts_on: date
    year_ends_on: date  # the last day of the membership year
    usable: bool  # False while the membership is suspended
    lines: list[BenefitLine] = field(default_factory=list)

    def line(self, kind: str) -> BenefitLine | None:
        return next((line for line in self.lines if line.kind == kind), None)


def membership_year(subscription: Subscription, day: date | None = None) -> tuple[date, date]:
    """The membership year `day` falls in: from the term's start or its anniversary, to the day
    before the next anniversary (or the term's end)."""
    day = day or timezone.localdate()
    start = subscription.starts_on
    years = 0
    while add_years(subscription.starts_on, years + 1) <= day and add_years(subscription.starts_on, years + 1) < (
        subscription.expires_on
    ):
        years += 1
    start = add_years(subscription.starts_on, years)
    end = min(add_years(subscription.starts_on, years + 1), subscription.expires_on) - timedelta(days=1)
    return start, end


def _bodies(business: Business) -> int:
    return business.registrations.filter(
        status=RegistrationStatus.COMPLETE, product__category__in=BODY_CATEGORIES
    ).count()


def _allowance(tier_benefit: TierBenefit, business: Business, currency: str) -> Decimal | None:
    kind = tier_benefit.benefit.kind
    if kind in COUNTED_KINDS and tier_benefit.count is not None:
        count = tier_benefit.count * (max(_bodies(business), 1) if tier_benefit.per_body else 1)
        return Decimal(count)
    if kind in CAPPED_KINDS and currency in tier_benefit.caps:
        return Decimal(str(tier_benefit.caps[currency]))
    return None


def benefit_line(tier_benefit: TierBenefit, *, currency: str = "", language: str | None = None) -> BenefitLine:
    """One benefit as a tier gives it (no usage), in the reader's language."""
    benefit = tier_benefit.benefit
    kind = benefit.kind
    allowance: Decimal | None = None
    if kind in COUNTED_KINDS and tier_benefit.count is not None:
        allowance = Decimal(tier_benefit.count)
    elif kind in CAPPED_KINDS and currency in tier_benefit.caps:
        allowance = Decimal(str(tier_benefit.caps[currency]))
    return BenefitLine(
        code=benefit.code, kind=kind, name=benefit.name_for(language), description=benefit.description_for(language),
        days=tier_benefit.days, percent=tier_benefit.percent, allowance=allowance, currency=currency,
        per_body=tier_benefit.per_body,
    )  # fmt: skip


def tier_benefit_lines(tier: Tier, *, currency: str = "", language: str | None = None) -> list[BenefitLine]:
    """What a tier gives, in the reader's language (tier pages, checkout). Uses the tier's
    prefetched `tier_benefits` (with their benefits) when there are some."""
    if "tier_benefits" in getattr(tier, "_prefetched_objects_cache", {}):
        given = list(tier.tier_benefits.all())
    else:
        given = list(tier.tier_benefits.select_related("benefit"))
    return [benefit_line(tier_benefit, currency=currency, language=language) for tier_benefit in given]


def _used(subscription: Subscription, benefit: Benefit, year_starts_on: date) -> Decimal:
    total = AllowanceEntry.objects.filter(
        subscription=subscription, benefit=benefit, year_starts_on=year_starts_on
    ).aggregate(total=Sum("quantity"))["total"]
    return total or Decimal("0")


def benefits_summary(*, business: Business, day: date | None = None) -> BenefitsSummary | None:
    """The live membership's benefits with what is used and left this membership year (the
    card's VIEW, `GET /benefits/`); None without a live membership."""
    subscription = (
        Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).select_related("tier").first()
    )
    if subscription is None:
        return None
    start, end = membership_year(subscription, day)
    usage = {
        row["benefit"]: row["total"]
        for row in AllowanceEntry.objects.filter(subscription=subscription, year_starts_on=start)
        .values("benefit")
        .annotate(total=Sum("quantity"))
    }
    lines = []
    for tier_benefit in subscription.tier.tier_benefits.select_related("benefit"):
        benefit = tier_benefit.benefit
        allowance = _allowance(tier_benefit, business, subscription.currency)
        used = usage.get(benefit.pk, Decimal("0")) if allowance is not None else None
        lines.append(
            BenefitLine(
                code=benefit.code, kind=benefit.kind, name=benefit.name_for(), description=benefit.description_for(),
                days=tier_benefit.days, percent=tier_benefit.percent, allowance=allowance, used=used,
                remaining=max(allowance - used, Decimal("0")) if allowance is not None and used is not None else None,
                currency=subscription.currency,
            )
        )  # fmt: skip
    return BenefitsSummary(
        subscription=subscription,
        tier=subscription.tier,
        year_starts_on=start,
        year_ends_on=end,
        usable=subscription.status == SubscriptionStatus.ACTIVE,
        lines=lines,
    )


def _live_locked(business: Business) -> Subscription:
    subscription = (
        Subscription.objects.select_for_update()
        .filter(business=business, status__in=LIVE_STATUSES)
        .select_related("tier")
        .first()
    )
    if subscription is None:
        raise NotFound(_("Your business has no active membership."), code="no_membership")
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise Conflict(
            _("Your membership is suspended until the unpaid invoice is paid; its benefits cannot be used now."),
            code="membership_suspended",
        )
    return subscription


def benefit_of(*, business: Business, kind: str) -> TierBenefit | None:
    """The live membership's tier benefit of `kind` (turnaround, loans, discount …), if any."""
    return (
        TierBenefit.objects.filter(
            tier__subscription__business=business, tier__subscription__status__in=LIVE_STATUSES, benefit__kind=kind
        )
        .select_related("benefit", "tier")
        .first()
    )


def allowance_use(
    *, business: Business, kind: str, reason: str, reference: str = "", actor: User | None = None
) -> AllowanceEntry:
    """Use one of the membership year's uses of a counted benefit (a free maintenance check, a
    sensor clean). Runs in the caller's transaction when there is one (the service request that
    uses it is created in the same one); refused when none is left, with the day the next year
    starts."""
    with transaction.atomic():
        subscription = _live_locked(business)
        tier_benefit = subscription.tier.tier_benefits.select_related("benefit").filter(benefit__kind=kind).first()
        allowance = _allowance(tier_benefit, business, subscription.currency) if tier_benefit else None
        if tier_benefit is None or allowance is None or allowance <= 0:
            raise Conflict(_("Your membership level does not include this."), code="not_included")
        start, end = membership_year(subscription)
        if _used(subscription, tier_benefit.benefit, start) + 1 > allowance:
            next_year = end + timedelta(days=1)
            if next_year >= subscription.expires_on and not subscription.auto_renew:
                raise Conflict(_("None is left this membership year."), code="allowance_used_up")
            raise Conflict(
                _("None is left this membership year; the next one is available from %(day)s."),
                code="allowance_used_up",
                day=date_format(next_year),
            )
        return AllowanceEntry.objects.create(
            subscription=subscription, benefit=tier_benefit.benefit, year_starts_on=start, quantity=Decimal("1"),
            reason=reason, reference=reference, created_by=actor,
        )  # fmt: skip


def allowance_give_back(*, entry: AllowanceEntry, reason: str, actor: User | None = None) -> AllowanceEntry:
    """Return a use (a request cancelled before the product arrived): a new entry of the
    opposite quantity in the same membership year; the ledger is never edited."""
    return AllowanceEntry.objects.create(
        subscription=entry.subscription, benefit=entry.benefit, year_starts_on=entry.year_starts_on,
        quantity=-entry.quantity, reason=reason, reference=entry.reference, created_by=actor,
    )  # fmt: skip


@dataclass(frozen=True)
class Discount:
    percent: Decimal
    amount: Decimal  # the discount granted, within what is left of the cap
    cap_left: Decimal | None  # before this discount; None: no cap
    currency: str


def repair_discount(*, business: Business, amount: Decimal) -> Discount:
    """The repair discount the membership gives on a quote of `amount` (excl. VAT): the tier's
    percent, limited to what is left of its yearly cap. Changes nothing."""
    subscription = (
        Subscription.objects.filter(business=business, status=SubscriptionStatus.ACTIVE).select_related("tier").first()
    )
    currency = subscription.currency if subscription else business.currency
    tier_benefit = benefit_of(business=business, kind=BenefitKind.REPAIR_DISCOUNT) if subscription else None
    if subscription is None or tier_benefit is None or not tier_benefit.percent:
        return Discount(Decimal("0"), Decimal("0.00"), None, currency)
    wanted = (amount * tier_benefit.percent / 100).quantize(Decimal("0.01"))
    cap = _allowance(tier_benefit, business, currency)
    if cap is None:
        return Discount(tier_benefit.percent, wanted, None, currency)
    left = max(cap - _used(subscription, tier_benefit.benefit, membership_year(subscription)[0]), Decimal("0"))
    return Discount(tier_benefit.percent, min(wanted, left), left, currency)


def repair_discount_take(
    *, business: Business, amount: Decimal, reason: str, reference: str, actor: User | None = None
) -> Discount:
    """Grant the repair discount on a quote: computed again under the membership's lock and
    recorded against the yearly cap (in the caller's transaction)."""
    with transaction.atomic():
        subscription = _live_locked(business)
        discount = repair_discount(business=business, amount=amount)
        tier_benefit = benefit_of(business=business, kind=BenefitKind.REPAIR_DISCOUNT)
        if discount.amount > 0 and discount.cap_left is not None and tier_benefit is not None:
            AllowanceEntry.objects.create(
                subscription=subscription, benefit=tier_benefit.benefit,
                year_starts_on=membership_year(subscription)[0], quantity=discount.amount,
                reason=reason, reference=reference, created_by=actor,
            )  # fmt: skip
        return discount


# The member card -------------------------------------------------------------------------------


def member_card(*, business: Business) -> MemberCard | None:
    """The card of the live membership for its current tier and term, made when first asked for
    (a new code after an upgrade or a renewal: the old one stops verifying)."""
    subscription = (
        Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).select_related("tier").first()
    )
    if subscription is None:
        return None
    card = MemberCard.objects.filter(
        subscription=subscription, tier=subscription.tier, valid_until=subscription.expires_on
    ).first()
    if card is not None:
        return card
    card, _created = MemberCard.objects.get_or_create(
        subscription=subscription,
        tier=subscription.tier,
        valid_until=subscription.expires_on,
        defaults={"code": secrets.token_urlsafe(24)},
    )
    return card


@dataclass(frozen=True)
class CardCheck:
    """What anyone may learn from a member card's code: valid or not and, only when valid, the
    program, tier, end date and business name."""

    valid: bool
    program: str = ""
    tier: str = ""
    valid_until: date | None = None
    business: str = ""


def card_verify(*, code: str, today: date | None = None) -> CardCheck:
    """Check a member card: valid while the membership is active, on the card's tier and term.
    An unknown, replaced or ended code answers the same way (no enumeration)."""
    today = today or timezone.localdate()
    card = (
        MemberCard.objects.filter(code=code)
        .select_related("subscription__business", "subscription__tier", "tier")
        .first()
        if code and len(code) <= 64
        else None
    )
    if card is None:
        return CardCheck(valid=False)
    subscription = card.subscription
    valid = (
        subscription.status == SubscriptionStatus.ACTIVE
        and subscription.tier_id == card.tier_id
        and subscription.expires_on == card.valid_until
        and subscription.starts_on <= today <= subscription.expires_on
    )
    if not valid:
        return CardCheck(valid=False)
    return CardCheck(
        valid=True,
        program=program_current().name,
        tier=card.tier.name,
        valid_until=card.valid_until,
        business=subscription.business.name,
    )


# Checks of a card, per client address and minute: a service desk scans a few cards, not a
# range of codes (together with codes of 32 random characters, no enumeration).
CARD_CHECKS_PER_MINUTE = 30


class TooManyCardChecks(DomainError):
    code = "rate_limited"
    http_status = 429
    default_message = _("Too many cards were checked from your network. Please wait a minute and try again.")


def card_check(*, code: str, client: str) -> CardCheck:
    """`card_verify` for anyone who asks, page or API alike: at most CARD_CHECKS_PER_MINUTE
    checks a minute from one client address, whatever the codes and answers."""
    if rate_limit_hit(key=f"card-check:{client}", limit=CARD_CHECKS_PER_MINUTE, seconds=60):
        raise TooManyCardChecks()
    return card_verify(code=code)
