from django.contrib import admin

from propass.support.models import CannedReply, SupportSla, Ticket, TicketAttachment, TicketMessage


class MessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    fields = ["created_at", "author", "from_staff", "internal", "body"]
    readonly_fields = ["created_at", "author", "from_staff", "internal", "body"]
    can_delete = False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["created_at", "business", "category", "subject", "status", "priority", "due_at", "assigned_to"]
    list_filter = ["category", "status", "tier"]
    search_fields = ["subject", "business__name"]
    raw_id_fields = ["business", "created_by", "assigned_to"]
    readonly_fields = ["status"]  # moved only by the support services, along the ticket's table
    inlines = [MessageInline]


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(admin.ModelAdmin):
    # Files are served only through the permission-checked support pages, never from here.
    list_display = ["uploaded_at", "original_name", "content_type", "size"]
    fields = ["message", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["message", "original_name", "content_type", "size", "uploaded_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(SupportSla)
class SupportSlaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tier", "response_hours"]
    list_editable = ["response_hours"]
    list_display_links = ["__str__"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "active"]
    list_filter = ["language", "active"]
    search_fields = ["title", "body"]
