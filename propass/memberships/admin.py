from django.contrib import admin

from propass.memberships.models import Tier, TierPrice


class TierPriceInline(admin.TabularInline):
    model = TierPrice
    extra = 0


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "family", "min_points", "position", "active"]
    list_filter = ["family", "active"]
    inlines = [TierPriceInline]
