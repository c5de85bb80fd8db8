from typing import Any

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from propass.accounts.selectors import business_of
from propass.points.models import LedgerEntry
from propass.points.selectors import ledger_for


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    reference = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = ["id", "amount", "reason", "reference", "registration", "note", "created_at"]

    def get_reference(self, entry: LedgerEntry) -> str:
        return entry.reference


class LedgerListView(ListAPIView[LedgerEntry]):
    """The caller's business's points entries, newest first (debits are negative)."""

    serializer_class = LedgerEntrySerializer

    def get_queryset(self) -> Any:
        business = business_of(self.request.user)  # type: ignore[arg-type]
        return ledger_for(business=business) if business else LedgerEntry.objects.none()
