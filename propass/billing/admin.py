from django.contrib import admin

from propass.billing.models import VatRate


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate"]
