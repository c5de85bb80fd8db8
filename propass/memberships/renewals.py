"""The end of a term: renewal of auto-renewing memberships, reminders to the others, expiry.

Run daily by the scheduler; every step is recorded once per (subscription, kind, term) in
RenewalNotice or moves the term forward under a row lock, so any number of runs, in
parallel or after an outage, has the effect of one.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propass.billing.invoicing import invoice_request_create, invoice_requests_create, invoices_issue
from propass.billing.models import InvoiceRequest
from propass.core.enums import AuditAction
from propass.core.selectors import program_current
from propass.core.services import audit_record, audit_record_many
from propass.core.statuses import status_move
from propass.memberships.enums import LIVE_STATUSES, SubscriptionStatus
from propass.memberships.models import RenewalNotice, Subscription, Tier, TierPrice
from propass.memberships.services import add_years
from propass.memberships.value import YEAR_VALUE_HEADING, year_value
from propass.notifications.services import business_notify, businesses_notify

# Days before expiry on which a membership that does not renew is reminded.
REMINDER_DAYS = (60, 30, 7)
# How long before the end of the term an auto-renewing member is told the points fall short.
POINTS_NOTICE_DAYS = 30
RENEW_CHUNK = 2000


@dataclass
class RenewalRun:
    renewed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    points_short: list[str] = field(default_factory=list)


def tiers_qualifying(*, points: int, currency: str, term_years: int) -> list[Tier]:
    """The tiers on sale that a balance of `points` allows, with a price in the currency."""
    return list(
        Tier.objects.filter(
            active=True, min_points__lte=points, prices__currency=currency, prices__term_years=term_years
        ).order_by("-min_points")
    )


def _notice_once(subscription: Subscription, kind: str) -> bool:
    """Record that `kind` was sent for this term; False when it already was."""
    try:
        with transaction.atomic():
            RenewalNotice.objects.create(subscription=subscription, kind=kind, term_expires_on=subscription.expires_on)
    except IntegrityError:
        return False
    return True


def renewals_run(*, today: date) -> RenewalRun:
    """Everything due about the end of terms as of `today`."""
    result = RenewalRun()
    live = Subscription.objects.filter(status__in=LIVE_STATUSES)
    due = live.filter(expires_on__lte=today).order_by("pk")
    after = 0
    while chunk := list(due.filter(pk__gt=after).values_list("pk", flat=True)[:RENEW_CHUNK]):
        for kind, pks in subscriptions_renew_or_expire(subscription_ids=chunk, today=today).items():
            getattr(result, kind).extend(pks)
        after = chunk[-1]
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    for pk in live.filter(expires_on__gt=today, expires_on__lte=horizon).values_list("pk", flat=True):
        outcome = subscription_remind(subscription_id=pk, today=today)
        if outcome:
            getattr(result, outcome).append(pk)
    return result


def subscription_remind(*, subscription_id: int, today: date) -> str | None:
    """Before the end of the term: a membership that will not renew is reminded 60, 30 and 7
    days ahead (one reminder per window, also when a run was missed), the e-mail listing what
    the membership gave this year (`year_value`); an auto-renewing one
    whose points no longer allow its tier is told 30 days ahead and offered the tiers it
    qualifies for."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("business", "tier", "next_tier")
            .get(pk=subscription_id)
        )
        days_left = (subscription.expires_on - today).days
        business = subscription.business
        params = {
            "tier": subscription.tier.name,
            "expires": subscription.expires_on.isoformat(),
            "days": days_left,
        }
        if subscription.auto_renew:
            target = subscription.next_tier or subscription.tier
            if days_left > POINTS_NOTICE_DAYS or business.points_balance >= target.min_points:
                return None
            if not _notice_once(subscription, RenewalNotice.Kind.POINTS_SHORT):
                return None
            offered = tiers_qualifying(
                points=business.points_balance, currency=subscription.currency, term_years=subscription.term_years
            )
            params |= {
                "tier": target.name,
                "points": target.min_points,
                "balance": business.points_balance,
                "offer": ", ".join(tier.name for tier in offered) or "—",
            }
            business_notify(
                business=business,
                kind="renewal_points_short",
                title=_("Your %(tier)s membership cannot renew on %(expires)s"),
                body=_(
                    "%(tier)s needs %(points)s points and your business has %(balance)s. Levels you can renew "
                    "to: %(offer)s. Choose one under Manage Subscription (Change Plan) before the end of the term; "
                    "otherwise the membership expires."
                ),
                url=reverse("memberships:manage"),
                params=params,
            )
            audit_record(actor=None, action=AuditAction.SUBSCRIPTION_POINTS_SHORT, target=subscription, data=params)
            return "points_short"
        windows = sorted(REMINDER_DAYS)  # 7, 30, 60
        window = next((days for days in windows if days_left <= days), None)
        if window is None:
            return None
        kind = {
            60: RenewalNotice.Kind.REMINDER_60,
            30: RenewalNotice.Kind.REMINDER_30,
            7: RenewalNotice.Kind.REMINDER_7,
        }[window]
        if not _notice_once(subscription, kind):
            return None
        value = year_value(business=business, day=today)
        business_notify(
            business=business,
            kind="renewal_reminder",
            title=_("Your %(tier)s membership expires in %(days)s days"),
            body=_(
                "It ends on %(expires)s and will not renew. To keep your benefits, switch Auto-Renewal on under "
                "Manage Subscription."
            ),
            url=reverse("memberships:manage"),
            params=params,
            details=value.details if value is not None else (),
            details_heading=YEAR_VALUE_HEADING,
        )
        return "reminded"


