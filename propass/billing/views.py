from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase

from propass.accounts.selectors import business_of
from propass.billing.pdf import invoice_pdf_render
from propass.billing.selectors import invoices_for


def invoice_pdf_response(invoice_id: int) -> FileResponse:
    invoice = invoice_pdf_render(invoice_id=invoice_id)
    response = FileResponse(invoice.pdf.open("rb"), content_type="application/pdf", filename=f"{invoice.number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF of one of the business's invoices, for users with billing rights."""
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None or not invoices_for(business=business, user=request.user).filter(pk=pk).exists():  # type: ignore[arg-type]
        raise Http404
    return invoice_pdf_response(pk)
