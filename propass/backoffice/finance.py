"""Back-office pages for finance: invoices with aging and export, one invoice, payments."""

import csv
import hashlib
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.billing.credit_notes import credit_note_issue
from propass.billing.finance import credit_note_mark_refunded, invoice_mark_paid_manually
from propass.billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment, SellerEntity
from propass.billing.selectors import (
    InvoiceFilters,
    invoice_aging,
    invoice_for_finance,
    invoice_is_open,
    invoice_search,
    invoice_totals,
    payment_search,
)
from propass.billing.views import invoice_pdf_response, invoice_xml_response
from propass.core.errors import DomainError
from propass.core.figures import figures_cached
from propass.core.forms import DatePicker, form_add_domain_error
from propass.core.paging import CappedPaginator
from propass.memberships.enums import PaymentMethod

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

finance = staff_required(group=StaffGroup.FINANCE)

PAGE_SIZE = 50
_ANY = [("", gettext_lazy("All"))]


class _FilterForm(forms.Form):
    """A GET filter form: a value it cannot read is ignored rather than refused."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data.get(name, None if isinstance(field, forms.DateField) else "")
            for name, field in self.fields.items()
        }


def _date_field(label: "str | _StrPromise") -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DatePicker())


class InvoiceFilterForm(_FilterForm):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False, choices=_ANY + InvoiceKind.choices)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=_ANY + InvoiceStatus.choices)
    payment_method = forms.ChoiceField(
        label=gettext_lazy("Payment method"), required=False, choices=_ANY + PaymentMethod.choices
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)
    seller = forms.ChoiceField(label=gettext_lazy("Seller"), required=False)
    issued_from = _date_field(gettext_lazy("Issued from"))
    issued_to = _date_field(gettext_lazy("Issued to"))
    q = forms.CharField(
        label=gettext_lazy("Number, business or reference"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, *args: Any, sellers: Iterable[SellerEntity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sellers = list(sellers)
        self.fields["seller"].choices = _ANY + [(s.code, s.name) for s in sellers]  # type: ignore[attr-defined]
        currencies = sorted({s.currency for s in sellers})
        self.fields["currency"].choices = _ANY + [(c, c) for c in currencies]  # type: ignore[attr-defined]


class PaymentFilterForm(_FilterForm):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=_ANY + Payment.Status.choices)
    method = forms.ChoiceField(label=gettext_lazy("Method"), required=False, choices=_ANY + Payment.Method.choices)
    created_from = _date_field(gettext_lazy("From"))
    created_to = _date_field(gettext_lazy("To"))
    q = forms.CharField(
        label=gettext_lazy("Invoice number or business"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class CreditForm(forms.Form):
    net = forms.DecimalField(
        label=gettext_lazy("Net amount to credit"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("Leave empty to credit the whole invoice."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefundedForm(forms.Form):
    refunded_on = forms.DateField(label=gettext_lazy("Paid back on"), widget=DatePicker())
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class MarkPaidForm(forms.Form):
    # Both rules (note required, no future date) live in the service; the form only parses.
    paid_on = forms.DateField(label=gettext_lazy("Date received"), widget=DatePicker())
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "aria-required": "true"}),
        help_text=gettext_lazy("How the payment was received, for example the bank and its reference."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].conditional = True  # type: ignore[attr-defined]  # required, by the service


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    query.pop("fresh", None)
    return query.urlencode()


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


@finance
def invoices(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET, sellers=SellerEntity.objects.order_by("name"))
    found = invoice_search(filters=InvoiceFilters(**form.values()), today=today)
    if _wants_csv(request):
        return _csv_response(f"invoices-{today.isoformat()}.csv", INVOICE_COLUMNS, _invoice_rows(found))
    page = CappedPaginator(found.select_related("business"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    # The aging and the totals sum every invoice that matches: a few minutes old at most.
    filters = hashlib.sha256(repr(sorted(form.values().items())).encode()).hexdigest()[:32]
    figures = figures_cached(
        f"finance-invoices:{get_language()}:{today.isoformat()}:{filters}",
        lambda: {"aging": invoice_aging(today=today), "totals": invoice_totals(invoices=found)},
        fresh=request.GET.get("fresh") == "1",
    )
    return render(
        request,
        "backoffice/finance_invoices.html",
        {
            "form": form,
            "page": page,
            "aging": figures.value["aging"],
            "totals": figures.value["totals"],
            "figures": figures,
            "query": query,
            "extra_query": query,
            "today": today,
        },
    )


@finance
def invoice(request: HttpRequest, pk: int) -> HttpResponse:
    """One invoice or credit note: mark paid by hand, issue a credit note, record a refund."""
    action = request.POST.get("action", "mark_paid") if request.method == "POST" else ""
    today = {"paid_on": timezone.localdate(), "refunded_on": timezone.localdate()}
    form = MarkPaidForm(request.POST if action == "mark_paid" else None, initial=today)
    credit_form = CreditForm(request.POST if action == "credit" else None)
    refunded_form = RefundedForm(request.POST if action == "refunded" else None, initial=today)
    bound = {"mark_paid": form, "credit": credit_form, "refunded": refunded_form}.get(action)
    if bound is not None and bound.is_valid():
        try:
            if action == "mark_paid":
                invoice_mark_paid_manually(invoice_id=pk, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
                done = _("The invoice is marked paid.")
            elif action == "credit":
                credit = credit_note_issue(
                    invoice_id=pk,
                    actor=request.user,
                    reason=credit_form.cleaned_data["reason"],
                    net=credit_form.cleaned_data["net"],
                )
                done = _("Credit note %(number)s is issued.") % {"number": credit.number}
            else:
                credit_note_mark_refunded(credit_note_id=pk, actor=request.user, **refunded_form.cleaned_data)  # type: ignore[arg-type]
                done = _("The refund is recorded.")
        except DomainError as error:
            form_add_domain_error(bound, error)
        else:
            messages.success(request, done)
            return redirect("backoffice:invoice", pk=pk)
    found = invoice_for_finance(invoice_id=pk)
    return render(
        request,
        "backoffice/finance_invoice.html",
        {
            "invoice": found, "form": form, "credit_form": credit_form, "refunded_form": refunded_form,
            "open": invoice_is_open(found),
            "creditable": found.kind == "invoice" and found.status != "void",
            "refund_owed": found.kind == "credit_note" and found.status == "issued"
            and not any(payment.status == "pending" for payment in found.payments.all()),
        },
    )  # fmt: skip


@finance
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Finance opens the PDF of any invoice or credit note."""
    get_object_or_404(Invoice.objects.only("pk"), pk=pk)
    return invoice_pdf_response(pk)


