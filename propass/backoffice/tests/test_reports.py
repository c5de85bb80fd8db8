"""Reports: every number equals a count made here, in plain Python, over the generated data."""

import csv
import io
import random
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from propass.accounts.models import Business, User
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.backoffice.charts import Series, bar_chart, histogram, stacked_bar_chart
from propass.backoffice.report_data import (
    report_amounts,
    report_applications,
    report_members,
    report_memberships,
    report_migration,
    report_points,
)
from propass.billing.credit_notes import credit_note_issue
from propass.billing.models import Invoice, InvoiceKind
from propass.core.models import AuditLog
from propass.core.services import audit_record
from propass.memberships.enums import SubscriptionStatus
from propass.memberships.models import Subscription
from propass.memberships.renewals import subscription_renew_or_expire
from propass.memberships.services import subscription_cancel
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry
from propass.points.services import points_post
from propass.products.models import LegacyAccount, LegacyRegistration
from propass.testing.shop import buy

PAGE = "/backoffice/reports/"
FROM, TO = date(2025, 1, 1), date(2025, 3, 31)
QUERY = {"from": FROM.isoformat(), "to": TO.isoformat()}
SVG = "{http://www.w3.org/2000/svg}"


def moment(day: date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute, second, micro))


@contextmanager
def at(when: datetime):
    """Everything written inside happens at `when` (auto_now_add fields, today's date)."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def local_day(value: datetime) -> date:
    return timezone.localtime(value).date()


def in_period(value: datetime, start: date = FROM, end: date = TO) -> bool:
    return start <= local_day(value) <= end


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks(start: date = FROM, end: date = TO) -> list[date]:
    first, last = monday(start), monday(end)
    return [first + timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]


@pytest.fixture
def finance(finance_agent):
    return finance_agent


# --- generated data ---------------------------------------------------------------------------

STATUSES = [
    ApplicationStatus.APPROVED,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.INFO_REQUESTED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
]


def make_application(n: int, submitted: datetime, status: str, *, decided: datetime | None = None, sla_days=2):
    return Application.objects.create(
        token=f"token-{n}", first_name="Ada", last_name="Rossi", email=f"applicant{n}@example.test",
        phone="+390212345678", language="en", company_name=f"Studio {n}", street="Via Roma 1",
        postal_code="20121", city="Milano", country="IT", vat_registered=False, authorised=True,
        terms_version="1", privacy_version="1", submitted_at=submitted, sla_started_at=submitted,
        sla_deadline=submitted + timedelta(days=sla_days), status=status, decided_at=decided,
    )  # fmt: skip


def make_applications(seed: int, count: int, offset: int = 0) -> None:
    rng = random.Random(seed)
    span = (TO - FROM).days + 30
    for n in range(count):
        submitted = moment(FROM - timedelta(days=15)) + timedelta(days=rng.random() * span)
        status = rng.choice(STATUSES)
        decided = None
        if status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
            decided = submitted + timedelta(hours=rng.uniform(1, 96))  # the deadline is at 48 hours
        make_application(offset + n, submitted, status, decided=decided)
    # The edges of the period, and one waiting for staff whose deadline is still ahead.
    make_application(offset + count, moment(FROM, 0), ApplicationStatus.APPROVED, decided=moment(FROM, 9))
    make_application(offset + count + 1, moment(TO, 23, 59, 59, 999999), ApplicationStatus.SUBMITTED)
    make_application(offset + count + 2, moment(TO + timedelta(days=1), 0), ApplicationStatus.SUBMITTED)
    make_application(offset + count + 3, moment(FROM, 0) - timedelta(microseconds=1), ApplicationStatus.REJECTED,
                     decided=moment(FROM, 10))  # fmt: skip
    make_application(offset + count + 4, moment(FROM + timedelta(days=20)), ApplicationStatus.IN_REVIEW,
                     sla_days=20000)  # fmt: skip


def earn(business, amount: int, when: datetime) -> None:
    """A ledger entry and the balance with it, as points_post writes them (without its e-mails)."""
    with at(when):
        LedgerEntry.objects.create(business=business, amount=amount, reason=LedgerReason.MIGRATION, reference="seed")
    Business.objects.filter(pk=business.pk).update(points_balance=F("points_balance") + amount)
    business.refresh_from_db()


def customer(name: str, country: str, currency: str, *, points: int, joined: date):
    with at(moment(joined, 9)):
        business = BusinessFactory(name=name, country=country, currency=currency)
        owner = User.objects.create(email=f"{name.lower()}@shop.test")  # no password to hash: it never logs in
        MembershipFactory(business=business, role="superuser", user=owner)
    earn(business, points, moment(joined, 10))
    return business, owner


def bought(business, owner, tier: str, when: datetime, *, method="bank_transfer", auto_renew=True):
    with at(when):
        return buy(business, owner, tier=tier, method=method, auto_renew=auto_renew)


def set_invoice(invoice, **fields):
    Invoice.objects.filter(pk=invoice.pk).update(**fields)


def make_shop_history() -> None:
    """Memberships bought, renewed, expired, cancelled and suspended around the period, with
    their invoices paid, unpaid and credited in EUR and GBP."""
    joined = date(2024, 1, 15)
    b1, o1 = customer("Alpha", "IT", "EUR", points=700, joined=joined)
    s1, i1 = bought(b1, o1, "silver", moment(date(2024, 2, 10)))
    set_invoice(i1, status="paid", paid_at=moment(date(2024, 2, 20)))
    with at(moment(date(2025, 2, 10), 6)):
        assert subscription_renew_or_expire(subscription_id=s1.pk, today=date(2025, 2, 10)) == "renewed"

    b2, o2 = customer("Beta", "DE", "EUR", points=1200, joined=joined)
    s2, i2 = bought(b2, o2, "gold", moment(date(2024, 3, 5)), auto_renew=False)
    set_invoice(i2, status="paid", paid_at=moment(date(2024, 3, 10)))
    with at(moment(date(2025, 3, 5), 6)):
        assert subscription_renew_or_expire(subscription_id=s2.pk, today=date(2025, 3, 5)) == "expired"

    b3, o3 = customer("Gamma", "GB", "GBP", points=600, joined=joined)
    _s3, i3 = bought(b3, o3, "silver", moment(date(2025, 1, 15)))
    set_invoice(i3, status="paid", paid_at=moment(date(2025, 1, 20)))

    b4, o4 = customer("Delta", "GB", "GBP", points=1700, joined=joined)
    s4, i4 = bought(b4, o4, "platinum", moment(date(2025, 2, 1)))
    set_invoice(i4, due_date=date(2025, 3, 3))
    with at(moment(date(2025, 3, 20), 6)):
        Subscription.objects.filter(pk=s4.pk).update(status=SubscriptionStatus.SUSPENDED)
        audit_record(actor=None, action="subscription.suspend", target=s4, data={"invoice": i4.number})

    b5, o5 = customer("Epsilon", "FR", "EUR", points=1100, joined=joined)
    _s5, i5 = bought(b5, o5, "gold", moment(date(2025, 3, 25)))
    set_invoice(i5, due_date=date(2025, 3, 28))  # overdue on the 31st, credited (void) later
    with at(moment(date(2025, 4, 2))):
        subscription_cancel(business=b5, actor=o5, refund=True)

    b6, o6 = customer("Zeta", "IT", "EUR", points=550, joined=joined)
    bought(b6, o6, "silver", moment(date(2025, 3, 10)))
    with at(moment(date(2025, 3, 12))):
        subscription_cancel(business=b6, actor=o6)

    b7, o7 = customer("Eta", "DE", "EUR", points=900, joined=joined)
    bought(b7, o7, "silver", moment(date(2025, 3, 20)))
    with at(moment(date(2025, 3, 28))):
        subscription_cancel(business=b7, actor=o7, refund=True)

    b8, o8 = customer("Theta", "IT", "EUR", points=1500, joined=joined)
    bought(b8, o8, "gold", moment(date(2025, 4, 5)))

    b9, o9 = customer("Iota", "GB", "GBP", points=800, joined=joined)
    _s9, i9 = bought(b9, o9, "silver", moment(date(2024, 12, 31), 23, 59, 59))
    set_invoice(i9, status="paid", paid_at=moment(FROM, 0))

    b10, o10 = customer("Kappa", "NL", "EUR", points=600, joined=joined)
    _s10, i10 = bought(b10, o10, "silver", moment(TO, 23, 59))
    set_invoice(i10, status="paid", paid_at=moment(date(2025, 4, 1), 0))

    b11, o11 = customer("Lambda", "GB", "GBP", points=700, joined=joined)
    _s11, i11 = bought(b11, o11, "silver", moment(date(2025, 1, 10)))
    set_invoice(i11, status="paid", paid_at=moment(date(2025, 1, 12)))
    with at(moment(date(2025, 2, 3))):  # a partial credit of a paid invoice: a credit note in GBP
        credit_note_issue(invoice_id=i11.pk, reason="Goodwill", net=Decimal("20.00"))

    # Points moving later: before, inside and after the period, both ways.
    with at(moment(date(2025, 2, 1))):
        points_post(business_id=b6.pk, amount=-100, reason=LedgerReason.ADJUSTMENT, reference="fix")
    with at(moment(date(2025, 5, 1))):
        points_post(business_id=b3.pk, amount=2000, reason=LedgerReason.ADJUSTMENT, reference="later")
    with at(moment(date(2024, 3, 1))):
        BusinessFactory(name="Quiet", country="ES")  # no points at all
    with at(moment(date(2025, 6, 1))):
        BusinessFactory(name="Newcomer", country="ES")  # joined after the period


def make_legacy(prefix: str = "") -> None:
    """Legacy accounts migrated before, in and after the period, linked or not."""
    with at(moment(date(2024, 6, 1))):
        anchor = BusinessFactory(name=f"{prefix}Heir", country="IT")
    plan = [
        ("a1", date(2024, 12, 20), 3, True),
        ("a2", FROM, 2, True),  # at midnight, the first moment of the period
        ("a3", date(2025, 2, 14), 0, True),
        ("a4", TO + timedelta(days=1), 4, True),
        ("a5", None, 1, True),  # linked, not migrated
        ("a6", None, 2, False),
    ]
    for name, migrated, products, linked in plan:
        email = f"{prefix}{name}@legacy.test"
        with at(moment(date(2024, 6, 1))):
            account = LegacyAccount.objects.create(
                email=email, account_name=name,
                migrated_to=anchor if migrated else None,
                migrated_at=moment(migrated, 0) if migrated else None,
            )  # fmt: skip
        for n in range(products):
            LegacyRegistration.objects.create(account=account, key=f"{n}", serial_number=f"{name}-{n}")
        if linked and not migrated:
            with at(moment(date(2024, 6, 2))):
                BusinessFactory(name=f"{prefix}Linked {name}", country="DE", legacy_email=email)
    with at(moment(date(2025, 5, 1))):
        late = LegacyAccount.objects.create(email=f"{prefix}late@legacy.test")
        LegacyRegistration.objects.create(account=late, key="x", serial_number="late")


@pytest.fixture
def history(shop):
    make_applications(seed=1, count=40)
    make_shop_history()
    make_legacy()


# --- the same numbers, counted in plain Python --------------------------------------------------


def expected_applications(start=FROM, end=TO) -> dict[date, dict]:
    now = timezone.now()
    rows = {week: Counter() for week in weeks(start, end)}
    for app in Application.objects.all():
        if not in_period(app.submitted_at, start, end):
            continue
        row = rows[monday(local_day(app.submitted_at))]
        row["submitted"] += 1
        key = {"approved": "approved", "rejected": "rejected", "information_requested": "information_requested"}
        row[key.get(app.status, "pending")] += 1
        if app.decided_at is not None:
            row["within_sla" if app.decided_at <= app.sla_deadline else "late"] += 1
        elif app.status in ("submitted", "in_review") and app.sla_deadline < now:
            row["late"] += 1
    return rows


def expected_members(end=TO) -> dict[str, Counter]:
    ended = {
        int(entry.target_id): entry.created_at
        for entry in AuditLog.objects.all()
        if entry.action in ("subscription.expire", "subscription.cancel_refund")
    }
    by_country: dict[str, Counter] = defaultdict(Counter)
    for subscription in Subscription.objects.select_related("business", "tier"):
        if local_day(subscription.created_at) > end:
            continue
        if subscription.pk in ended and local_day(ended[subscription.pk]) <= end:
            continue
        by_country[str(subscription.business.country)][subscription.tier.code] += 1
    return by_country


EVENTS = {
    "subscription.checkout": "new",
    "subscription.renew": "renewed",
    "subscription.cancel": "cancelled",
    "subscription.cancel_refund": "cancelled",
    "subscription.suspend": "suspended",
    "subscription.expire": "expired",
}


def expected_memberships(start=FROM, end=TO) -> dict[date, Counter]:
    months = {date(2025, m, 1): Counter() for m in range(start.month, end.month + 1)}
    for entry in AuditLog.objects.all():
        if entry.action in EVENTS and in_period(entry.created_at, start, end):
            months[local_day(entry.created_at).replace(day=1)][EVENTS[entry.action]] += 1
    return months


def expected_amounts(start=FROM, end=TO) -> dict[str, dict]:
    invoices = list(Invoice.objects.all())
    credited_on: dict[int, list[date]] = defaultdict(list)
    for invoice in invoices:
        if invoice.credited_invoice_id:
            credited_on[invoice.credited_invoice_id].append(invoice.issue_date)
    out: dict[str, dict] = defaultdict(lambda: {"invoiced": Decimal(0), "collected": Decimal(0),
                                                "overdue": Decimal(0), "overdue_invoices": 0})  # fmt: skip
    for invoice in invoices:
        row = out[invoice.currency]
        if start <= invoice.issue_date <= end:
            row["invoiced"] += invoice.total
        if invoice.paid_at is not None and in_period(invoice.paid_at, start, end):
            row["collected"] += invoice.total
        unpaid_then = invoice.paid_at is None or local_day(invoice.paid_at) > end
        credited_then = any(day <= end for day in credited_on[invoice.pk])
        if (
            invoice.kind == InvoiceKind.INVOICE
            and invoice.issue_date <= end
            and invoice.due_date < end
            and unpaid_then
            and not credited_then
        ):
            row["overdue"] += invoice.total
            row["overdue_invoices"] += 1
    return {currency: row for currency, row in out.items() if any(row.values())}


# The default program: invited at 500 points; silver 500, gold 1,000, platinum 1,600, corporate 2,501.
BUCKETS = [("0", None, 0), ("1-499", 1, 499), ("500-999", 500, 999), ("1000-1599", 1000, 1599),
           ("1600-2500", 1600, 2500), ("2501+", 2501, None)]  # fmt: skip


def expected_points(end=TO) -> dict[str, int]:
    counts = dict.fromkeys((code for code, _low, _high in BUCKETS), 0)
    entries = list(LedgerEntry.objects.all())
    for business in Business.objects.all():
        if local_day(business.created_at) > end:
            continue
        balance = sum(e.amount for e in entries if e.business_id == business.pk and local_day(e.created_at) <= end)
        for code, low, high in BUCKETS:
            if (low is None and balance <= 0) or (
                low is not None and balance >= low and (high is None or balance <= high)
            ):
                counts[code] += 1
    return counts


def expected_migration(start=FROM, end=TO) -> tuple[dict, list[dict]]:
    accounts = [a for a in LegacyAccount.objects.all() if local_day(a.created_at) <= end]
    legacy_emails = {b.legacy_email for b in Business.objects.all()}
    products = Counter(r.account_id for r in LegacyRegistration.objects.all())
    migrated = [a for a in accounts if a.migrated_at and local_day(a.migrated_at) <= end]
    facts = {
        "accounts": len(accounts),
        "linked": len([a for a in accounts if a.migrated_to_id or a.email in legacy_emails]),
        "migrated": len(migrated),
        "registrations": sum(products[a.pk] for a in accounts),
        "registrations_migrated": sum(products[a.pk] for a in migrated),
    }
    rows = []
    for week in weeks(start, end):
        week_end = week + timedelta(days=6)
        this_week = [
            a for a in migrated if start <= local_day(a.migrated_at) and monday(local_day(a.migrated_at)) == week
        ]
        so_far = [a for a in migrated if local_day(a.migrated_at) <= week_end]
        rows.append({
            "week": week, "migrated": len(this_week), "migrated_total": len(so_far),
            "registrations_migrated": sum(products[a.pk] for a in this_week),
            "registrations_migrated_total": sum(products[a.pk] for a in so_far),
        })  # fmt: skip
    return facts, rows


# --- the reports against them ---------------------------------------------------------------------


def test_applications_per_week_by_outcome_and_sla(history):
    report = report_applications(date_from=FROM, date_to=TO)
    expected = expected_applications()
    assert [row["week"] for row in report.rows] == list(expected)
    keys = ["submitted", "approved", "rejected", "information_requested", "pending", "within_sla", "late"]
    for row in report.rows:
        counted = expected[row["week"]]
        assert {key: row[key] for key in keys} == {key: counted[key] for key in keys}, row["week"]
        judged = counted["within_sla"] + counted["late"]
        if judged:
            assert row["sla_compliance"] == round(Decimal(100 * counted["within_sla"]) / judged, 1)
        else:
            assert row["sla_compliance"] is None
    total = sum(row["submitted"] for row in report.rows)
    assert total == len([a for a in Application.objects.all() if in_period(a.submitted_at)])
    assert report.rows[0]["week"] == date(2024, 12, 30)  # the week of 1 January, from the 1st only


def test_members_by_tier_and_country_on_the_last_day(history):
    report = report_members(date_from=FROM, date_to=TO)
    expected = expected_members()
    found = {
        row["country"]: {k: v for k, v in row.items() if k not in ("country", "total") and v} for row in report.rows
    }
    assert found == {country: dict(tiers) for country, tiers in expected.items()}
    assert {row["country"]: row["total"] for row in report.rows} == {c: sum(t.values()) for c, t in expected.items()}
    # Gamma, Delta (suspended), Iota, Lambda in GB; Epsilon refunded only in April; Eta refunded in March.
    assert found["GB"] == {"silver": 3, "platinum": 1}
    assert found["FR"] == {"gold": 1}
    assert "gold" not in found.get("DE", {})  # Beta expired on 5 March
    assert found["IT"] == {"silver": 2}  # Alpha renewed, Zeta cancelled but live; Theta bought in April


def test_memberships_per_month(history):
    report = report_memberships(date_from=FROM, date_to=TO)
    expected = expected_memberships()
    keys = ["new", "renewed", "cancelled", "suspended", "expired"]
    assert {row["month"]: {k: row[k] for k in keys} for row in report.rows} == {
        month: {k: counted[k] for k in keys} for month, counted in expected.items()
    }
    march = report.rows[2]
    assert (march["new"], march["cancelled"], march["suspended"], march["expired"]) == (4, 2, 1, 1)


def test_amounts_per_currency(history):
    report = report_amounts(date_from=FROM, date_to=TO)
    expected = expected_amounts()
    keys = ["invoiced", "collected", "overdue", "overdue_invoices"]
    assert {row["currency"]: {k: row[k] for k in keys} for row in report.rows} == expected
    assert set(expected) == {"EUR", "GBP"}
    assert expected["GBP"]["overdue_invoices"] == 1 and expected["EUR"]["overdue_invoices"] == 1


def test_points_distribution_on_the_last_day(history):
    report = report_points(date_from=FROM, date_to=TO)
    assert [(row["bucket"], row["low"], row["high"]) for row in report.rows] == [
        (code, "" if low is None else low, "" if high is None else high) for code, low, high in BUCKETS
    ]
    assert {row["bucket"]: row["businesses"] for row in report.rows} == expected_points()
    assert report.rows[2]["opens"] == "Invitation, Silver"


def test_points_distribution_up_to_today_reads_the_balances_kept_with_the_ledger(history):
    """A period ending today is counted from the cached balances (kept equal to the ledger,
    which verify-points checks): the same figures as summing the ledger."""
    today = timezone.localdate()
    report = report_points(date_from=FROM, date_to=today)
    assert {row["bucket"]: row["businesses"] for row in report.rows} == expected_points(today)
    assert sum(row["businesses"] for row in report.rows) == Business.objects.count()


def test_migration_progress(history):
    report = report_migration(date_from=FROM, date_to=TO)
    facts, rows = expected_migration()
    assert report.rows == rows
    assert [value for _label, value in report.facts] == [
        facts["accounts"], facts["linked"], facts["migrated"], facts["accounts"] - facts["migrated"],
        facts["registrations"], facts["registrations_migrated"],
    ]  # fmt: skip
    assert facts == {"accounts": 6, "linked": 5, "migrated": 3, "registrations": 12, "registrations_migrated": 5}


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2025, 1, 1), date(2025, 1, 1)), (date(2025, 2, 10), date(2025, 3, 5)), (date(2024, 12, 31), TO)],
)
def test_the_period_includes_both_end_days_and_nothing_else(history, start, end):
    applications = report_applications(date_from=start, date_to=end)
    assert {row["week"]: row["submitted"] for row in applications.rows} == {
        week: counted["submitted"] for week, counted in expected_applications(start, end).items()
    }
    memberships = report_memberships(date_from=start, date_to=end)
    assert sum(row["new"] + row["renewed"] + row["expired"] for row in memberships.rows) == len([
        e for e in AuditLog.objects.all()
        if e.action in ("subscription.checkout", "subscription.renew", "subscription.expire")
        and in_period(e.created_at, start, end)
    ])  # fmt: skip
    amounts = report_amounts(date_from=start, date_to=end)
    keys = ["invoiced", "collected", "overdue", "overdue_invoices"]
    assert {row["currency"]: {k: row[k] for k in keys} for row in amounts.rows} == expected_amounts(start, end)
    _facts, rows = expected_migration(start, end)
    assert report_migration(date_from=start, date_to=end).rows == rows
    assert {row["bucket"]: row["businesses"] for row in report_points(date_from=start, date_to=end).rows} == (
        expected_points(end)
    )
    members = report_members(date_from=start, date_to=end)
    assert {row["country"]: row["total"] for row in members.rows} == {
        country: sum(tiers.values()) for country, tiers in expected_members(end).items()
    }


def test_edges_of_one_day(history):
    """Iota's checkout at 23:59:59 on 31 December is outside, its payment at midnight inside."""
    first_day = report_amounts(date_from=FROM, date_to=FROM)
    assert {row["currency"]: row["collected"] for row in first_day.rows}["GBP"] == (
        Invoice.objects.get(business__name="Iota").total
    )
    new_years_eve = report_memberships(date_from=date(2024, 12, 31), date_to=date(2024, 12, 31))
    assert new_years_eve.rows[0]["new"] == 1
    assert report_memberships(date_from=FROM, date_to=FROM).rows[0]["new"] == 0


