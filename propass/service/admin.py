from django.contrib import admin

from propass.service.models import (
    Loan,
    LoanPrice,
    LoanUnit,
    ServiceAttachment,
    ServiceCentre,
    ServiceRequest,
    ServiceStep,
)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "city",
        "country",
        "holiday_country",
        "standard_turnaround_days",
        "active",
        "position",
    ]
    list_filter = ["active", "country"]
    search_fields = ["name", "code", "city"]


class StepInline(admin.TabularInline):
    model = ServiceStep
    extra = 0
    fields = ["at", "kind", "actor", "params"]
    readonly_fields = ["at", "kind", "actor", "params"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    list_display = ["reference", "created_at", "business", "kind", "centre", "status", "promised_by"]
    list_filter = ["status", "kind", "centre", "tier"]
    search_fields = ["reference", "business__name", "registration__serial_number"]
    raw_id_fields = ["business", "registration", "created_by", "allowance_entry", "allowance_return"]
    # Moved only by the service's steps, along the request's table; the promise and the quote
    # come from those steps too.
    readonly_fields = [
        "status", "reference", "received_on", "turnaround_days", "promised_by", "quote_amount", "quote_discount",
        "quote_percent", "quote_cap_left", "quote_currency", "allowance_entry", "allowance_return",
    ]  # fmt: skip
    inlines = [StepInline]


@admin.register(ServiceAttachment)
class ServiceAttachmentAdmin(admin.ModelAdmin):
    # Files are served only through the permission-checked service pages, never from here.
    list_display = ["uploaded_at", "original_name", "content_type", "size"]
    fields = ["request", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["request", "original_name", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(LoanPrice)
class LoanPriceAdmin(admin.ModelAdmin):
    """Price data of the loan pool, per model and currency (program admins)."""

    list_display = ["model", "currency", "deposit", "daily_late_fee", "damage_fee"]
    list_filter = ["currency"]
    search_fields = ["model__name", "model__code"]
    raw_id_fields = ["model"]


@admin.register(LoanUnit)
class LoanUnitAdmin(admin.ModelAdmin):
    # Units are added, checked and retired in the back office (/backoffice/loans/pool/).
    list_display = ["model", "serial_number", "centre", "status"]
    list_filter = ["status", "centre"]
    search_fields = ["serial_number", "model__name"]
    readonly_fields = ["model", "serial_number", "centre", "status"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    # Moved only by the loan's steps (service/loans.py): read only here.
    list_display = ["reference", "business", "model", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["reference", "business__name", "unit__serial_number"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
