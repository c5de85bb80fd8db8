from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from propass.accounts.models import Business
from propass.products.enums import AT_RISK_DAYS, RegistrationStatus, TransferStatus
from propass.products.models import LegacyAccount, ProductTransfer, Registration


def legacy_products_count(*, email: str) -> int | None:
    """How many products the old CPS account with this e-mail had; None if there is none."""
    account = (
        LegacyAccount.objects.filter(email__iexact=email.strip()).annotate(products=Count("registrations")).first()
    )
    return account.products if account is not None else None  # type: ignore[attr-defined]


def registration_list(*, business: Business, q: str = "", status: str = "") -> QuerySet[Registration]:
    registrations = Registration.objects.filter(business=business).select_related("product")
    if status:
        registrations = registrations.filter(status=status)
    for word in q.split()[:5]:
        registrations = registrations.filter(
            Q(product__name__icontains=word) | Q(serial_number__icontains=word) | Q(dealer__icontains=word)
        )
    return registrations.order_by("-created_at", "-id")


@dataclass(frozen=True)
class RegistrationTotals:
    products: int
    points: int


def registration_totals(*, business: Business) -> RegistrationTotals:
    totals = Registration.objects.filter(business=business).aggregate(
        products=Count("pk", filter=~Q(status=RegistrationStatus.REJECTED)), points=Sum("points_credited")
    )
    return RegistrationTotals(products=totals["products"] or 0, points=totals["points"] or 0)


def registration_conflicts() -> QuerySet[Registration]:
    """Registrations waiting for staff: the same serial is credited to another business."""
    return (
        Registration.objects.filter(status=RegistrationStatus.UNDER_REVIEW)
        .select_related("product", "business")
        .order_by("created_at")
    )


def registration_conflicts_count() -> int:
    """How many registrations wait for staff because their serial is credited elsewhere."""
    return Registration.objects.filter(status=RegistrationStatus.UNDER_REVIEW).count()


def legacy_accounts(*, email: str = "") -> QuerySet[LegacyAccount]:
    """Old CPS accounts with their number of products: those whose e-mail contains `email`,
    or, without one, those not migrated yet, the latest loaded first."""
    accounts = LegacyAccount.objects.select_related("migrated_to").annotate(products=Count("registrations"))
    if email:
        return accounts.filter(email__contains=email.strip().lower()).order_by("email")
    return accounts.filter(migrated_at__isnull=True).order_by("-created_at", "-pk")


def transfers_incoming(*, business: Business) -> QuerySet[ProductTransfer]:
    """Transfers offered to the business and not answered yet, oldest first (MY PRODUCTS)."""
    return (
        ProductTransfer.objects.filter(to_business=business, status=TransferStatus.OFFERED)
        .select_related("product", "from_business")
        .order_by("created_at", "pk")
    )


def transfers_of(*, business: Business) -> QuerySet[ProductTransfer]:
    """Every transfer the business offered or was offered, newest first."""
    return (
        ProductTransfer.objects.filter(Q(from_business=business) | Q(to_business=business))
        .select_related("product", "from_business", "to_business")
        .order_by("-created_at", "-pk")
    )


def transfer_of(*, business: Business, transfer_id: int) -> ProductTransfer | None:
    """One transfer the business offered or was offered; another's is None."""
    return transfers_of(business=business).filter(pk=transfer_id).first()


def transfer_open_for(*, registration: Registration) -> ProductTransfer | None:
    """The offer waiting for an answer on a registration, if any."""
    return ProductTransfer.objects.filter(registration=registration, status=TransferStatus.OFFERED).first()


def transfers_staff(*, status: str = "", q: str = "") -> QuerySet[ProductTransfer]:
    """Every transfer for staff, newest first, by status and by serial or business name."""
    transfers = ProductTransfer.objects.select_related("product", "from_business", "to_business")
    if status:
        transfers = transfers.filter(status=status)
    for word in q.split()[:5]:
        transfers = transfers.filter(
            Q(serial_number__icontains=word)
            | Q(from_business__name__icontains=word)
            | Q(to_business__name__icontains=word)
            | Q(recipient__icontains=word)
        )
    return transfers.order_by("-created_at", "-pk")


def registrations_nearing_end_of_support(*, today: date) -> QuerySet[Registration]:
    """Credited registrations whose model's end of support falls within the next
    max(AT_RISK_DAYS) days (after today): their points stop counting after that day."""
    return Registration.objects.filter(
        status=RegistrationStatus.COMPLETE,
        product__end_of_support__gt=today,
        product__end_of_support__lte=today + timedelta(days=max(AT_RISK_DAYS)),
    )


@dataclass(frozen=True)
class PointsAtRisk:
    registrations: list[Registration]  # soonest end of support first, with their product
    points: int  # what they count now
    balance_after: int  # the balance once they stop counting


def points_at_risk(*, business: Business, today: date | None = None) -> PointsAtRisk:
    """The business's credited products that reach their end of support within the next
    max(AT_RISK_DAYS) days, the points they count, and the balance once they no longer do
    (MY PRODUCTS' notice)."""
    today = today or timezone.localdate()
    registrations = list(
        registrations_nearing_end_of_support(today=today)
        .filter(business=business)
        .select_related("product")
        .order_by("product__end_of_support", "product__name", "serial_number", "pk")
    )
    points = sum(registration.points_credited for registration in registrations)
    return PointsAtRisk(registrations=registrations, points=points, balance_after=business.points_balance - points)
