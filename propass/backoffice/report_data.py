"""The numbers behind the back-office reports: one selector per report, each a fixed number of
grouped queries whatever the amount of data. A period is a range of whole days in the
operator's time zone, both ends included."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business
from propass.billing.models import Invoice, InvoiceKind, InvoiceStatus
from propass.core.enums import AuditAction
from propass.core.models import AuditLog
from propass.core.selectors import program_current
from propass.memberships.enums import LIVE_STATUSES
from propass.memberships.models import Subscription, Tier
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application
from propass.points.models import LedgerEntry
from propass.products.models import LegacyAccount, LegacyRegistration

Label = str | Promise

# The periods a report can cover: long enough for a five-year view, short enough that a
# weekly chart stays readable.
MAX_PERIOD_DAYS = 5 * 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    """Whole days from `date_from` to `date_to`, both included, in the operator's time zone."""

    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date_from, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))

    def weeks(self) -> list[date]:
        """The Monday of every week that has a day in the period."""
        monday = self.date_from - timedelta(days=self.date_from.weekday())
        weeks = []
        while monday <= self.date_to:
            weeks.append(monday)
            monday += timedelta(days=7)
        return weeks

    def months(self) -> list[date]:
        """The first day of every month that has a day in the period."""
        month = self.date_from.replace(day=1)
        months = []
        while month <= self.date_to:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def period_default(*, today: date) -> Period:
    """The last twelve months: from the first day of the month eleven months ago to today."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return Period(date_from=date(year, month, 1), date_to=today)


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    # text, date (a week's Monday), month, country, int, money (in the row's `currency`), percent
    kind: str = "int"

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "money", "percent")


@dataclass(frozen=True)
class ChartSpec:
    kind: str  # "bar" (grouped), "stacked" or "histogram"
    title: Label
    label: str  # the column whose values name the categories
    series: tuple[str, ...]  # the columns drawn
    tones: tuple[str, ...] = ()  # CSS tone per series (chart-<tone>); palette order otherwise
    percent: bool = False


@dataclass
class Report:
    slug: str
    title: Label
    description: Label
    columns: list[Column]
    rows: list[dict[str, Any]]
    charts: list[ChartSpec]
    facts: list[tuple[Any, int]] = field(default_factory=list)  # (label, number)
    period: Period | None = None
    csv_keys: list[str] | None = None  # the CSV's columns when they differ from the page's

    @property
    def csv_header(self) -> list[str]:
        return self.csv_keys or [column.key for column in self.columns]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


def _date(value: date | datetime) -> date:
    """TruncWeek/TruncMonth give a date on one database and a datetime on another."""
    return value.date() if isinstance(value, datetime) else value


# --- (a) Applications -------------------------------------------------------------------------

PENDING_STATUSES = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW]


def report_applications(*, date_from: date, date_to: date) -> Report:
    """Applications submitted per week by where they stand now (approved, rejected, waiting for
    the applicant, waiting for staff), and the share decided within the SLA deadline: an
    application is late when it was decided after its deadline or still waits for staff past
    it; one waiting for the applicant's answer counts for neither."""
    period = Period(date_from, date_to)
    now = timezone.now()
    late = Q(decided_at__gt=F("sla_deadline")) | Q(
        decided_at__isnull=True, status__in=PENDING_STATUSES, sla_deadline__lt=now
    )
    found: dict[date, dict[str, Any]] = {
        _date(row["week"]): dict(row)
        for row in Application.objects.filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .annotate(week=TruncWeek("submitted_at", output_field=DateField()))
        .order_by()
        .values("week")
        .annotate(
            submitted=Count("pk"),
            approved=Count("pk", filter=Q(status=ApplicationStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=ApplicationStatus.REJECTED)),
            information_requested=Count("pk", filter=Q(status=ApplicationStatus.INFO_REQUESTED)),
            pending=Count("pk", filter=Q(status__in=PENDING_STATUSES)),
            within_sla=Count("pk", filter=Q(decided_at__isnull=False, decided_at__lte=F("sla_deadline"))),
            late=Count("pk", filter=late),
        )
    }
    keys = ("submitted", "approved", "rejected", "information_requested", "pending", "within_sla", "late")
    rows = []
    for week in period.weeks():
        row: dict[str, Any] = {"week": week, **{key: found.get(week, {}).get(key, 0) for key in keys}}
        judged = row["within_sla"] + row["late"]
        row["sla_compliance"] = (Decimal(row["within_sla"] * 100) / judged).quantize(Decimal("0.1")) if judged else None
        rows.append(row)
    return Report(
        slug="applications",
        title=_("Applications per week"),
        description=_(
            "Applications by the week they were submitted and their outcome today; SLA compliance is the share "
            "decided within the deadline, counting those still waiting for staff past it as late."
        ),
        columns=[
            Column("week", _("Week of"), "date"),
            Column("submitted", _("Submitted")),
            Column("approved", _("Approved")),
            Column("rejected", _("Rejected")),
            Column("information_requested", _("Information requested")),
            Column("pending", _("Waiting for review")),
            Column("within_sla", _("Within SLA")),
            Column("late", _("Late")),
            Column("sla_compliance", _("SLA compliance"), "percent"),
        ],
        rows=rows,
        charts=[
            ChartSpec(
                "stacked",
                _("Applications per week by outcome"),
                "week",
                ("approved", "rejected", "information_requested", "pending"),
                tones=("ok", "danger", "warn", "muted"),
            ),
            ChartSpec("bar", _("SLA compliance per week"), "week", ("sla_compliance",), percent=True),
        ],
        period=period,
    )


