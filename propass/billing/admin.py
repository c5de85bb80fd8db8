from django.contrib import admin

from propass.billing.models import SellerEntity, VatRate


@admin.register(SellerEntity)
class SellerEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country", "currency", "vat_rate"]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate"]
