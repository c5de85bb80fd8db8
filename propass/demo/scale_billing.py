"""Memberships, invoices and payments for `propass seed-scale`, as the services would have left
them after up to three years: a membership per term and its invoice, renewals on the day the
term ended, upgrades with their prorated invoice, card invoices charged on their due date,
transfers paid within their terms, and the few unpaid ones suspended after the retries or the
grace period. Invoices are numbered per seller series and year in the order they were issued,
continuing the series' `core.Sequence`, exactly as `billing.invoicing` numbers them."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import translation

from propass.billing.collection import BANK_REMINDER_DAYS, RETRY_DAYS
from propass.billing.gateways import PaymentDeclined, SandboxGateway
from propass.billing.invoicing import invoice_number, invoice_sequence_name, invoice_series, structured_reference
from propass.billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceRequest, InvoiceStatus, Payment
from propass.core.models import Sequence
from propass.demo.scale_base import BusinessSeed, Context, Event, ScaleSeedError
from propass.memberships.enums import PaymentMethod, SubscriptionStatus
from propass.memberships.models import MembershipNumber, PlanChange, RenewalNotice, Subscription, Tier
from propass.memberships.renewals import REMINDER_DAYS
from propass.memberships.services import add_years, proration
from propass.products.models import LegacyAccount

SUSPENDED_SHARE = 0.03
TERM_SHARES = {1: 75, 2: 15, 3: 10}  # percent of memberships by term in years
CARD_SHARE = 0.6
UPGRADE_SHARE = 0.12
AUTO_RENEW_SHARE = 0.85
TIER_WEIGHTS = (30, 30, 20, 10, 6, 4)  # by rank among the tiers a business can afford: dearer ones rarer
GATEWAY = SandboxGateway()  # the sandbox's test cards: the data is a demo, whatever PAYMENT_PROVIDER says


@dataclass
class MembershipPlan:
    """One membership's history: `terms` terms of `term_years` starting on `starts`, the tier
    it bought first and the ones it was upgraded to (`tiers`, one upgrade in each term of
    `upgrade_days`), and what it is now."""

    business: int  # index into Context.businesses
    status: str
    due: str  # "renewal": its term ends on the due date; "card": its card invoice is due then
    term_years: int
    tiers: list[Tier]
    cheaper: list[Tier]  # tiers it may have been upgraded from
    method: str
    currency: str
    po_number: str = ""
    terms: int = 1
    upgrades: int = 0
    starts: list[date] = field(default_factory=list)
    expires_on: date = date.min
    upgrade_days: dict[int, date] = field(default_factory=dict)
    auto_renew: bool = True

    def upgrade_terms(self) -> int:
        """How many terms may hold an upgrade: not the current one of a suspended membership (its
        unpaid invoice is the term's own) nor of one whose card invoice falls due on the due date."""
        return self.terms - 1 if self.status == SubscriptionStatus.SUSPENDED or self.due == "card" else self.terms

    def max_upgrades(self) -> int:
        return min(len(self.cheaper), self.upgrade_terms())


@dataclass(slots=True)
class InvoicePlan:
    issued: datetime
    plan: MembershipPlan
    subscription_id: int
    kind: str
    description: str
    period_start: date
    period_end: date
    net: Decimal
    last: bool  # the membership's latest invoice
    membership: str  # the subscription as the audit log names it


def _last_start_range(ctx: Context, plan: MembershipPlan, terms: int, payment_days: int) -> tuple[date, date] | None:
    """The days the last of `terms` terms may start on, with the first one inside the window."""
    years = plan.term_years
    earliest = add_years(ctx.window_start, (terms - 1) * years)
    if plan.due == "renewal":
        low = high = add_years(ctx.due, -years)
    elif plan.due == "card":
        low = high = ctx.due - timedelta(days=payment_days)
    elif plan.status == SubscriptionStatus.EXPIRED:
        low, high = earliest, add_years(ctx.today, -years)
    else:
        # Live: the term runs past the due date; a suspended one is past its retries and grace.
        low = add_years(ctx.due, -years) + timedelta(days=1)
        high = ctx.today
        if plan.status == SubscriptionStatus.SUSPENDED:
            high = ctx.today - timedelta(days=payment_days + max(ctx.program.payment_grace_days, RETRY_DAYS[-1]) + 2)
    low = max(low, earliest)
    return (low, high) if low <= high else None


def _max_terms(ctx: Context, plan: MembershipPlan, payment_days: int) -> int:
    for terms in (3, 2, 1):
        if _last_start_range(ctx, plan, terms, payment_days) is not None:
            return terms
    return 0


def _pick_day(ctx: Context, low: date, high: date, avoid: tuple[date, date] | None) -> date | None:
    """A day in [low, high] outside the window (avoid[0], avoid[1]]; None when there is none."""
    ranges = [(low, high)]
    if avoid is not None:
        ranges = [(low, min(high, avoid[0])), (max(low, avoid[1] + timedelta(days=1)), high)]
    ranges = [(a, b) for a, b in ranges if a <= b]
    if not ranges:
        return None
    sizes = [(b - a).days + 1 for a, b in ranges]
    offset = ctx.rng.randrange(sum(sizes))
    for (a, _b), size in zip(ranges, sizes, strict=True):
        if offset < size:
            return a + timedelta(days=offset)
        offset -= size
    raise AssertionError("unreachable")


def memberships_plan(
    ctx: Context, *, counts: list[int], currencies: list[str], boost_points: int
) -> tuple[list[MembershipPlan], dict[int, int], dict[int, date]]:
    """Which businesses are members, of which tier, in which state, since when; with the points
    each member business must have (its tier's minimum) and the last day it may have been
    created (before its first term).

    --memberships live memberships (active, a few suspended): the businesses "with a membership".
    Their terms and upgrades are drawn; the invoices left to reach --invoices belong to
    memberships that ended (other businesses, which let theirs expire). Index 0 is the largest
    business (an active member), index 1 the small one (not a member)."""
    options, rng = ctx.options, ctx.rng
    wanted = options.memberships
    if wanted == 0:
        if options.renewals_due or options.card_charges_due or options.invoices:
            raise ScaleSeedError("--invoices, --renewals-due and --card-charges-due need memberships.")
        return [], {}, {}
    if options.renewals_due + options.card_charges_due > wanted - 1:
        raise ScaleSeedError("--renewals-due plus --card-charges-due must be less than --memberships.")
    if options.invoices < wanted:
        raise ScaleSeedError(f"--invoices must be at least --memberships ({wanted}): each membership has one.")
    cheapest = min(tier.min_points for tier in ctx.tiers)
    least = max(1, math.ceil(cheapest / boost_points))
    candidates = [i for i in range(2, len(counts)) if counts[i] >= least]
    if len(candidates) < wanted - 1:
        raise ScaleSeedError(
            f"--memberships {wanted} needs {wanted} businesses with at least {least} registrations; "
            f"there are {len(candidates) + 1}: give more registrations or fewer memberships."
        )
    # Larger businesses are more often members (weighted sampling without replacement).
    keyed = sorted(candidates, key=lambda i: -(rng.random() ** (1 / counts[i])))
    members, others = keyed[: wanted - 1], keyed[wanted - 1 :]
    rng.shuffle(members)  # the due ones are any members, not the largest
    dues = ["renewal"] * options.renewals_due + ["card"] * options.card_charges_due
    plans = [_plan_one(ctx, 0, counts[0], currencies[0], boost_points, status=SubscriptionStatus.ACTIVE, largest=True)]
    for position, index in enumerate(members):
        due = dues[position] if position < len(dues) else ""
        status = (
            SubscriptionStatus.SUSPENDED if not due and rng.random() < SUSPENDED_SHARE else SubscriptionStatus.ACTIVE
        )
        plans.append(_plan_one(ctx, index, counts[index], currencies[index], boost_points, status=status, due=due))
    _allocate_invoices(ctx, plans, others, counts, currencies, boost_points)
    for plan in plans:
        _timeline(ctx, plan)
    targets = {plan.business: max(tier.min_points for tier in plan.tiers) for plan in plans}
    created_by = {plan.business: plan.starts[0] - timedelta(days=rng.randint(7, 120)) for plan in plans}
    return plans, targets, created_by


def _plan_one(
    ctx: Context,
    index: int,
    count: int,
    currency: str,
    boost_points: int,
    *,
    status: str,
    due: str = "",
    largest: bool = False,
) -> MembershipPlan:
    rng = ctx.rng
    years = rng.choices(list(TERM_SHARES), weights=list(TERM_SHARES.values()))[0]
    if status == SubscriptionStatus.EXPIRED and years == 3:
        years = 1  # a 3-year term that ended started more than three years ago
    priced = [tier for tier in ctx.tiers if (tier.pk, currency, years) in ctx.prices]
    affordable = [tier for tier in priced if tier.min_points <= count * boost_points] or priced[:1]
    if not affordable:
        raise ScaleSeedError(f"No tier on sale has a {years}-year price in {currency}.")
    if largest:
        corporate = [tier for tier in affordable if tier.family == "corporate"]
        tier = corporate[0] if corporate else affordable[-1]
    else:
        weights = [TIER_WEIGHTS[min(rank, len(TIER_WEIGHTS) - 1)] for rank in range(len(affordable))]
        tier = rng.choices(affordable, weights=weights)[0]

    def price(t: Tier) -> Decimal:
        return ctx.prices[(t.pk, currency, years)]

    cheaper = [other for other in priced if price(other) < price(tier) and other.min_points <= tier.min_points]
    method = PaymentMethod.CARD if due == "card" or rng.random() < CARD_SHARE else PaymentMethod.BANK_TRANSFER
    auto_renew = status != SubscriptionStatus.EXPIRED and (
        due == "renewal" or status == SubscriptionStatus.SUSPENDED or rng.random() < AUTO_RENEW_SHARE
    )
    po_number = f"PO-{rng.randint(1000, 9999)}-{rng.randint(10, 99)}" if rng.random() < 0.1 else ""
    plan = MembershipPlan(
        business=index, status=status, due=due, term_years=years, tiers=[tier], cheaper=cheaper, method=method,
        currency=currency, po_number=po_number, auto_renew=auto_renew,
    )  # fmt: skip
    limit = _max_terms(ctx, plan, ctx.seller(ctx.countries[index]).payment_terms_days)
    if limit == 0:
        raise ScaleSeedError("The due date leaves no room for a membership term: choose a nearer --due-date.")
    plan.terms = rng.randint(1, limit)
    plan.upgrades = 1 if plan.max_upgrades() and rng.random() < UPGRADE_SHARE else 0
    return plan


def _allocate_invoices(
    ctx: Context,
    plans: list[MembershipPlan],
    others: list[int],
    counts: list[int],
    currencies: list[str],
    boost_points: int,
) -> None:
    """Make the invoices (one per term, one per upgrade) number exactly --invoices: fewer terms
    and upgrades for the live memberships when they drew too many; otherwise memberships that
    ended, of other businesses, for the rest (and longer histories when those run out)."""
    target = ctx.options.invoices
    total = sum(plan.terms + plan.upgrades for plan in plans)
    if total > target:
        total = _adjust(ctx, plans, total, target, -1)
    for index in others:
        if total >= target:
            break
        plan = _plan_one(ctx, index, counts[index], currencies[index], boost_points, status=SubscriptionStatus.EXPIRED)
        plan.terms = min(plan.terms, target - total)
        plan.upgrades = min(plan.upgrades, target - total - plan.terms, plan.max_upgrades())
        plans.append(plan)
        total += plan.terms + plan.upgrades
    if total < target:
        total = _adjust(ctx, plans, total, target, +1)
    if total != target:
        raise ScaleSeedError(
            f"--invoices {target} does not fit the memberships within three years (one invoice per term and per "
            f"upgrade): at most {total}; give more businesses or fewer invoices."
        )


def _adjust(ctx: Context, plans: list[MembershipPlan], total: int, target: int, step: int) -> int:
    """Move terms and upgrades one at a time, over the memberships in random order, towards
    `target` invoices: down removes upgrades first, up adds terms first. Returns the new total."""
    attributes = ("upgrades", "terms") if step < 0 else ("terms", "upgrades")
    limits = {
        id(plan): _max_terms(ctx, plan, ctx.seller(ctx.countries[plan.business]).payment_terms_days) for plan in plans
    }
    order = list(range(len(plans)))
    for attribute in attributes:
        moved = True
        while total != target and moved:
            moved = False
            ctx.rng.shuffle(order)
            for i in order:
                if total == target:
                    break
                plan = plans[i]
                value = getattr(plan, attribute)
                if step < 0:
                    allowed = value > (1 if attribute == "terms" else 0)
                else:
                    allowed = value < (limits[id(plan)] if attribute == "terms" else plan.max_upgrades())
                if allowed:
                    setattr(plan, attribute, value + step)
                    total += step
                    moved = True
    return total


def _timeline(ctx: Context, plan: MembershipPlan) -> None:
    """The terms' days and the upgrades' days. A card invoice falls due on the due date only
    for the memberships made for that (--card-charges-due); a membership whose card invoice
    would, pays by transfer instead."""
    rng = ctx.rng
    payment_days = ctx.seller(ctx.countries[plan.business]).payment_terms_days
    window = _last_start_range(ctx, plan, plan.terms, payment_days)
    assert window is not None
    # Card invoices issued in this window fall due after today and on or before the due date.
    avoid = (ctx.today - timedelta(days=payment_days), ctx.due - timedelta(days=payment_days))
    for method in (plan.method, PaymentMethod.BANK_TRANSFER):
        card_rule = method == PaymentMethod.CARD and plan.due != "card"
        last = _pick_day(ctx, *window, avoid if card_rule else None)
        if last is None:
            continue
        starts = [last]
        for _term in range(plan.terms - 1):
            starts.insert(0, add_years(starts[0], -plan.term_years))
        ends = [*starts[1:], ctx.due if plan.due == "renewal" else add_years(last, plan.term_years)]
        terms = rng.sample(range(plan.upgrade_terms()), plan.upgrades)
        days: dict[int, date] = {}
        for term in terms:
            day = _pick_day(
                ctx, starts[term], min(ends[term] - timedelta(days=1), ctx.today),
                avoid if card_rule else None,
            )  # fmt: skip
            if day is None:
                break
            days[term] = day
        if len(days) == plan.upgrades:
            plan.method, plan.starts, plan.expires_on, plan.upgrade_days = method, starts, ends[-1], days
            break
    else:
        raise ScaleSeedError("No days fit a membership's terms and the due date: choose a nearer --due-date.")
    # Tiers: the first one bought and one step up per upgrade, ending at the current tier.
    steps = sorted(
        rng.sample(plan.cheaper, plan.upgrades), key=lambda tier: ctx.prices[(tier.pk, plan.currency, plan.term_years)]
    )
    plan.tiers = [*steps, plan.tiers[-1]]


def memberships_write(ctx: Context, plans: list[MembershipPlan]) -> None:
    """Subscriptions with their membership numbers, plan changes and renewal notices, then the
    invoices with their requests, lines and payments; events for the audit log and the bell."""
    rng, writer = ctx.rng, ctx.writer
    first_id = writer.ids(Subscription, len(plans))
    taken = set(MembershipNumber.objects.values_list("number", flat=True))
    taken |= set(LegacyAccount.objects.exclude(membership_number="").values_list("membership_number", flat=True))
    numbers: list[str] = []
    while len(numbers) < len(plans):
        number = str(100_000_000 + rng.randrange(900_000_000))  # as memberships.services draws them
        if number not in taken:
            taken.add(number)
            numbers.append(number)
    first_number_id = writer.ids(MembershipNumber, len(plans))
    subscriptions, number_rows, invoices = [], [], []
    changes: list[tuple] = []
    notices: list[tuple] = []
    for offset, plan in enumerate(plans):
        business = ctx.businesses[plan.business]
        pk, number = first_id + offset, numbers[offset]
        checkout = ctx.daytime(plan.starts[0])
        number_rows.append((first_number_id + offset, number, checkout))
        subscriptions.append(_subscription_row(ctx, plan, business, pk, number, checkout))
        invoices += _history(ctx, plan, business, pk, number, checkout, changes, notices)
    writer.write(MembershipNumber, ["id", "number", "created_at"], number_rows)
    writer.write(Subscription, SUBSCRIPTION_FIELDS, subscriptions)
    first_change = writer.ids(PlanChange, len(changes))
    writer.write(
        PlanChange,
        ["id", "subscription_id", "from_tier_id", "to_tier_id", "effective_on", "days_left", "days_in_term",
         "amount_due", "currency", "applied", "created_by_id", "created_at"],
        ((first_change + i, *row) for i, row in enumerate(changes)),
    )  # fmt: skip
    first_notice = writer.ids(RenewalNotice, len(notices))
    writer.write(
        RenewalNotice,
        ["id", "subscription_id", "kind", "term_expires_on", "created_at"],
        ((first_notice + i, *row) for i, row in enumerate(notices)),
    )
    _invoices_write(ctx, invoices)


SUBSCRIPTION_FIELDS = [
    "id", "created_at", "updated_at", "business_id", "tier_id", "status", "membership_number", "term_years",
    "starts_on", "expires_on", "auto_renew", "cancelled_at", "next_tier_id", "po_number", "price", "currency",
    "payment_method", "card_reference", "card_last4", "terms_version", "terms_accepted_at", "terms_accepted_by_id",
    "terms_accepted_ip",
]  # fmt: skip


def _card(plan: MembershipPlan, business: BusinessSeed) -> tuple[str, str]:
    """The card on file as the sandbox authorised it; a suspended membership's card fails."""
    if plan.method != PaymentMethod.CARD:
        return "", ""
    token = "tok_insufficientFunds" if plan.status == SubscriptionStatus.SUSPENDED else "tok_visa"
    card = GATEWAY.authorise(token=token, customer=f"business-{business.id}")
    return card.reference, card.last4


def _subscription_row(
    ctx: Context, plan: MembershipPlan, business: BusinessSeed, pk: int, number: str, checkout: datetime
) -> tuple:
    rng, tier = ctx.rng, plan.tiers[-1]
    card_reference, last4 = _card(plan, business)
    cancelled_at = None
    if not plan.auto_renew:
        cancelled_at = ctx.daytime(
            ctx.day_between(plan.starts[-1], min(plan.expires_on - timedelta(days=61), ctx.today))
        )
    updated = max(checkout, cancelled_at or checkout, ctx.at(plan.starts[-1], 6))
    return (
        pk, checkout, min(updated, ctx.now), business.id, tier.pk, plan.status, number, plan.term_years,
        plan.starts[-1], plan.expires_on, plan.auto_renew, cancelled_at, None,
        plan.po_number,
        ctx.prices[(tier.pk, business.currency, plan.term_years)], business.currency, plan.method, card_reference,
        last4, ctx.terms_version, checkout, business.owner_id, f"198.51.100.{rng.randint(1, 254)}",
    )  # fmt: skip


def _history(
    ctx: Context,
    plan: MembershipPlan,
    business: BusinessSeed,
    pk: int,
    number: str,
    checkout: datetime,
    changes: list[tuple],
    notices: list[tuple],
) -> list[InvoicePlan]:
    """The membership's invoices, plan changes and renewal notices, term by term; its events."""
    rng, name, years, currency = ctx.rng, ctx.program.name, plan.term_years, business.currency
    ends = [*plan.starts[1:], plan.expires_on]
    tier_index = 0
    invoices: list[InvoicePlan] = []
    for term, (start, end) in enumerate(zip(plan.starts, ends, strict=True)):
        tier = plan.tiers[tier_index]
        if term == 0:
            issued, kind = checkout, InvoiceRequest.Kind.MEMBERSHIP
            ctx.events.append(Event(checkout, "subscription.checkout", plan.business, (
                pk, f"{tier.name} {number}", tier.code, years, plan.method, number, tier.name, end,
            )))  # fmt: skip
        else:
            issued, kind = (
                min(ctx.at(start, 6, rng.randint(0, 9), rng.randint(0, 59)), ctx.now),
                InvoiceRequest.Kind.RENEWAL,
            )
            notices.append((pk, RenewalNotice.Kind.RENEWED, start, issued))
            ctx.events.append(Event(issued, "subscription.renew", plan.business, (
                pk, f"{tier.name} {number}", tier.code, start, end, tier.name,
            )))  # fmt: skip
        invoices.append(InvoicePlan(
            issued, plan, pk, kind, f"{name} : {tier.name}", start, end, ctx.prices[(tier.pk, currency, years)], False,
            f"{plan.tiers[-1].name} {number}",
        ))  # fmt: skip
        if term in plan.upgrade_days:
            day, upgraded = plan.upgrade_days[term], plan.tiers[tier_index + 1]
            amount, days_left, days_in_term = proration(
                price_from=ctx.prices[(tier.pk, currency, years)], price_to=ctx.prices[(upgraded.pk, currency, years)],
                today=day, starts_on=start, expires_on=end,
            )  # fmt: skip
            # After the term's own invoice (a member may upgrade on the day of the purchase or renewal).
            moment = min(max(ctx.daytime(day), issued + timedelta(minutes=rng.randint(5, 120))), ctx.now)
            changes.append((pk, tier.pk, upgraded.pk, day, days_left, days_in_term, amount, currency, True,
                            business.owner_id, moment))  # fmt: skip
            ctx.events.append(Event(moment, "subscription.change_plan", plan.business, (
                pk, f"{upgraded.name} {number}", tier.code, upgraded.code, amount, business.owner_id,
            )))  # fmt: skip
            invoices.append(InvoicePlan(
                moment + timedelta(seconds=2), plan, pk, InvoiceRequest.Kind.UPGRADE,
                f"{name} : {tier.name} → {upgraded.name}", day, end, amount, False, f"{plan.tiers[-1].name} {number}",
            ))  # fmt: skip
            tier_index += 1
    invoices[-1].last = True
    tier = plan.tiers[-1]
    if not plan.auto_renew:
        for days in sorted(REMINDER_DAYS, reverse=True):
            day = plan.expires_on - timedelta(days=days)
            if plan.starts[-1] < day <= ctx.today:
                moment = min(ctx.at(day, 6, rng.randint(0, 9)), ctx.now)
                notices.append((pk, f"reminder_{days}", plan.expires_on, moment))
                ctx.events.append(Event(moment, "renewal.reminder", plan.business, (tier.name, plan.expires_on, days)))
    if plan.status == SubscriptionStatus.EXPIRED:
        moment = ctx.at(plan.expires_on, 6, rng.randint(0, 9))
        notices.append((pk, RenewalNotice.Kind.EXPIRED, plan.expires_on, moment))
        ctx.events.append(Event(moment, "subscription.expire", plan.business, (
            pk, f"{tier.name} {number}", tier.name, plan.expires_on,
        )))  # fmt: skip
    return invoices


INVOICE_FIELDS = [
    "id", "request_id", "business_id", "subscription_id", "kind", "status", "series", "number", "issue_date",
    "due_date", "seller_id", "seller_snapshot", "buyer_snapshot", "currency", "net", "vat", "total", "vat_rate",
    "vat_treatment", "vat_note", "po_number", "payment_method", "reference", "language", "pdf",
    "credited_invoice_id", "credit_reason", "reminders_sent", "charge_attempts", "next_charge_on", "created_at",
    "paid_at",
]  # fmt: skip
PAYMENT_FIELDS = [
    "id", "invoice_id", "attempt", "method", "amount", "currency", "status", "idempotency_key", "gateway_reference",
    "error", "created_at", "finished_at", "recorded_by_id", "note",
]  # fmt: skip


def _declined_message() -> str:
    """What the sandbox says when the charge of a card without funds fails (stored in English)."""
    try:
        GATEWAY.charge(card="card_tok_insufficientFunds", amount=Decimal(1), currency="EUR", idempotency_key="-")
    except PaymentDeclined as declined:
        with translation.override("en"):
            return str(declined)
    raise AssertionError("the sandbox charged a card without funds")


def _invoices_write(ctx: Context, plans: list[InvoicePlan]) -> None:
    """Number the invoices in the order they were issued and write them with their requests,
    lines and payments; advance each series' sequence to its last number."""
    rng, writer = ctx.rng, ctx.writer
    plans.sort(key=lambda item: (item.issued, item.subscription_id))
    last_values = dict(Sequence.objects.filter(name__startswith="invoice:").values_list("name", "last_value"))
    first_request, first_invoice = writer.ids(InvoiceRequest, len(plans)), writer.ids(Invoice, len(plans))
    grace = ctx.program.payment_grace_days
    reminder_steps = [days for days in BANK_REMINDER_DAYS if days < grace] + [grace]
    declined = _declined_message()
    requests, invoices, lines = [], [], []
    payments: list[list[Any]] = []
    for offset, item in enumerate(plans):
        business = ctx.businesses[item.plan.business]
        seller, decision = ctx.seller(business.country), ctx.vat(business)
        issue_date = item.issued.astimezone(ctx.tz).date()
        series = invoice_series(seller=seller, day=issue_date)
        sequence = invoice_sequence_name(series)
        last_values[sequence] = last_values.get(sequence, 0) + 1
        number = invoice_number(series=series, value=last_values[sequence])
        request_id, invoice_id = first_request + offset, first_invoice + offset
        vat = decision.vat_on(item.net)
        total = item.net + vat
        due_date = issue_date + timedelta(days=seller.payment_terms_days)
        card = item.plan.method == PaymentMethod.CARD
        status, paid_at, reminders, attempts, next_charge = InvoiceStatus.ISSUED, None, 0, 0, None
        if item.plan.due == "card" and item.last:
            next_charge = due_date  # the collection job's work on the due date
            assert due_date == ctx.due
        elif item.plan.status == SubscriptionStatus.SUSPENDED and item.last:
            status = InvoiceStatus.OVERDUE
            if card:
                attempts = len(RETRY_DAYS) + 1
                retries = [due_date] + [due_date + timedelta(days=days) for days in RETRY_DAYS]
                for attempt, day in enumerate(retries, start=1):
                    moment = ctx.at(day, 0, rng.randint(5, 55))
                    payments.append([invoice_id, attempt, "card", total, business.currency, "failed",
                                     f"{number}:charge:{attempt}", "", declined, moment, moment, None, ""])  # fmt: skip
                suspended_at = moment
            else:
                reminders = len(reminder_steps)
                suspended_at = ctx.at(due_date + timedelta(days=grace), 6, rng.randint(0, 9))
            ctx.events.append(Event(suspended_at, "subscription.suspend", item.plan.business, (
                item.subscription_id, item.membership, number, total, business.currency, due_date,
            )))  # fmt: skip
        elif due_date > ctx.today:
            next_charge = due_date if card else None
            assert not card or due_date > ctx.due
        elif card:
            status, paid_at = InvoiceStatus.PAID, min(ctx.at(due_date, 0, rng.randint(5, 55)), ctx.now)
            key = f"{number}:charge:1"
            charge = GATEWAY.charge(card="card_tok_visa", amount=total, currency=business.currency, idempotency_key=key)
            payments.append([invoice_id, 1, "card", total, business.currency, "succeeded", key, charge.reference, "",
                             paid_at - timedelta(seconds=2), paid_at, None, ""])  # fmt: skip
        else:
            days_late = (ctx.today - due_date).days
            if days_late > 0 and days_late < grace and rng.random() < 0.3:
                status = InvoiceStatus.OVERDUE  # the chase job's reminders so far, within the grace period
                reminders = sum(1 for days in reminder_steps if days <= days_late)
            elif days_late > 0 or rng.random() < 0.5:  # due today: paid already, or later today
                paid_day = min(issue_date + timedelta(days=rng.randint(2, seller.payment_terms_days + grace - 1)),
                               ctx.today)  # fmt: skip
                status, paid_at = InvoiceStatus.PAID, ctx.daytime(paid_day)
                reminders = sum(1 for days in reminder_steps if days <= (paid_day - due_date).days)
                payments.append([invoice_id, 1, "bank_transfer", total, business.currency, "succeeded",
                                 f"bank:{number}", structured_reference(number), "", paid_at, paid_at, None,
                                 ""])  # fmt: skip
        if paid_at is not None:
            via = f"card:{payments[-1][7]}" if card else f"bank_transfer:{structured_reference(number)}"
            ctx.events.append(Event(paid_at, "invoice.paid", item.plan.business, (
                invoice_id, number, via, total, business.currency,
            )))  # fmt: skip
        ctx.events.append(Event(item.issued, "invoice.issued", item.plan.business, (
            number, total, business.currency, due_date, structured_reference(number), seller.iban, seller.bic,
            item.plan.method,
        )))  # fmt: skip
        requests.append((request_id, item.subscription_id, item.kind, item.description, item.period_start,
                         item.period_end, item.net, business.currency, item.issued - timedelta(seconds=1),
                         item.issued))  # fmt: skip
        invoices.append((
            invoice_id, request_id, business.id, item.subscription_id, InvoiceKind.INVOICE, status, series, number,
            issue_date, due_date, seller.pk,
            {"name": seller.name, "address": seller.address, "country": seller.country,
             "vat_number": seller.vat_number, "iban": seller.iban, "bic": seller.bic},
            {"name": business.name, "street": business.street, "postal_code": business.postal_code,
             "city": business.city, "country": business.country, "vat_number": business.vat_number},
            business.currency, item.net, vat, total, decision.rate, decision.treatment, decision.note,
            item.plan.po_number, item.plan.method, structured_reference(number), business.language, "", None, "",
            reminders, attempts, next_charge, item.issued, paid_at,
        ))  # fmt: skip
        lines.append((invoice_id, item.description, item.period_start, item.period_end, item.net, vat))
    writer.write(
        InvoiceRequest,
        ["id", "subscription_id", "kind", "description", "period_start", "period_end", "net", "currency",
         "created_at", "invoiced_at"],
        requests,
    )  # fmt: skip
    writer.write(Invoice, INVOICE_FIELDS, invoices)
    first_line = writer.ids(InvoiceLine, len(lines))
    writer.write(
        InvoiceLine,
        ["id", "invoice_id", "description", "period_start", "period_end", "net", "vat"],
        ((first_line + i, *row) for i, row in enumerate(lines)),
    )
    first_payment = writer.ids(Payment, len(payments))
    writer.write(Payment, PAYMENT_FIELDS, ((first_payment + i, *row) for i, row in enumerate(payments)))
    for name, value in last_values.items():
        Sequence.objects.update_or_create(name=name, defaults={"last_value": value})