# --- (b) Members by tier and country ----------------------------------------------------------

MEMBERSHIP_ENDS = [AuditAction.SUBSCRIPTION_EXPIRE, AuditAction.SUBSCRIPTION_CANCEL_REFUND]


def report_members(*, date_from: date, date_to: date) -> Report:
    """Live memberships (active or suspended) on `date_to`, by country and tier: bought by then
    and not ended by then (the audit log says when a membership expired or was cancelled with a
    refund). The tier is the membership's tier today."""
    period = Period(date_from, date_to)
    ended_later = AuditLog.objects.filter(
        action__in=MEMBERSHIP_ENDS,
        target_type=Subscription._meta.label_lower,
        target_id=Cast(OuterRef("pk"), output_field=CharField()),
        created_at__gte=period.end,
    )
    live = Subscription.objects.filter(created_at__lt=period.end).filter(
        Q(status__in=LIVE_STATUSES) | Exists(ended_later)
    )
    tiers = list(Tier.objects.order_by("position", "min_points", "pk").values_list("code", "name"))
    counts: dict[str, dict[str, int]] = {}
    for found in live.order_by().values("business__country", "tier__code").annotate(n=Count("pk")):
        counts.setdefault(found["business__country"], {})[found["tier__code"]] = found["n"]
    rows = []
    for country, by_tier in counts.items():
        row: dict[str, Any] = {"country": country, **{code: by_tier.get(code, 0) for code, _name in tiers}}
        row["total"] = sum(by_tier.values())
        rows.append(row)
    rows.sort(key=lambda row: (-row["total"], row["country"]))
    return Report(
        slug="members",
        title=_("Members by tier and country"),
        description=_("Live memberships (active or suspended) on the last day of the period."),
        columns=[
            Column("country", _("Country"), "country"),
            *[Column(code, name) for code, name in tiers],
            Column("total", _("Total")),
        ],
        rows=rows,
        charts=[ChartSpec("stacked", _("Members by country and tier"), "country", tuple(code for code, _n in tiers))],
        facts=[(name, sum(row[code] for row in rows)) for code, name in tiers]
        + [(_("Live memberships"), sum(row["total"] for row in rows))],
        period=period,
    )


# --- (c) Memberships per month ----------------------------------------------------------------

