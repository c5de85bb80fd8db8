"""Back-office pages for bank transfers: upload a camt.053 statement, settle what it left open."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.billing.bank import (
    UPLOAD_MAX_BYTES,
    bank_line_confirm,
    bank_line_ignore,
    bank_lines_needing_attention,
    bank_statement_import,
    bank_statements_recent,
    invoice_id_by_number,
    invoices_by_reference,
)
from propass.billing.models import BankStatement
from propass.core.errors import DomainError, InvalidInput
from propass.core.paging import CappedPaginator

finance = staff_required(group=StaffGroup.FINANCE)


@finance
def bank(request: HttpRequest) -> HttpResponse:
    """The upload form, the imported statements and the lines that need a person."""
    if request.method == "POST":
        return _upload(request)
    page = CappedPaginator(bank_lines_needing_attention(), 50).get_page(request.GET.get("page"))
    lines = list(page.object_list)
    by_reference = invoices_by_reference(lines=lines)
    rows = [(line, by_reference.get(line.reference)) for line in lines]
    return render(
        request,
        "backoffice/bank.html",
        {"page": page, "rows": rows, "statements": bank_statements_recent(), "max_mb": UPLOAD_MAX_BYTES // 2**20},
    )


def _upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a camt.053 XML file."))
    elif upload.size is not None and upload.size > UPLOAD_MAX_BYTES:
        messages.error(request, _("The file is larger than %(size)s MB.") % {"size": UPLOAD_MAX_BYTES // 2**20})
    else:
        try:
            result = bank_statement_import(data=upload.read(), file_name=upload.name or "", actor=request.user)
        except DomainError as error:
            messages.error(request, error.summary())
        else:
            if result.already_imported:
                messages.info(request, _("This statement was imported before; nothing was changed."))
            else:
                messages.success(
                    request,
                    _("Statement imported: %(matched)s matched, %(suggested)s suggested, %(unmatched)s unmatched.")
                    % {"matched": result.matched, "suggested": result.suggested, "unmatched": result.unmatched},
                )
    return redirect("backoffice:bank")


@finance
def bank_statement(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(BankStatement.objects.select_related("imported_by"), pk=pk)
    lines = statement.lines.select_related("invoice", "suggested_invoice", "resolved_by").order_by("position")
    page = CappedPaginator(lines, 100).get_page(request.GET.get("page"))
    return render(request, "backoffice/bank_statement.html", {"statement": statement, "page": page})


@require_POST
@finance
def bank_line_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm the suggested invoice (`invoice_id`), or assign the line by invoice number."""
    number = request.POST.get("invoice_number", "").strip()
    try:
        invoice_id = invoice_id_by_number(number=number) if number else int(request.POST.get("invoice_id") or 0)
        if not invoice_id:
            raise InvalidInput(_("Enter the number of the invoice this transfer pays."))
        line = bank_line_confirm(line_id=pk, invoice_id=invoice_id, actor=request.user)
    except (DomainError, ValueError) as error:
        messages.error(request, error.summary() if isinstance(error, DomainError) else _("Choose an invoice."))
    else:
        messages.success(
            request,
            _("The transfer of %(amount)s %(currency)s is recorded as the payment of invoice %(number)s.")
            % {"amount": line.amount, "currency": line.currency, "number": line.invoice},
        )
    return redirect("backoffice:bank")


@require_POST
@finance
def bank_line_ignore_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        bank_line_ignore(line_id=pk, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("The line is ignored."))
    return redirect("backoffice:bank")
