from django.contrib import admin

from propass.onboarding.models import Application, ApplicationDocument


class DocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    fields = ["document_type", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["document_type", "original_name", "content_type", "size", "uploaded_at"]
    can_delete = False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only here: decisions go through the back-office queue, which audits them."""

    list_display = ["company_name", "email", "country", "status", "sla_deadline"]
    list_filter = ["status", "country"]
    search_fields = ["company_name", "email", "vat_number"]
    inlines = [DocumentInline]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