MEMBERSHIP_EVENTS: dict[str, list[str]] = {
    "new": [AuditAction.SUBSCRIPTION_CHECKOUT],
    "renewed": [AuditAction.SUBSCRIPTION_RENEW],
    "cancelled": [AuditAction.SUBSCRIPTION_CANCEL, AuditAction.SUBSCRIPTION_CANCEL_REFUND],
    "suspended": [AuditAction.SUBSCRIPTION_SUSPEND],
    "expired": [AuditAction.SUBSCRIPTION_EXPIRE],
}


def report_memberships(*, date_from: date, date_to: date) -> Report:
    """Per month, from the audit log (every change of a membership writes one entry): new
    memberships bought, terms renewed, renewals cancelled (with or without a refund),
    suspensions for an unpaid invoice and memberships expired."""
    period = Period(date_from, date_to)
    found: dict[date, dict[str, Any]] = {
        _date(row["month"]): dict(row)
        for row in AuditLog.objects.filter(
            action__in=[action for actions in MEMBERSHIP_EVENTS.values() for action in actions],
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .annotate(month=TruncMonth("created_at", output_field=DateField()))
        .order_by()
        .values("month")
        .annotate(**{key: Count("pk", filter=Q(action__in=actions)) for key, actions in MEMBERSHIP_EVENTS.items()})
    }
    rows = [
        {"month": month, **{key: found.get(month, {}).get(key, 0) for key in MEMBERSHIP_EVENTS}}
        for month in period.months()
    ]
    return Report(
        slug="memberships",
        title=_("Memberships per month"),
        description=_(
            "New memberships, renewals, cancellations (including those refunded), suspensions for unpaid "
            "invoices and expiries, by the month they happened."
        ),
        columns=[
            Column("month", _("Month"), "month"),
            Column("new", _("New")),
            Column("renewed", _("Renewed")),
            Column("cancelled", _("Cancelled")),
            Column("suspended", _("Suspended")),
            Column("expired", _("Expired")),
        ],
        rows=rows,
        charts=[
            ChartSpec(
                "bar",
                _("Memberships per month"),
                "month",
                tuple(MEMBERSHIP_EVENTS),
                tones=("ok", "s0", "warn", "danger", "muted"),
            )
        ],
        period=period,
    )


# --- (d) Amounts per currency -----------------------------------------------------------------

_ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def report_amounts(*, date_from: date, date_to: date) -> Report:
    """Per currency: invoiced (invoices issued in the period less the credit notes issued in
    it), collected (invoices paid in the period less the refunds paid out in it) and overdue on
    `date_to` (invoices then past their due date and neither paid nor credited by then)."""
    period = Period(date_from, date_to)
    credited_by_then = Invoice.objects.filter(credited_invoice=OuterRef("pk"), issue_date__lte=period.date_to)
    issued = Q(issue_date__gte=period.date_from, issue_date__lte=period.date_to)
    paid = Q(paid_at__gte=period.start, paid_at__lt=period.end)
    overdue = Q(kind=InvoiceKind.INVOICE, issue_date__lte=period.date_to, due_date__lt=period.date_to) & (
        Q(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE])
        | Q(status=InvoiceStatus.PAID, paid_at__gte=period.end)
        | (Q(status=InvoiceStatus.VOID) & ~Q(Exists(credited_by_then)))
    )
    rows = [
        dict(row)
        for row in Invoice.objects.filter(issued | paid | overdue)
        .order_by()
        .values("currency")
        .annotate(
            invoiced=Coalesce(Sum("total", filter=issued), _ZERO),
            collected=Coalesce(Sum("total", filter=paid), _ZERO),
            overdue=Coalesce(Sum("total", filter=overdue), _ZERO),
            overdue_invoices=Count("pk", filter=overdue),
        )
        .order_by("currency")
    ]
    return Report(
        slug="amounts",
        title=_("Amounts per currency"),
        description=_(
            "Invoiced: invoices issued in the period less credit notes. Collected: payments received in the "
            "period less refunds. Overdue: invoices past their due date and unpaid on the last day of the period."
        ),
        columns=[
            Column("currency", _("Currency"), "text"),
            Column("invoiced", _("Invoiced"), "money"),
            Column("collected", _("Collected"), "money"),
            Column("overdue", _("Overdue"), "money"),
            Column("overdue_invoices", _("Overdue invoices")),
        ],
        rows=rows,
        charts=[
            ChartSpec(
                "bar",
                _("Invoiced, collected and overdue per currency"),
                "currency",
                ("invoiced", "collected", "overdue"),
                tones=("s0", "ok", "danger"),
            )
        ],
        period=period,
    )


