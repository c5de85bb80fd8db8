from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.views import APIView

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_in
from propass.accounts.rest import caller_business
from propass.billing.models import Invoice
from propass.billing.selectors import invoices_for
from propass.billing.views import invoice_pdf_response, invoice_xml_response
from propass.core.errors import NotFound
from propass.core.rest import PDF_RENDERERS, XML_RENDERERS


class InvoiceSerializer(serializers.ModelSerializer[Invoice]):
    class Meta:
        model = Invoice
        fields = [
            "id", "number", "kind", "status", "issue_date", "due_date", "currency", "net", "vat", "total",
            "vat_rate", "vat_treatment", "vat_note", "po_number", "reference", "payment_method",
        ]  # fmt: skip


def _invoices(request: Any) -> Any:
    return invoices_for(business=caller_business(request), user=request.user)


class InvoiceListView(ListAPIView[Invoice]):
    """The business's invoices (billing rights needed)."""

    serializer_class = InvoiceSerializer

    def get_queryset(self) -> Any:
        return _invoices(self.request)


class InvoiceDetailView(RetrieveAPIView[Invoice]):
    """One invoice of the business; another business's is not found."""

    serializer_class = InvoiceSerializer

    def get_queryset(self) -> Any:
        return _invoices(self.request)


class InvoicePdfView(APIView):
    """The invoice as PDF (billing rights needed)."""

    renderer_classes = PDF_RENDERERS

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        if not _invoices(request).filter(pk=pk).exists():
            raise NotFound()
        return invoice_pdf_response(pk)


class InvoiceXmlView(APIView):
    """The invoice as an EN 16931 e-invoice: UBL 2.1 following Peppol BIS Billing 3.0 (billing
    rights needed). A credit note is a UBL CreditNote (type 381)."""

    renderer_classes = XML_RENDERERS

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        # Finance (and the read-only auditor) reads any invoice's; a member its business's.
        finance = staff_in(request.user, None, groups=(StaffGroup.FINANCE, StaffGroup.AUDITOR))  # type: ignore[arg-type]
        invoices = Invoice.objects.all() if finance else _invoices(request)
        if not invoices.filter(pk=pk).exists():
            raise NotFound()
        return invoice_xml_response(pk)
