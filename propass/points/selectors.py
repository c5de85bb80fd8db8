from django.db.models import QuerySet

from propass.accounts.models import Business
from propass.points.models import LedgerEntry


def ledger_for(*, business: Business) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(business=business).order_by("-created_at", "-id")
