from csp.decorators import csp_exempt
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.core.ratelimit import client_address, rate_limit_hit
from propass.core.selectors import program_current
from propass.core.views import upload_response
from propass.onboarding.enums import NON_VAT_DOCUMENTS, VAT_DOCUMENTS, ApplicationStatus
from propass.onboarding.forms import AdditionalDocumentForm, ApplicationForm
from propass.onboarding.models import Application, ApplicationDocument
from propass.onboarding.selectors import document_for_business
from propass.onboarding.services import ApplicationInput, application_add_document, application_submit

# Applications per address and hour: enough for a shared office, not for a flood.
APPLY_LIMIT_PER_HOUR = 20


def apply(request: HttpRequest) -> HttpResponse:
    program = program_current()
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        participating=program.participating_countries,
        initial={"language": request.LANGUAGE_CODE, "vat_registered": "true"},
    )
    if request.method == "POST" and rate_limit_hit(
        key=f"apply-ip:{client_address(request)}", limit=APPLY_LIMIT_PER_HOUR, seconds=3600
    ):
        form.is_valid()  # add_error needs a cleaned form (an empty POST too)
        form.add_error(None, _("Too many applications from your network. Please try again in an hour."))
    elif request.method == "POST" and form.is_valid():
        files = request.FILES.getlist("document")
        data = {k: v for k, v in form.cleaned_data.items() if k != "document"}
        try:
            application = application_submit(
                data=ApplicationInput(**data, extra_documents=files[1:]), document=files[0] if files else None
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you: your application is submitted."))
            return redirect("onboarding:status", token=application.token)
    return render(
        request,
        "onboarding/apply.html",
        {"form": form, "program": program, "vat_documents": VAT_DOCUMENTS, "non_vat_documents": NON_VAT_DOCUMENTS},
    )


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    application = Application.objects.filter(token=token).first()
    if application is None:
        raise Http404
    form = AdditionalDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_add_document(
                token=token, document_type=form.cleaned_data["document_type"], document=form.cleaned_data["document"]
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Thank you: we received your document and continue the validation."))
            return redirect("onboarding:status", token=token)
    return render(
        request,
        "onboarding/status.html",
        {"application": application, "form": form, "program": program_current(), "statuses": ApplicationStatus},
    )


def document_response(document: ApplicationDocument) -> FileResponse:
    """An application document, as a sandboxed download (see core's upload_response)."""
    return upload_response(document.file, content_type=document.content_type, name=document.original_name)


@csp_exempt()  # type: ignore[arg-type]
@login_required
def business_document(request: HttpRequest, pk: int) -> HttpResponseBase:
    document = document_for_business(document_id=pk, user=request.user)  # type: ignore[arg-type]
    if document is None:
        raise Http404
    return document_response(document)
