from dataclasses import dataclass
from typing import Any, cast

from django.db.models import F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from propass.accounts.models import Business
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry


def ledger_for(*, business: Business) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(business=business).order_by("-created_at", "-id")


@dataclass(frozen=True)
class CreditMismatch:
    """A registration whose ledger entries do not net to one credit of what it says it earned."""

    registration_id: int
    business_id: int
    credited: int  # what the registration says it earned (0 when it earns nothing)
    value: int  # the points value of its model
    ledger: int  # what its ledger entries add up to


def _registrations() -> QuerySet[Any]:
    # The model the ledger's registration points at, reached through the ledger's own foreign
    # key: the points app checks its entries without importing the app above it.
    model = cast(Any, LedgerEntry._meta.get_field("registration").related_model)
    return cast(QuerySet[Any], model.objects.all())


def points_verify_registrations() -> list[CreditMismatch]:
    """Registrations not credited exactly once: a credited one must net exactly one credit of
    its points value in the ledger, one that earns nothing must net zero."""
    rows = (
        _registrations()
        .annotate(ledger=Coalesce(Sum("ledger_entries__amount"), Value(0)))
        .filter(~Q(ledger=F("points_credited")) | (~Q(points_credited=0) & ~Q(points_credited=F("points_value"))))
        .order_by("pk")
        .values_list("pk", "business_id", "points_credited", "points_value", "ledger")
    )
    return [CreditMismatch(*row) for row in rows]


def points_verify_credits() -> list[tuple[Business, int, int]]:
    """Businesses whose ledger, staff adjustments aside, differs from the points their
    registrations say they earned — also after a registration was deleted, when its entries
    no longer name it: (business, credited by registrations, ledger without adjustments)."""
    credited = dict(
        _registrations().values("business").annotate(total=Sum("points_credited")).values_list("business", "total")
    )
    ledger = dict(
        LedgerEntry.objects.exclude(reason=LedgerReason.ADJUSTMENT)
        .values("business")
        .annotate(total=Sum("amount"))
        .values_list("business", "total")
    )
    differ = {pk for pk in credited.keys() | ledger.keys() if (credited.get(pk) or 0) != (ledger.get(pk) or 0)}
    return [
        (business, credited.get(business.pk) or 0, ledger.get(business.pk) or 0)
        for business in Business.objects.filter(pk__in=differ).only("pk", "name").order_by("pk")
    ]
