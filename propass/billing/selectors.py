from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import Business, User
from propass.accounts.permissions import has_billing_rights
from propass.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from propass.core.errors import Forbidden, NotFound
from propass.core.models import AuditLog

_NO_RIGHTS = _("Only the business superuser or an administrator can see the invoices.")


def invoices_for(*, business: Business, user: User) -> QuerySet[Invoice]:
    """A business's invoices, for its users with billing rights only."""
    if not has_billing_rights(user=user, business=business):
        raise Forbidden(_NO_RIGHTS)
    return Invoice.objects.filter(business=business).order_by("-issue_date", "-id")


# --- Finance back office -------------------------------------------------------------------

# An invoice is open while it waits for money: an invoice (not a credit note), issued or overdue.
OPEN = Q(kind=InvoiceKind.INVOICE, status__in=[InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE])

AGING_BUCKETS: tuple[tuple[str, Promise], ...] = (
    ("current", _("Not yet due")),
    ("1_30", _("1–30 days past due")),
    ("31_60", _("31–60 days past due")),
    ("60_plus", _("More than 60 days past due")),
)


def _overdue(today: date) -> Q:
    """Open and past its due date (or already marked overdue by a failed charge)."""
    return OPEN & (Q(status=InvoiceStatus.OVERDUE) | Q(due_date__lt=today))


@dataclass(frozen=True)
class InvoiceFilters:
    kind: str = ""
    status: str = ""
    payment_method: str = ""
    currency: str = ""
    seller: str = ""
    issued_from: date | None = None
    issued_to: date | None = None
    q: str = ""


def invoice_search(*, filters: InvoiceFilters, today: date) -> QuerySet[Invoice]:
    """Invoices and credit notes for finance, newest first. `state` is the status as finance
    sees it (an open invoice past its due date is overdue) and `overdue_by` how long."""
    invoices = Invoice.objects.annotate(
        state=Case(When(_overdue(today), then=Value(InvoiceStatus.OVERDUE.value)), default=F("status")),
        overdue_by=Case(
            When(_overdue(today) & Q(due_date__lt=today), then=Value(today, output_field=DateField()) - F("due_date")),
            default=None,
            output_field=DurationField(),
        ),
    )
    if filters.kind:
        invoices = invoices.filter(kind=filters.kind)
    if filters.status:
        invoices = invoices.filter(state=filters.status)
    if filters.payment_method:
        invoices = invoices.filter(payment_method=filters.payment_method)
    if filters.currency:
        invoices = invoices.filter(currency=filters.currency)
    if filters.seller:
        invoices = invoices.filter(seller__code=filters.seller)
    if filters.issued_from:
        invoices = invoices.filter(issue_date__gte=filters.issued_from)
    if filters.issued_to:
        invoices = invoices.filter(issue_date__lte=filters.issued_to)
    if filters.q:
        invoices = invoices.filter(
            Q(number__icontains=filters.q) | Q(business__name__icontains=filters.q) | Q(reference__icontains=filters.q)
        )
    return invoices.order_by("-issue_date", "-id")


@dataclass(frozen=True)
class AgingBucket:
    code: str
    label: Promise
    amount: Decimal
    count: int


@dataclass(frozen=True)
class AgingRow:
    currency: str
    buckets: list[AgingBucket]
    amount: Decimal
    count: int


def invoice_aging(*, today: date) -> list[AgingRow]:
    """What is still owed, per currency, by how long it is past due: not yet due, 1 to 30,
    31 to 60 and more than 60 days. One grouped query; the days are counted from the due date."""
    bucket = Case(
        When(due_date__gte=today, then=Value("current")),
        When(due_date__gte=today - timedelta(days=30), then=Value("1_30")),
        When(due_date__gte=today - timedelta(days=60), then=Value("31_60")),
        default=Value("60_plus"),
        output_field=CharField(),
    )
    sums: dict[str, dict[str, tuple[Decimal, int]]] = {}
    for row in (
        Invoice.objects.filter(OPEN)
        .annotate(bucket=bucket)
        .values("currency", "bucket")
        .annotate(amount=Sum("total"), count=Count("pk"))
        .order_by()
    ):
        sums.setdefault(row["currency"], {})[row["bucket"]] = (row["amount"], row["count"])
    rows = []
    for currency in sorted(sums):
        buckets = [
            AgingBucket(code, label, *sums[currency].get(code, (Decimal("0.00"), 0))) for code, label in AGING_BUCKETS
        ]
        rows.append(
            AgingRow(
                currency=currency,
                buckets=buckets,
                amount=sum((b.amount for b in buckets), Decimal("0.00")),
                count=sum(b.count for b in buckets),
            )
        )
    return rows


def invoice_totals(*, invoices: QuerySet[Invoice]) -> list[dict[str, Any]]:
    """Per currency for a list of invoices: how many, invoiced (invoices not void), credited
    (credit notes) and collected (invoices paid)."""
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))
    rows = (
        invoices.order_by("currency")
        .values("currency")
        .annotate(
            count=Count("pk"),
            invoiced=Coalesce(Sum("total", filter=Q(kind=InvoiceKind.INVOICE) & ~Q(status=InvoiceStatus.VOID)), zero),
            credited=Coalesce(Sum("total", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), zero),
            collected=Coalesce(Sum("total", filter=Q(kind=InvoiceKind.INVOICE, status=InvoiceStatus.PAID)), zero),
        )
    )
    return [dict(row) for row in rows]


def invoice_is_open(invoice: Invoice) -> bool:
    return invoice.kind == InvoiceKind.INVOICE and invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)


def invoice_for_finance(*, invoice_id: int) -> Invoice:
    """One invoice with what finance reads beside it: lines, every payment attempt, the
    credit notes against it and its audit trail (as `audit_entries`)."""
    invoice = (
        Invoice.objects.select_related("business", "seller", "credited_invoice", "subscription__tier", "vies_check")
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=Payment.objects.select_related("recorded_by").order_by("created_at", "pk")),
            Prefetch("credit_notes", queryset=Invoice.objects.order_by("issue_date", "pk")),
        )
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:
        raise NotFound(_("No invoice has this number."))
    invoice.audit_entries = list(  # type: ignore[attr-defined]
        AuditLog.objects.filter(target_type=Invoice._meta.label_lower, target_id=str(invoice.pk)).order_by(
            "created_at", "pk"
        )
    )
    return invoice


def payment_search(
    *,
    status: str = "",
    method: str = "",
    created_from: date | None = None,
    created_to: date | None = None,
    q: str = "",
) -> QuerySet[Payment]:
    """Every payment attempt (charges, transfers, manual marks, refunds), newest first; the
    dates are the day the attempt was recorded, in the operator's time zone."""
    payments = Payment.objects.select_related("invoice__business", "recorded_by")
    if status:
        payments = payments.filter(status=status)
    if method:
        payments = payments.filter(method=method)
    if created_from:
        payments = payments.filter(created_at__date__gte=created_from)
    if created_to:
        payments = payments.filter(created_at__date__lte=created_to)
    if q:
        payments = payments.filter(Q(invoice__number__icontains=q) | Q(invoice__business__name__icontains=q))
    return payments.order_by("-created_at", "-pk")
