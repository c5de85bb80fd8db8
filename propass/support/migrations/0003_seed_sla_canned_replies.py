"""Old statuses to the new ones; default answer times per tier; the first canned replies."""

from django.db import migrations
from django.db.models import Min

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

CANNED = [
    ("en", "We are on it",
     "Thank you for contacting CPS Priority Support. We are looking into your request and will get back to you "
     "as soon as possible."),
    ("en", "More details needed",
     "Thank you for your message. To help you we need a little more information: please reply with the product's "
     "serial number and, if you have it, a copy of the purchase invoice (PDF, JPEG or PNG)."),
    ("en", "Old CPS account linked",
     "We have linked your old CPS account to your business. Open My products and press Migrate products to bring "
     "your registered products over."),
    ("it", "Ce ne stiamo occupando",
     "Grazie per aver contattato CPS Priority Support. Stiamo esaminando la tua richiesta e ti risponderemo il "
     "prima possibile."),
    ("it", "Servono più dettagli",
     "Grazie per il messaggio. Per aiutarti ci servono alcune informazioni in più: rispondi indicando il numero di "
     "serie del prodotto e, se ce l'hai, una copia della fattura d'acquisto (PDF, JPEG o PNG)."),
    ("it", "Vecchio account CPS collegato",
     "Abbiamo collegato il tuo vecchio account CPS alla tua azienda. Apri I miei prodotti e premi Esegui la "
     "migrazione dei prodotti per trasferire i prodotti registrati."),
    ("es", "Nos ocupamos de ello",
     "Gracias por ponerte en contacto con CPS Priority Support. Estamos revisando tu solicitud y te responderemos "
     "lo antes posible."),
    ("es", "Necesitamos más datos",
     "Gracias por tu mensaje. Para ayudarte necesitamos un poco más de información: responde con el número de serie "
     "del producto y, si la tienes, una copia de la factura de compra (PDF, JPEG o PNG)."),
    ("es", "Cuenta antigua de CPS vinculada",
     "Hemos vinculado tu antigua cuenta de CPS a tu empresa. Abre Mis productos y pulsa Migrar productos para "
     "traer los productos registrados."),
    ("de", "Wir kümmern uns darum",
     "Vielen Dank, dass Sie sich an CPS Priority Support gewandt haben. Wir prüfen Ihre Anfrage und melden uns so "
     "schnell wie möglich."),
    ("de", "Weitere Angaben nötig",
     "Vielen Dank für Ihre Nachricht. Um Ihnen zu helfen, brauchen wir noch ein paar Angaben: Bitte antworten Sie "
     "mit der Seriennummer des Produkts und, falls vorhanden, einer Kopie der Kaufrechnung (PDF, JPEG oder PNG)."),
    ("de", "Altes CPS-Konto verknüpft",
     "Wir haben Ihr altes CPS-Konto mit Ihrem Unternehmen verknüpft. Öffnen Sie Meine Produkte und klicken Sie auf "
     "Produkte migrieren, um Ihre registrierten Produkte zu übernehmen."),
]  # fmt: skip


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
