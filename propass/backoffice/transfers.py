"""Back-office pages for product transfers between businesses (support staff, who handle
registrations and serial conflicts): the list, one transfer with its proof, and "Reverse".
Every rule is in `propass.products.transfers`; these views only read forms and show refusals."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_required
from propass.core.errors import DomainError
from propass.core.paging import CappedPaginator
from propass.core.views import upload_response
from propass.points.models import LedgerEntry
from propass.products.enums import TransferStatus
from propass.products.selectors import transfers_staff
from propass.products.transfers import transfer_reverse, transfer_suggest_for_conflict

support = staff_required(group=StaffGroup.SUPPORT)


class TransferFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Serial or business"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *TransferStatus.choices],
    )


@support
def transfers(request: HttpRequest) -> HttpResponse:
    form = TransferFilterForm(request.GET or None)
    q, status = "", ""
    if form.is_valid():
        q, status = form.cleaned_data["q"], form.cleaned_data["status"]
    page = CappedPaginator(transfers_staff(status=status, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "backoffice/transfers.html", {"form": form, "page": page})


@support
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    found = transfers_staff().select_related("created_by", "accepted_by", "reversed_by").filter(pk=pk).first()
    if found is None:
        raise Http404
    entries = (
        LedgerEntry.objects.filter(reference__startswith=f"transfer:{found.pk} ", registration_id=found.registration_id)
        .select_related("business")
        .order_by("created_at", "pk")
        if found.registration_id
        else LedgerEntry.objects.none()
    )
    return render(request, "backoffice/transfer.html", {"transfer": found, "entries": entries})


@require_POST
@support
def transfer_reverse_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        transfer_reverse(transfer_id=pk, agent=request.user, note=request.POST.get("note", ""))  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(
            request, _("The transfer is reversed: the product and its points are back, and both businesses are told.")
        )
    return redirect("backoffice:transfer", pk=pk)


@support
def transfer_proof(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = transfers_staff().filter(pk=pk).exclude(proof="").first()
    if found is None:
        raise Http404
    return upload_response(found.proof, content_type=found.proof_content_type, name=found.proof_name)


@require_POST
@support
def conflict_suggest_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """A serial conflict that is really a resale: the holder is asked to transfer the product."""
    try:
        transfer_suggest_for_conflict(registration_id=pk, agent=request.user)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(
            request,
            _(
                "The business holding the product is asked to transfer it if it sold it. "
                "The conflict stays open until then."
            ),
        )
    return redirect("backoffice:conflicts")
