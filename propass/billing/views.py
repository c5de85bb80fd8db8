from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from propass.accounts.selectors import business_of
from propass.billing.einvoice import invoice_ubl_render
from propass.billing.pdf import invoice_pdf_render
from propass.billing.selectors import invoices_for


def invoice_pdf_response(invoice_id: int) -> FileResponse:
    invoice = invoice_pdf_render(invoice_id=invoice_id)
    response = FileResponse(invoice.pdf.open("rb"), content_type="application/pdf", filename=f"{invoice.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def invoice_xml_response(invoice_id: int) -> HttpResponse:
    """The invoice's EN 16931 e-invoice (UBL, Peppol BIS Billing 3.0) as a download."""
    filename, content = invoice_ubl_render(invoice_id=invoice_id)
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _own_invoice(request: HttpRequest, pk: int) -> None:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None or not invoices_for(business=business, user=request.user).filter(pk=pk).exists():  # type: ignore[arg-type]
        raise Http404


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF of one of the business's invoices, for users with billing rights."""
    _own_invoice(request, pk)
    return invoice_pdf_response(pk)


@login_required
def invoice_xml(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The e-invoice (XML) of one of the business's invoices, for users with billing rights."""
    _own_invoice(request, pk)
    return invoice_xml_response(pk)