def _renewal_price(subscription: Subscription, target: Tier, prices: dict | None = None) -> Decimal | None:
    key = (target.pk, subscription.currency, subscription.term_years)
    if prices is not None:
        return prices.get(key)
    return (
        TierPrice.objects.filter(tier=target, currency=subscription.currency, term_years=subscription.term_years)
        .values_list("amount", flat=True)
        .first()
    )


def _renews(subscription: Subscription, target: Tier, price: Decimal | None) -> bool:
    return (
        subscription.auto_renew
        and subscription.status == SubscriptionStatus.ACTIVE
        and target.active
        and price is not None
        and subscription.business.points_balance >= target.min_points
    )


def _expire(subscription: Subscription) -> None:
    ended_on = subscription.expires_on
    status_move(subscription, SubscriptionStatus.EXPIRED, action=AuditAction.SUBSCRIPTION_EXPIRE)
    _notice_once(subscription, RenewalNotice.Kind.EXPIRED)
    business_notify(
        business=subscription.business,
        kind="subscription_expired",
        title=_("Your %(tier)s membership has expired"),
        body=_("It ended on %(expires)s. You can buy a new membership on MY SUBSCRIPTIONS at any time."),
        url=reverse("memberships:subscriptions"),
        params={"tier": subscription.tier.name, "expires": ended_on.isoformat()},
    )


def _renew(subscription: Subscription, target: Tier, price: Decimal, program: str) -> tuple[Tier, date, dict]:
    """Move a locked membership into its next term (in memory): returns the tier it had, the
    day its term ended, and the invoice request to record."""
    ended_on = subscription.expires_on
    previous_tier = subscription.tier
    subscription.tier = target
    subscription.next_tier = None
    subscription.price = price
    subscription.starts_on = ended_on
    subscription.expires_on = add_years(ended_on, subscription.term_years)
    request = {
        "subscription": subscription,
        "kind": InvoiceRequest.Kind.RENEWAL,
        "description": f"{program} : {target.name}",
        "period_start": subscription.starts_on,
        "period_end": subscription.expires_on,
        "net": price,
        "currency": subscription.currency,
    }
    return previous_tier, ended_on, request


def _renewed_audit(previous_tier: Tier, ended_on: date, subscription: Subscription) -> dict:
    target = subscription.tier
    return {
        "before": {"tier": previous_tier.code, "expires_on": ended_on.isoformat()},
        "after": {"tier": target.code, "expires_on": subscription.expires_on.isoformat()},
        "tier": target.code,
        "from": previous_tier.code,
        "expires_on": subscription.expires_on.isoformat(),
    }


RENEWED_TITLE = _("Your %(tier)s membership has renewed")
RENEWED_BODY = _("The new term runs until %(expires)s; the invoice follows shortly.")


def _renewed_params(subscription: Subscription) -> dict:
    return {"tier": subscription.tier.name, "expires": subscription.expires_on.isoformat()}


def _renewed_notify(subscription: Subscription) -> None:
    business_notify(
        business=subscription.business,
        kind="subscription_renewed",
        title=RENEWED_TITLE,
        body=RENEWED_BODY,
        url=reverse("memberships:subscriptions"),
        params=_renewed_params(subscription),
    )


