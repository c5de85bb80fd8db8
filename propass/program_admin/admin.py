"""The seller entities in the data administration: the program's consistency rules apply
there too, so their registration lives here, above billing."""

from copy import copy
from typing import Any

from django import forms
from django.contrib import admin

from propass.billing.models import SellerEntity
from propass.core.errors import DomainError
from propass.program_admin.services import seller_entity_check


class SellerEntityForm(forms.ModelForm):
    class Meta:
        model = SellerEntity
        fields = [
            "code", "name", "address", "street", "postal_code", "city", "country", "registration_number", "legal_info",
            "contact_email", "contact_phone", "peppol_id", "currency", "vat_number", "vat_rate", "invoice_series",
            "credit_note_series", "payment_terms_days", "iban", "bic", "buyer_countries",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        """The program's consistency rules apply here too (one rule, in the program services)."""
        cleaned = super().clean() or {}
        if not self.errors:
            proposed = copy(self.instance)
            for name, value in cleaned.items():
                setattr(proposed, name, value)
            try:
                seller_entity_check(seller=proposed)
            except DomainError as error:
                raise forms.ValidationError(error.summary()) from None
        return cleaned


@admin.register(SellerEntity)
class SellerEntityAdmin(admin.ModelAdmin):
    form = SellerEntityForm
    list_display = ["name", "code", "country", "currency", "vat_rate"]
