from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from propass.accounts.models import Business
from propass.core.selectors import program_current
from propass.memberships.benefits import BenefitLine, tier_benefit_lines
from propass.memberships.enums import LIVE_STATUSES, TierFamily
from propass.memberships.models import Subscription, Tier, TierBenefit, TierPrice


def tiers_all() -> list[Tier]:
    """Every tier, retired ones included, in the program's order (for staff filters)."""
    return list(Tier.objects.order_by("position", "min_points", "pk"))


@dataclass(frozen=True)
class TierOffer:
    tier: Tier
    available: bool
    points_needed: int
    prices: dict[int, Decimal]  # term in years -> price excl. VAT, in the business's currency
    currency: str
    benefits: list[BenefitLine] = field(default_factory=list)  # in the active language

    @property
    def yearly(self) -> Decimal | None:
        return self.prices.get(1)


def tier_offers(*, business: Business) -> list[TierOffer]:
    """Every tier on sale, with whether the business's points open it, its prices in the
    business's currency and its benefits (3 queries)."""
    given = Prefetch("tier_benefits", queryset=TierBenefit.objects.select_related("benefit"))
    tiers = list(Tier.objects.filter(active=True).order_by("position", "min_points").prefetch_related(given))
    prices: dict[int, dict[int, Decimal]] = {}
    for price in TierPrice.objects.filter(tier__in=tiers, currency=business.currency):
        prices.setdefault(price.tier_id, {})[price.term_years] = price.amount
    balance = business.points_balance
    return [
        TierOffer(
            tier=tier,
            available=balance >= tier.min_points,
            points_needed=max(tier.min_points - balance, 0),
            prices=dict(sorted(prices.get(tier.pk, {}).items())),
            currency=business.currency,
            benefits=tier_benefit_lines(tier, currency=business.currency),
        )
        for tier in tiers
    ]


def corporate_switch_shown(*, business: Business) -> bool:
    """Above the lowest Corporate minimum both families are open: the page shows the
    "Available CPS levels" ON/OFF switch between them."""
    lowest = (
        Tier.objects.filter(active=True, family=TierFamily.CORPORATE)
        .order_by("min_points")
        .values_list("min_points", flat=True)
        .first()
    )
    return lowest is not None and business.points_balance >= lowest


@dataclass(frozen=True)
class Progress:
    balance: int
    target: int
    label: str
    missing: int
    invited: bool
    is_invitation: bool


def points_progress(*, business: Business | None) -> Progress | None:
    """The balance against the next goal: the invitation threshold first, then the next tier.
    `invited`: invited and not a member yet (the prompt to choose a level)."""
    if business is None:
        return None
    program = program_current()
    balance = business.points_balance
    goals = [(program.invitation_threshold, str(_("Invitation")))]
    goals += [
        (tier.min_points, tier.name)
        for tier in Tier.objects.filter(active=True, min_points__gt=program.invitation_threshold)
        .order_by("min_points", "position")
        .distinct()
    ]
    target, label = next(((points, name) for points, name in goals if points > balance), goals[-1])
    return Progress(
        balance=balance,
        target=target,
        label=label,
        missing=max(target - balance, 0),
        # The prompt to choose a level is for invited businesses that have not chosen yet.
        invited=business.invited_at is not None
        and not Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).exists(),
        is_invitation=target == program.invitation_threshold and business.invited_at is None,
    )
