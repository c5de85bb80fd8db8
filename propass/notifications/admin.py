from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from propass.notifications.models import Notification, OutboxMessage

# The stored bodies hold single-use links (they are what is sent): the data administration
# shows the staff copy instead, like the outbox pages.
_SECRET_FIELDS = {"body_text", "body_html", "masked_text", "masked_html", "secret_ref"}
_SHOWN_FIELDS: list[str] = [f.name for f in OutboxMessage._meta.fields if f.name not in _SECRET_FIELDS | {"id"}]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts"]
    list_filter = ["status", "template"]
    search_fields = ["to", "subject"]
    fields = [*_SHOWN_FIELDS, "text"]
    readonly_fields = [*_SHOWN_FIELDS, "text"]

    @admin.display(description=_("text"))
    def text(self, message: OutboxMessage) -> str:
        return format_html("<pre>{}</pre>", message.staff_text)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    raw_id_fields = ["user"]
