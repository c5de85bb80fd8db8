"""Points at risk: 90 and 30 days before registered products reach their model's end of support,
the business is told which products will stop counting, its balance after that, and the tier
its renewal would then allow.

Products records the notices (once per registration, threshold and date, see
`products.services.end_of_support_notices_claim`); the tiers are program data of memberships,
so the daily job lives here. Set-wise, a chunk of businesses at a time: their notices recorded in
one INSERT, their live memberships and near-end products read in one query each, the bells and
e-mails written by `businesses_notify` (one INSERT each), all in one transaction per chunk.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business
from propass.memberships.enums import LIVE_STATUSES, TierFamily
from propass.memberships.models import Subscription, Tier, TierPrice
from propass.notifications.recipients import Audience
from propass.notifications.services import businesses_notify
from propass.products.models import EndOfSupportNotice
from propass.products.selectors import registrations_nearing_end_of_support
from propass.products.services import AT_RISK_CHUNK, end_of_support_notices_claim

AT_RISK_TITLE = _("Products reach their end of support on %(date)s")
AT_RISK_BODY = _(
    "%(products)s will no longer count for points after that day. Your points balance will then be %(balance)s, "
    "which allows %(tier)s at renewal."
)
AT_RISK_BODY_NO_TIER = _(
    "%(products)s will no longer count for points after that day. Your points balance will then be %(balance)s, "
    "not enough for any membership level."
)


@dataclass(frozen=True)
class TierLadder:
    """The tiers on sale and the (tier, currency, term) they have a price for: read once a run."""

    tiers: list[Tier]  # highest minimum first
    priced: set[tuple[int, str, int | None]]  # (tier, currency, term), and (tier, currency, None) for any term

    @classmethod
    def load(cls) -> "TierLadder":
        prices = set(TierPrice.objects.values_list("tier_id", "currency", "term_years"))
        return cls(
            tiers=list(Tier.objects.filter(active=True).order_by("-min_points", "position")),
            priced={*prices, *((tier_id, currency, None) for tier_id, currency, _term in prices)},
        )

    def _sold(self, tier: Tier, currency: str, term_years: int | None) -> bool:
        return (tier.pk, currency, term_years) in self.priced

    def renewal_allows(self, *, points: int, subscription: Subscription | None, currency: str) -> Tier | None:
        """The tier a renewal would allow with `points`: a Corporate membership keeps its tier
        while the points open it; otherwise the highest standard tier they open that is sold in
        the membership's currency and term (for a business without a membership: its currency,
        any term). None when no tier is open."""
        term = subscription.term_years if subscription is not None else None
        if subscription is not None:
            currency = subscription.currency
            target = subscription.next_tier or subscription.tier
            if (
                target.family == TierFamily.CORPORATE
                and target.active
                and points >= target.min_points
                and self._sold(target, currency, term)
            ):
                return target
        return next(
            (
                tier
                for tier in self.tiers
                if tier.family == TierFamily.STANDARD and tier.min_points <= points and self._sold(tier, currency, term)
            ),
            None,
        )


def _tell(notices: list[EndOfSupportNotice], today: date, ladder: TierLadder) -> int:
    """Tell each business of a claimed chunk, one notice per end-of-support date."""
    businesses: dict[int, Business] = {}
    groups: dict[tuple[int, date], list[EndOfSupportNotice]] = defaultdict(list)
    for notice in notices:
        business = notice.registration.business
        businesses[business.pk] = business
        groups[(business.pk, notice.end_of_support)].append(notice)
    nearing: dict[int, list[tuple[date | None, int]]] = defaultdict(list)
    for business_id, end, points in (
        registrations_nearing_end_of_support(today=today)
        .filter(business_id__in=businesses)
        .values_list("business_id", "product__end_of_support", "points_credited")
    ):
        nearing[business_id].append((end, points))
    subscriptions = {
        subscription.business_id: subscription
        for subscription in Subscription.objects.filter(
            business_id__in=businesses, status__in=LIVE_STATUSES
        ).select_related("tier", "next_tier")
    }
    prefetch_related_objects(list(businesses.values()), "memberships__user")
    with_tier: list[tuple[Audience, dict]] = []
    without_tier: list[tuple[Audience, dict]] = []
    for (business_id, end), group in sorted(groups.items()):
        business = businesses[business_id]
        # Every credited product that stops counting by then, the ones told earlier included.
        balance = business.points_balance - sum(
            points for day, points in nearing[business_id] if day is not None and day <= end
        )
        tier = ladder.renewal_allows(
            points=balance, subscription=subscriptions.get(business_id), currency=business.currency
        )
        params = {
            "date": end,
            "products": ", ".join(
                f"{notice.registration.product} ({notice.registration.serial_number})" for notice in group
            ),
            "balance": balance,
            "tier": tier.name if tier is not None else "",
        }
        (with_tier if tier is not None else without_tier).append((business, params))
    url = reverse("products:list") + "#end-of-support"
    for entries, body in ((with_tier, AT_RISK_BODY), (without_tier, AT_RISK_BODY_NO_TIER)):
        if entries:
            businesses_notify(entries=entries, kind="points_at_risk", title=AT_RISK_TITLE, body=body, url=url)
    return len(groups)


def points_at_risk_run(*, today: date, businesses: int = AT_RISK_CHUNK) -> int:
    """Tell every business whose credited products reach their end of support 90 or 30 days
    from `today` (once per product and threshold): which products stop counting, the balance
    after that, and the tier its renewal would then allow. Returns how many notices (one per
    business and end-of-support date) were sent."""
    ladder = TierLadder.load()
    sent = 0
    after = 0
    while True:
        with transaction.atomic():
            notices = end_of_support_notices_claim(today=today, businesses=businesses, after_business=after)
            if not notices:
                return sent
            sent += _tell(notices, today, ladder)
        after = max(notice.registration.business_id for notice in notices)
