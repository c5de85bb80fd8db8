import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propass.accounts.models import Business
from propass.accounts.permissions import has_billing_rights
from propass.accounts.selectors import business_of
from propass.catalog.selectors import catalog_search, dealer_names
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.products.enums import RegistrationStatus
from propass.products.forms import RegistrationForm, TransferAcceptForm, TransferOfferForm
from propass.products.migration import migration_available, migration_perform, migration_preview
from propass.products.models import Registration
from propass.products.selectors import (
    points_at_risk,
    registration_list,
    registration_totals,
    transfer_of,
    transfer_open_for,
    transfers_incoming,
)
from propass.products.services import (
    registration_create,
    registration_delete,
    registration_get,
    registration_update,
)
from propass.products.transfers import transfer_accept, transfer_cancel, transfer_decline, transfer_offer


def _business(request: HttpRequest) -> Business:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    return business


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    q, status = request.GET.get("q", "").strip(), request.GET.get("status", "")
    page = Paginator(registration_list(business=business, q=q, status=status), 25).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("q", q), ("status", status)) if v)
    incoming = list(transfers_incoming(business=business))
    return render(
        request,
        "products/list.html",
        {
            "business": business,
            "page": page,
            "q": q,
            "status": status,
            "statuses": RegistrationStatus.choices,
            "totals": registration_totals(business=business),
            "extra_query": query,
            "migration_available": migration_available(business=business),
            "incoming": incoming,
            "can_transfer": bool(incoming) and has_billing_rights(user=request.user, business=business),  # type: ignore[arg-type]
            "at_risk": points_at_risk(business=business),
        },
    )


@login_required
def product_export(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-products.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["model", "code", "serial_number", "purchase_date", "country_of_purchase", "dealer", "status", "points"]
    )
    for registration in registration_list(business=business).iterator(chunk_size=500):
        writer.writerow(
            [
                registration.product.name if registration.product else "",
                registration.product.code if registration.product else "",
                registration.serial_number,
                registration.purchase_date.isoformat() if registration.purchase_date else "",
                str(registration.country_of_purchase or ""),
                registration.dealer,
                registration.status,
                registration.points_credited,
            ]
        )
    return response


def _form_page(
    request: HttpRequest, business: Business, form: RegistrationForm, registration: Registration | None = None
) -> HttpResponse:
    return render(
        request,
        "products/form.html",
        # Dealers are suggested for the business's own country.
        {
            "form": form,
            "registration": registration,
            "dealers": dealer_names(country=str(business.country)),
            "open_transfer": transfer_open_for(registration=registration) if registration is not None else None,
            "can_transfer": has_billing_rights(user=request.user, business=business),  # type: ignore[arg-type]
        },
    )


@login_required
def product_register(request: HttpRequest) -> HttpResponse:
    business = _business(request)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_create(business=business, actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _status_message(registration.status))
            return redirect("products:list")
    return _form_page(request, business, form)


@login_required
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        registration = registration_get(business=business, registration_id=pk)
    except DomainError:
        raise Http404 from None
    initial = {
        "product": registration.product,
        "serial_number": registration.serial_number,
        "purchase_date": registration.purchase_date,
        "country_of_purchase": str(registration.country_of_purchase or ""),
        "dealer": registration.dealer,
    }
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            registration = registration_update(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                registration_id=pk,
                data=form.to_input(),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _status_message(registration.status))
            return redirect("products:detail", pk=pk)
    if not form.is_bound and registration.status == RegistrationStatus.INCOMPLETE:
        form.mark_missing(registration.missing)
    return _form_page(request, business, form, registration)


@require_POST
@login_required
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        registration_delete(business=business, actor=request.user, registration_id=pk)  # type: ignore[arg-type]
    except DomainError:
        raise Http404 from None
    messages.success(request, _("The product was deleted; its points were removed."))
    return redirect("products:list")


@login_required
def catalog_options(request: HttpRequest) -> HttpResponse:
    """htmx: the model list filtered by what the member types. The model already chosen
    (sent along as `product`) stays selected when it is still in the list."""
    products = catalog_search(q=request.GET.get("q", ""))[:100]
    chosen = request.GET.get("product", "")
    return render(
        request,
        "products/_catalog_options.html",
        {"products": products, "chosen": int(chosen) if chosen.isdigit() else None},
    )


def _status_message(status: str) -> str:
    if status == RegistrationStatus.COMPLETE:
        return _("Your product is registered and its points are credited.")
    if status == RegistrationStatus.UNDER_REVIEW:
        return _("This serial number is registered to another business; we review it and let you know.")
    return _("Your product is saved. Add the missing details to earn its points.")


@login_required
def product_migrate(request: HttpRequest) -> HttpResponse:
    """The MIGRATE PRODUCTS preview, and its confirmation."""
    business = _business(request)
    if request.method == "POST":
        try:
            result = migration_perform(business=business, actor=request.user)  # type: ignore[arg-type]
        except DomainError as error:
            messages.info(request, str(error))
        else:
            messages.success(
                request,
                _("%(products)s products migrated: %(complete)s credited, %(incomplete)s missing details, "
                  "%(review)s under review.")
                % {"products": result.products, "complete": result.complete,
                   "incomplete": result.incomplete, "review": result.under_review},
            )  # fmt: skip
        return redirect("products:list")
    return render(request, "products/migrate.html", {"preview": migration_preview(business=business)})


@login_required
def transfer_new(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Transfer to another business": the releasing business names the receiver."""
    business = _business(request)
    try:
        registration = registration_get(business=business, registration_id=pk)
    except DomainError:
        raise Http404 from None
    form = TransferOfferForm(request.POST or None, initial={"recipient": request.GET.get("to", "")})
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_offer(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                registration_id=pk,
                recipient=form.cleaned_data["recipient"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "The transfer is offered. If a business in the program has this e-mail or VAT number, it is "
                    "told and can accept it; the product and its points stay yours until then."
                ),
            )
            return redirect("products:transfer", pk=transfer.pk)
    return render(request, "products/transfer_new.html", {"form": form, "registration": registration})


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A transfer the business offered (its status, cancel) or was offered (accept, decline)."""
    business = _business(request)
    transfer = transfer_of(business=business, transfer_id=pk)
    if transfer is None:
        raise Http404
    incoming = transfer.to_business_id == business.pk
    form = TransferAcceptForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and incoming and form.is_valid():
        try:
            transfer = transfer_accept(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                transfer_id=pk,
                purchase_date=form.cleaned_data["purchase_date"],
                proof=form.cleaned_data.get("proof"),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("The product is registered to your business and its points are credited."))
            return redirect("products:list")
    return render(
        request,
        "products/transfer.html",
        {
            "transfer": transfer,
            "incoming": incoming,
            "form": form,
            "can_transfer": has_billing_rights(user=request.user, business=business),  # type: ignore[arg-type]
        },
    )


@require_POST
@login_required
def transfer_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        transfer_decline(business=business, actor=request.user, transfer_id=pk)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
    else:
        messages.success(request, _("The transfer is declined."))
    return redirect("products:list")


@require_POST
@login_required
def transfer_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    business = _business(request)
    try:
        transfer = transfer_cancel(business=business, actor=request.user, transfer_id=pk)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, error.summary())
        return redirect("products:list")
    messages.success(request, _("The transfer offer is withdrawn."))
    if transfer.registration_id:
        return redirect("products:detail", pk=transfer.registration_id)
    return redirect("products:list")