def subscription_renew_or_expire(*, subscription_id: int, today: date) -> str | None:
    """At the end of the term: an auto-renewing, active membership whose points still allow
    its tier (or the downgrade chosen for the renewal) starts a new term of the same length
    with a new invoice; any other ends (EXPIRED)."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("business", "tier", "next_tier")
            .get(pk=subscription_id)
        )
        if subscription.status not in LIVE_STATUSES or subscription.expires_on > today:
            return None  # another run got here first
        target = subscription.next_tier or subscription.tier
        price = _renewal_price(subscription, target)
        if not _renews(subscription, target, price):
            _expire(subscription)
            return "expired"
        assert price is not None
        previous_tier, ended_on, request = _renew(subscription, target, price, program_current().name)
        subscription.save(update_fields=["tier", "next_tier", "price", "starts_on", "expires_on", "updated_at"])
        if previous_tier != target:
            subscription.plan_changes.filter(applied=False, to_tier=target).update(applied=True)
        invoice_request_create(**request)
        RenewalNotice.objects.get_or_create(
            subscription=subscription, kind=RenewalNotice.Kind.RENEWED, term_expires_on=ended_on
        )
        audit_record(
            actor=None,
            action=AuditAction.SUBSCRIPTION_RENEW,
            target=subscription,
            data=_renewed_audit(previous_tier, ended_on, subscription),
        )
        _renewed_notify(subscription)
        return "renewed"


def subscriptions_renew_or_expire(*, subscription_ids: list[int], today: date) -> dict[str, list[int]]:
    """`subscription_renew_or_expire` for a chunk of memberships (a renewal day): the ones that
    renew are written together (terms, invoice requests, notices, audit entries in one
    statement each), told one by one, and their invoices issued at once in one batch
    (`invoices_issue`); the ones that end go the single way. Returns the ids per outcome."""
    outcomes: dict[str, list[int]] = {"renewed": [], "expired": []}
    with transaction.atomic():
        subscriptions = list(
            Subscription.objects.select_for_update(of=("self",))
            .select_related("business", "tier", "next_tier")
            .prefetch_related("business__memberships__user")
            .filter(pk__in=subscription_ids, status__in=LIVE_STATUSES, expires_on__lte=today)
            .order_by("pk")
        )
        targets = {s.pk: s.next_tier or s.tier for s in subscriptions}
        program = program_current().name
        prices = {
            (tier_id, currency, term): amount
            for tier_id, currency, term, amount in TierPrice.objects.filter(
                tier__in={t.pk for t in targets.values()}
            ).values_list("tier_id", "currency", "term_years", "amount")
        }
        renewing: list[tuple[Subscription, Tier, date]] = []
        requests = []
        created: list[InvoiceRequest] = []
        for subscription in subscriptions:
            target = targets[subscription.pk]
            price = _renewal_price(subscription, target, prices)
            if not _renews(subscription, target, price):
                _expire(subscription)
                outcomes["expired"].append(subscription.pk)
                continue
            assert price is not None
            previous_tier, ended_on, request = _renew(subscription, target, price, program)
            renewing.append((subscription, previous_tier, ended_on))
            requests.append(request)
        if renewing:
            now = timezone.now()
            changed = [subscription for subscription, _previous, _ended in renewing]
            # One UPDATE per new term (tier, price, dates): a renewal day has a handful of them.
            # (bulk_update writes a CASE over every row for each field, which grew with the
            # square of the chunk: 2 ms a membership at 300, 30 % of the run.)
            terms: dict[tuple, list[int]] = {}
            for subscription in changed:
                subscription.updated_at = now
                key = (subscription.tier_id, subscription.price, subscription.starts_on, subscription.expires_on)
                terms.setdefault(key, []).append(subscription.pk)
            for (tier_id, price, starts_on, expires_on), ids in terms.items():
                Subscription.objects.filter(pk__in=ids).update(
                    tier_id=tier_id, next_tier=None, price=price, starts_on=starts_on, expires_on=expires_on,
                    updated_at=now,
                )  # fmt: skip
            for subscription, previous_tier, _ended in renewing:
                if previous_tier != subscription.tier:
                    subscription.plan_changes.filter(applied=False, to_tier=subscription.tier).update(applied=True)
            created = invoice_requests_create(requests)
            RenewalNotice.objects.bulk_create(
                [RenewalNotice(subscription=s, kind=RenewalNotice.Kind.RENEWED, term_expires_on=ended)
                 for s, _previous, ended in renewing],
                ignore_conflicts=True,
            )  # fmt: skip
            audit_record_many(
                action=AuditAction.SUBSCRIPTION_RENEW,
                entries=[(s, _renewed_audit(previous, ended, s)) for s, previous, ended in renewing],
            )
            businesses_notify(
                entries=[(subscription.business, _renewed_params(subscription)) for subscription in changed],
                kind="subscription_renewed",
                title=RENEWED_TITLE,
                body=RENEWED_BODY,
                url=reverse("memberships:subscriptions"),
            )
            outcomes["renewed"] = [subscription.pk for subscription in changed]
    if renewing:
        invoices_issue(request_ids=[request.pk for request in created])
    return outcomes
