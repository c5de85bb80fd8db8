"""Invoice PDFs: an HTML template in the business's language, printed by WeasyPrint."""

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation

from propass.billing.models import Invoice


def invoice_pdf_render(*, invoice_id: int) -> Invoice:
    """Render and store the PDF of an issued invoice, once (an issued invoice never changes)."""
    from weasyprint import HTML  # noqa: PLC0415 — heavy import (about a second), only where PDFs are made

    invoice = Invoice.objects.select_related("seller").prefetch_related("lines").get(pk=invoice_id)
    if invoice.pdf:
        return invoice
    with translation.override(invoice.language):
        html = render_to_string("billing/invoice_pdf.html", {"invoice": invoice})
    # PDF/UA-1: tagged (headings, tables and paragraphs in reading order for screen readers),
    # with the document's language and title; fonts embedded.
    content = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
    Invoice.objects.filter(pk=invoice.pk, pdf="").update(pdf=invoice.pdf.name)
    return invoice
