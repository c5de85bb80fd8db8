"""The shipping slip: a printable PDF with the reference, where to send the product and what to
pack, in the reader's language (WeasyPrint, tagged PDF/UA-1 like the invoices)."""

from django.template.loader import render_to_string

from propass.service.models import ServiceRequest


def shipping_slip_pdf(*, request: ServiceRequest, language: str) -> bytes:
    """The slip of `request` in `language`, made when asked for (it changes with the request's
    return address and centre, so it is not stored)."""
    from weasyprint import HTML  # noqa: PLC0415 — heavy import (about a second), only where PDFs are made

    html = render_to_string("service/slip_pdf.html", {"request": request, "language": language})
    return bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
