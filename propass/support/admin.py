from django.contrib import admin

from propass.support.models import Ticket, TicketMessage


class MessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["created_at", "business", "category", "subject", "status"]
    list_filter = ["category", "status"]
    search_fields = ["subject", "business__name"]
    inlines = [MessageInline]