@finance
def invoice_xml(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Finance downloads the e-invoice (UBL) of any invoice or credit note."""
    get_object_or_404(Invoice.objects.only("pk"), pk=pk)
    return invoice_xml_response(pk)


@finance
def payments(request: HttpRequest) -> HttpResponseBase:
    form = PaymentFilterForm(request.GET)
    found = payment_search(**form.values())
    if _wants_csv(request):
        name = f"payments-{timezone.localdate().isoformat()}.csv"
        return _csv_response(name, PAYMENT_COLUMNS, _payment_rows(found))
    page = CappedPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/finance_payments.html",
        {"form": form, "page": page, "extra_query": _query_without_page(request)},
    )


# --- CSV exports for accounting: codes rather than labels, ISO dates, plain decimal amounts ----

INVOICE_COLUMNS = [
    "number", "kind", "credited_invoice", "issue_date", "due_date", "business", "buyer_vat_number", "buyer_country",
    "seller", "currency", "net", "vat", "total", "vat_treatment", "status", "paid_date", "payment_method", "reference",
]  # fmt: skip

PAYMENT_COLUMNS = [
    "created_at", "finished_at", "invoice", "business", "method", "attempt", "currency", "amount", "status",
    "gateway_reference", "error", "recorded_by", "note", "idempotency_key",
]  # fmt: skip


def _text(value: str) -> str:
    """Text a spreadsheet must not read as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).date().isoformat()
    return value.isoformat()


def _amount(value: Decimal) -> str:
    return f"{value:f}"


def _invoice_rows(found: Any) -> Iterator[list[str]]:
    for row in found.select_related("business", "seller", "credited_invoice").iterator(chunk_size=2000):
        buyer = row.buyer_snapshot or {}
        yield [
            row.number, row.kind, row.credited_invoice.number if row.credited_invoice else "",
            _day(row.issue_date), _day(row.due_date), _text(buyer.get("name") or row.business.name),
            _text(buyer.get("vat_number", "")), buyer.get("country", ""), _text(row.seller.name), row.currency,
            _amount(row.net), _amount(row.vat), _amount(row.total), row.vat_treatment, row.state,
            _day(row.paid_at), row.payment_method, _text(row.reference),
        ]  # fmt: skip


def _payment_rows(found: Any) -> Iterator[list[str]]:
    for row in found.iterator(chunk_size=2000):
        yield [
            timezone.localtime(row.created_at).isoformat(timespec="seconds"),
            timezone.localtime(row.finished_at).isoformat(timespec="seconds") if row.finished_at else "",
            row.invoice.number, _text(row.invoice.business.name), row.method, str(row.attempt), row.currency,
            _amount(row.amount), row.status, _text(row.gateway_reference), _text(row.error),
            row.recorded_by.email if row.recorded_by else "", _text(row.note), row.idempotency_key,
        ]  # fmt: skip


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, header: list[str], rows: Iterator[list[str]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
