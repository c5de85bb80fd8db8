"""Old statuses to the new ones; default answer times per tier; the first canned replies."""

from django.db import migrations
from django.db.models import Min

from propass.support.defaults import CANNED_REPLIES as CANNED

# Hours to answer per tier code (PRODUCT.md §10); None is "no membership". Tiers created
# after this migration get their row the first time one of their tickets is opened.
SLA_HOURS = {
    None: 72,
    "platinum": 4,
    "gold": 8,
    "silver": 24,
    "corporate_c": 4,
    "corporate_b": 8,
    "corporate_a": 8,
}



def forward(apps, schema_editor):
    Ticket = apps.get_model("support", "Ticket")
    Tier = apps.get_model("memberships", "Tier")
    SupportSla = apps.get_model("support", "SupportSla")
    CannedReply = apps.get_model("support", "CannedReply")

    Ticket.objects.filter(status="answered").update(status="waiting_member")
    for ticket in Ticket.objects.filter(last_message_at__isnull=True).annotate(first=Min("messages__created_at")):
        ticket.last_message_at = ticket.first or ticket.created_at
        ticket.save(update_fields=["last_message_at"])

    tiers = {tier.code: tier for tier in Tier.objects.filter(code__in=[c for c in SLA_HOURS if c])}
    for code, hours in SLA_HOURS.items():
        if code is not None and code not in tiers:
            continue
        SupportSla.objects.get_or_create(tier=tiers.get(code) if code else None, defaults={"response_hours": hours})

    if not CannedReply.objects.exists():
        CannedReply.objects.bulk_create(
            CannedReply(language=language, title=title, body=body) for language, title, body in CANNED
        )


def backward(apps, schema_editor):
    Ticket = apps.get_model("support", "Ticket")
    Ticket.objects.filter(status="waiting_member").update(status="answered")
    Ticket.objects.filter(status="waiting_staff").update(status="open")


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_priority_sla_attachments"),
    ]

    operations = [migrations.RunPython(forward, backward)]
