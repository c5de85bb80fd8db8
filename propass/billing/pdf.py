"""Invoice PDFs: an HTML template in the business's language, printed by WeasyPrint as a tagged
PDF/A-3 (accessible, archivable), with the invoice's EN 16931 XML (CII) embedded by the factur-x
library: a Factur-X / ZUGFeRD document, EN 16931 profile, that serves people and machines."""

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from facturx import generate_from_binary

from propass.billing.einvoice import invoice_cii
from propass.billing.models import Invoice


def invoice_pdf_render(*, invoice_id: int) -> Invoice:
    """Render and store the PDF of an issued invoice, once (an issued invoice never changes)."""
    from weasyprint import HTML  # noqa: PLC0415 — heavy import (about a second), only where PDFs are made

    invoice = (
        Invoice.objects.select_related("seller", "credited_invoice", "subscription")
        .prefetch_related("lines")
        .get(pk=invoice_id)
    )
    if invoice.pdf:
        return invoice
    with translation.override(invoice.language):
        html = render_to_string("billing/invoice_pdf.html", {"invoice": invoice})
    # PDF/A-3a: tagged (headings, tables and paragraphs in reading order for screen readers, with
    # the document's language and title), fonts embedded, and attachments allowed (PDF/A-3).
    printed = HTML(string=html).write_pdf(pdf_variant="pdf/a-3a", pdf_tags=True)
    content = generate_from_binary(
        printed,
        invoice_cii(invoice=invoice),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,  # the library's own schema check: a file it would refuse is never stored
        check_schematron=False,  # the rules are checked in the tests (the library would call a server)
        lang=invoice.language,
        # The title readers show is the document's own (its number), as WeasyPrint wrote it.
        pdf_metadata={
            "author": invoice.seller_snapshot.get("name", ""),
            "keywords": "Factur-X, EN 16931",
            "title": invoice.number,
            "subject": invoice.number,
        },
    )
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
    Invoice.objects.filter(pk=invoice.pk, pdf="").update(pdf=invoice.pdf.name)
    return invoice