# --- the page, the CSV files and the charts ---------------------------------------------------------


class ReportPage(HTMLParser):
    """The numbers as the page shows them: each report table's cells by column, and the facts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self.facts: dict[str, list[str]] = {}
        self._table: str | None = None
        self._facts: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "data-report" in attributes:
            self._table = attributes["data-report"]
            self.tables[self._table] = []
        elif tag == "dl" and "data-report" in attributes:
            self._facts = attributes["data-report"]
            self.facts[self._facts] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append({})
        elif tag in ("td", "th") and self._table and "data-key" in attributes:
            self.tables[self._table][-1][attributes["data-key"]] = attributes["data-value"]
        elif tag == "dd" and self._facts:
            self.facts[self._facts].append(attributes["data-value"])

    def handle_endtag(self, tag):
        if tag == "table":
            if self._table:
                self.tables[self._table] = [row for row in self.tables[self._table] if row]
            self._table = None
        elif tag == "dl":
            self._facts = None


def read_csv(response) -> list[dict[str, str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_and_each_csv_show_the_same_numbers(client, program_admin, history):
    client.force_login(program_admin)
    response = client.get(PAGE, QUERY)
    assert response.status_code == 200
    page = ReportPage()
    page.feed(response.content.decode())
    assert set(page.tables) == {"applications", "members", "memberships", "amounts", "points", "migration"}
    for slug, rows in page.tables.items():
        link = f"/backoffice/reports/{slug}.csv?from=2025-01-01&amp;to=2025-03-31"
        assert link in response.content.decode()
        download = client.get(f"/backoffice/reports/{slug}.csv", QUERY)
        assert download.status_code == 200
        assert download["Content-Disposition"] == f'attachment; filename="{slug}-2025-01-01-2025-03-31.csv"'
        lines = read_csv(download)
        assert len(lines) == len(rows) > 0, slug
        for shown, line in zip(rows, lines, strict=True):
            assert {key: value for key, value in line.items() if key in shown} == shown, slug
    # The CSV's numbers are the counts made above.
    amounts = {line["currency"]: line for line in read_csv(client.get("/backoffice/reports/amounts.csv", QUERY))}
    for currency, row in expected_amounts().items():
        assert Decimal(amounts[currency]["invoiced"]) == row["invoiced"]
        assert Decimal(amounts[currency]["overdue"]) == row["overdue"]
    points = read_csv(client.get("/backoffice/reports/points.csv", QUERY))
    assert {line["bucket"]: int(line["businesses"]) for line in points} == expected_points()
    assert page.facts["migration"] == ["6", "5", "3", "3", "12", "5"]
    weeks_shown = [row["week"] for row in page.tables["applications"]]
    assert weeks_shown == [week.isoformat() for week in weeks()]


def test_charts_are_well_formed_svg_without_style_attributes(client, finance, history):
    client.force_login(finance)
    html = client.get(PAGE, QUERY).content.decode()
    assert "style=" not in html
    charts = [f"<svg{part.split('</svg>')[0]}</svg>" for part in html.split("<svg")[1:]]
    assert len(charts) == 7
    for chart in charts:
        root = ET.fromstring(chart)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert (root.get("aria-labelledby"), root.get("aria-describedby")) == (title.get("id"), desc.get("id"))
    assert "<details" in html and "Show data" in html


def test_chart_text_is_escaped():
    nasty = '<b>"Tom & Jerry"</b>'
    for chart in (
        bar_chart(chart_id="a", title=nasty, description=nasty, labels=[nasty, "x"],
                  series=[Series(nasty, [1, -2.5]), Series("b", [None, 3])]),
        stacked_bar_chart(chart_id="b", title=nasty, description=nasty, labels=[nasty],
                          series=[Series(nasty, [2]), Series("c", [0])]),
        histogram(chart_id="c", title=nasty, description=nasty, labels=[nasty, "y"], values=[0, 0]),
        bar_chart(chart_id="d", title=nasty, description=nasty, labels=[], series=[]),
    ):  # fmt: skip
        root = ET.fromstring(str(chart))
        assert root.find(f"{SVG}title").text == nasty
        assert "style=" not in chart and "<b>" not in chart


def test_the_bars_are_as_tall_as_their_numbers():
    chart = histogram(chart_id="h", title="t", description="d", labels=["a", "b", "c"], values=[10, 20, 0])
    bars = ET.fromstring(str(chart)).findall(f"{SVG}rect")
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[2] == 0
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["a: 10", "b: 20", "c: 0"]


def test_the_default_period_is_the_last_twelve_months(client, program_admin, shop):
    client.force_login(program_admin)
    today = timezone.localdate()
    response = client.get(PAGE)
    period = response.context["period"]
    assert period.date_to == today and period.date_from.day == 1
    assert len(response.context["reports"][2].report.rows) == 12  # one row per month


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "yesterday"}, "Enter a valid date."),
        ({"from": "2025-03-01", "to": "2025-01-01"}, "The start date must be on or before the end date."),
        ({"from": "2015-01-01", "to": "2025-01-01"}, "Choose a period of at most five years."),
        ({"from": "1900-01-01", "to": "1900-02-01"}, "Choose dates between 2000 and 2100."),
    ],
)
def test_a_bad_period_says_why_and_shows_the_default(client, program_admin, shop, query, message):
    client.force_login(program_admin)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "The reports below show the last 12 months instead." in html
    assert response.context["period"].date_to == timezone.localdate()
    download = client.get("/backoffice/reports/memberships.csv", query)
    assert len(read_csv(download)) == 12


def test_one_end_of_the_period_is_enough(client, program_admin, shop):
    client.force_login(program_admin)
    period = client.get(PAGE, {"to": "2025-03-31"}).context["period"]
    assert (period.date_from, period.date_to) == (date(2024, 4, 1), date(2025, 3, 31))
    period = client.get(PAGE, {"from": "2025-03-01"}).context["period"]
    assert (period.date_from, period.date_to) == (date(2025, 3, 1), timezone.localdate())


def test_an_unknown_report_is_not_found(client, finance, shop):
    client.force_login(finance)
    assert client.get("/backoffice/reports/salaries.csv").status_code == 404


def test_program_admins_and_finance_only(client, program_admin, finance, support_agent, owner, shop):
    for user in (program_admin, finance):
        client.force_login(user)
        assert client.get(PAGE).status_code == 200
        assert client.get("/backoffice/reports/points.csv").status_code == 200
    for user in (support_agent, owner):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get("/backoffice/reports/points.csv").status_code == 403
    client.logout()
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_staff_menu_links_to_the_reports(client, finance, shop):
    client.force_login(finance)
    html = client.get(PAGE).content.decode()
    assert '<a href="/backoffice/reports/" aria-current="page">Reports</a>' in html


PAGE_QUERIES = 16  # the points report of a past period: the ledger summed once, and the businesses counted


def test_the_page_runs_the_same_queries_whatever_the_data(client, program_admin, history, django_assert_num_queries):
    client.force_login(program_admin)
    client.get(PAGE, QUERY)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE, QUERY)
    make_applications(seed=2, count=60, offset=1000)
    make_legacy(prefix="more-")
    for n in range(5):
        with at(moment(date(2025, 2, 2))):
            business = BusinessFactory(name=f"More {n}", country="ES")
        earn(business, 700 * n, moment(date(2025, 2, 3)))
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(PAGE, QUERY)
    assert len(small.captured_queries) == PAGE_QUERIES


def _ticks_of(chart) -> list[str]:
    return [text.text for text in ET.fromstring(str(chart)).iter(f"{SVG}text") if text.get("class") == "chart-tick"]


def test_charts_of_counts_have_whole_number_ticks():
    counts = bar_chart(chart_id="n", title="t", description="d", labels=["a", "b"], series=[Series("s", [1, 2])])
    assert _ticks_of(counts) == ["0", "1", "2"]
    stacked = stacked_bar_chart(chart_id="s", title="t", description="d", labels=["a"], series=[Series("s", [1])])
    assert _ticks_of(stacked) == ["0", "1"]
    # Amounts keep their fractions.
    amounts = bar_chart(chart_id="m", title="t", description="d", labels=["a"], series=[Series("s", [Decimal("1.5")])])
    assert "0.5" in _ticks_of(amounts)


def test_every_chart_has_a_visible_title(client, finance, history):
    client.force_login(finance)
    html = client.get(PAGE, QUERY).content.decode()
    figures = html.split('<figure class="chart-figure">')[1:]
    assert len(figures) == 7
    for figure in figures:
        caption = figure.split("<figcaption>")[1].split("</figcaption>")[0]
        title = ET.fromstring(f"<svg{figure.split('<svg')[1].split('</svg>')[0]}</svg>").find(f"{SVG}title").text
        assert caption == title


def test_the_page_shows_figures_a_few_minutes_old_and_computes_them_again_on_request(
    client, program_admin, history, settings
):
    settings.FIGURES_MAX_AGE = 300
    client.force_login(program_admin)
    first = ReportPage()
    first.feed(client.get(PAGE, QUERY).content.decode())
    assert "Figures as of" in client.get(PAGE, QUERY).content.decode()
    LegacyAccount.objects.filter(migrated_at__isnull=False).update(migrated_at=None)
    stale = ReportPage()
    stale.feed(client.get(PAGE, QUERY).content.decode())
    assert stale.facts["migration"] == first.facts["migration"] == ["6", "5", "3", "3", "12", "5"]
    fresh = ReportPage()
    fresh.feed(client.get(PAGE, {**QUERY, "fresh": "1"}).content.decode())
    assert fresh.facts["migration"] != first.facts["migration"]