# --- (e) Points distribution ------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    low: int | None  # None: everything up to 0
    high: int | None  # None: no upper end
    opens: list[str]  # what reaching `low` opens: the invitation, tiers

    @property
    def code(self) -> str:
        if self.low is None:
            return "0"
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    @property
    def label(self) -> str:
        if self.low is None:
            return "0"
        low = number_format(self.low, force_grouping=True)
        return f"{low}+" if self.high is None else f"{low}–{number_format(self.high, force_grouping=True)}"


def points_buckets() -> list[Bucket]:
    """Balance ranges cut where something opens: the program's invitation threshold and each
    tier's minimum (0, 1 to 499, 500 to 999 and so on with the default program)."""
    program = program_current()
    opens: dict[int, list[str]] = {}
    if program.invitation_threshold > 0:
        opens.setdefault(program.invitation_threshold, []).append(str(_("Invitation")))
    for name, minimum in Tier.objects.order_by("position", "min_points", "pk").values_list("name", "min_points"):
        if minimum > 0:
            opens.setdefault(minimum, []).append(name)
    cuts = sorted(opens)
    buckets = [Bucket(None, 0, [])]
    lows = [1, *cuts] if (not cuts or cuts[0] > 1) else cuts
    for index, low in enumerate(lows):
        high = lows[index + 1] - 1 if index + 1 < len(lows) else None
        buckets.append(Bucket(low, high, opens.get(low, [])))
    return buckets


def report_points(*, date_from: date, date_to: date) -> Report:
    """Businesses by their points balance on `date_to` (the sum of their ledger entries up to
    then), in the ranges of `points_buckets`. A period that ends today or later reads the
    balances kept with the ledger (one grouped query over businesses); an earlier one sums the
    ledger once, grouped by business (never a sum per business)."""
    period = Period(date_from, date_to)
    buckets = points_buckets()
    counts = _points_counts(buckets, period.end)
    rows = [
        {
            "bucket": b.code,
            "label": b.label,
            "low": b.low if b.low is not None else "",
            "high": b.high if b.high is not None else "",
            "opens": ", ".join(b.opens),
            "businesses": counts.get(index, 0),
        }
        for index, b in enumerate(buckets)
    ]
    return Report(
        slug="points",
        title=_("Points distribution"),
        description=_(
            "Businesses by points balance on the last day of the period; the ranges start where the "
            "invitation or a tier becomes available."
        ),
        columns=[
            Column("label", _("Points"), "text"),
            Column("opens", _("Opens"), "text"),
            Column("businesses", _("Businesses")),
        ],
        rows=rows,
        charts=[ChartSpec("histogram", _("Businesses by points balance"), "label", ("businesses",))],
        period=period,
        csv_keys=["bucket", "label", "low", "high", "opens", "businesses"],
    )


def _bucket_of(buckets: list[Bucket], balance: int) -> int:
    if balance <= 0:
        return 0
    return next(index for index, b in reversed(list(enumerate(buckets))) if b.low and balance >= b.low)


