from django.contrib import admin

from propass.core.models import AuditLog, LegalText, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "sender_email", "operator_country", "validation_sla_days"]


@admin.register(LegalText)
class LegalTextAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "title", "published_at"]
    list_filter = ["kind"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_repr", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_repr", "target_repr", "target_id"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
