from django.contrib import admin

from propass.products.models import LegacyAccount, LegacyRegistration


class LegacyRegistrationInline(admin.TabularInline):
    model = LegacyRegistration
    extra = 0


@admin.register(LegacyAccount)
class LegacyAccountAdmin(admin.ModelAdmin):
    list_display = ["email", "account_name", "country", "membership_number", "level"]
    search_fields = ["email", "account_name"]
    inlines = [LegacyRegistrationInline]
