from dataclasses import dataclass
from decimal import Decimal

from propass.accounts.models import Business
from propass.memberships.enums import TierFamily
from propass.memberships.models import Tier, TierPrice


@dataclass(frozen=True)
class TierOffer:
    tier: Tier
    available: bool
    points_needed: int
    prices: dict[int, Decimal]  # term in years -> price excl. VAT, in the business's currency
    currency: str

    @property
    def yearly(self) -> Decimal | None:
        return self.prices.get(1)


def tier_offers(*, business: Business) -> list[TierOffer]:
    """Every tier on sale, with whether the business's points open it and its prices in the
    business's currency (2 queries)."""
    tiers = list(Tier.objects.filter(active=True).order_by("position", "min_points"))
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
