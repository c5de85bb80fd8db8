from django.contrib import admin

from propass.core.models import AuditLog, LegalText, Program


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "sender_email", "operator_country", "validation_sla_days"]


@admin.register(LegalText)
class LegalTextAdmin(admin.ModelAdmin):
    """A published version is what members accepted: it is never edited or deleted; a change
    is a new version (the back office's program pages publish one)."""

    list_display = ["kind", "version", "language", "title", "published_at"]
    list_filter = ["kind", "language"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


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