def _points_counts(buckets: list[Bucket], end: datetime) -> dict[int, int]:
    businesses = Business.objects.filter(created_at__lt=end).order_by()
    if end > timezone.now():
        bucket = Case(
            When(points_balance__lte=0, then=Value(0)),
            *[When(points_balance__gte=b.low, then=Value(i)) for i, b in reversed(list(enumerate(buckets))) if b.low],
            output_field=IntegerField(),
        )
        return dict(
            businesses.annotate(bucket=bucket).values("bucket").annotate(n=Count("pk")).values_list("bucket", "n")
        )
    counts: Counter[int] = Counter()
    sums = (
        LedgerEntry.objects.filter(created_at__lt=end, business__created_at__lt=end)
        .order_by()
        .values("business")
        .annotate(total=Sum("amount"))
        .values_list("total", flat=True)
    )
    for total in sums.iterator(chunk_size=10_000):
        counts[_bucket_of(buckets, total)] += 1
    counts[0] += businesses.count() - sum(counts.values())
    return dict(counts)


# --- (f) Migration progress -------------------------------------------------------------------


def report_migration(*, date_from: date, date_to: date) -> Report:
    """Legacy CPS accounts migrated per week and in total by the end of each week, with their
    registrations; beside it the accounts imported, linked to a business (today) and migrated
    by `date_to`."""
    period = Period(date_from, date_to)
    linked = Q(migrated_to__isnull=False) | Q(Exists(Business.objects.filter(legacy_email=OuterRef("email"))))
    accounts = LegacyAccount.objects.filter(created_at__lt=period.end).aggregate(
        total=Count("pk"),
        linked=Count("pk", filter=linked),
        migrated=Count("pk", filter=Q(migrated_at__lt=period.end)),
        before=Count("pk", filter=Q(migrated_at__lt=period.start)),
    )
    registrations = LegacyRegistration.objects.filter(account__created_at__lt=period.end).aggregate(
        total=Count("pk"),
        migrated=Count("pk", filter=Q(account__migrated_at__lt=period.end)),
        before=Count("pk", filter=Q(account__migrated_at__lt=period.start)),
    )
    found: dict[date, dict[str, Any]] = {
        _date(row["week"]): dict(row)
        for row in LegacyAccount.objects.filter(migrated_at__gte=period.start, migrated_at__lt=period.end)
        .annotate(week=TruncWeek("migrated_at", output_field=DateField()))
        .order_by()
        .values("week")
        .annotate(migrated=Count("pk", distinct=True), registrations_migrated=Count("registrations"))
    }
    rows = []
    migrated_total, registrations_total = accounts["before"], registrations["before"]
    for week in period.weeks():
        migrated = found.get(week, {}).get("migrated", 0)
        moved = found.get(week, {}).get("registrations_migrated", 0)
        migrated_total += migrated
        registrations_total += moved
        rows.append(
            {
                "week": week,
                "migrated": migrated,
                "migrated_total": migrated_total,
                "registrations_migrated": moved,
                "registrations_migrated_total": registrations_total,
            }
        )
    return Report(
        slug="migration",
        title=_("Migration progress"),
        description=_("Legacy CPS accounts whose products were migrated, per week and in total."),
        columns=[
            Column("week", _("Week of"), "date"),
            Column("migrated", _("Accounts migrated")),
            Column("migrated_total", _("Accounts migrated in total")),
            Column("registrations_migrated", _("Registrations migrated")),
            Column("registrations_migrated_total", _("Registrations migrated in total")),
        ],
        rows=rows,
        charts=[ChartSpec("bar", _("Legacy accounts migrated in total"), "week", ("migrated_total",))],
        facts=[
            (_("Legacy accounts"), accounts["total"]),
            (_("Linked to a business"), accounts["linked"]),
            (_("Migrated"), accounts["migrated"]),
            (_("Not migrated"), accounts["total"] - accounts["migrated"]),
            (_("Legacy registrations"), registrations["total"]),
            (_("Registrations migrated"), registrations["migrated"]),
        ],
        period=period,
    )


REPORTS: dict[str, Callable[..., Report]] = {
    "applications": report_applications,
    "members": report_members,
    "memberships": report_memberships,
    "amounts": report_amounts,
    "points": report_points,
    "migration": report_migration,
}
