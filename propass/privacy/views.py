"""The member's side of privacy: a business's own data, as a ZIP."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from propass.accounts.selectors import business_of
from propass.core.errors import DomainError, Forbidden
from propass.privacy.personal_data import business_data_export


@require_POST
@login_required
def data_export(request: HttpRequest) -> HttpResponseBase:
    """The business's personal data as a ZIP, for its superuser and administrators."""
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    try:
        export = business_data_export(business=business, actor=request.user)  # type: ignore[arg-type]
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("accounts:account")
    response = FileResponse(export.file, as_attachment=True, filename=export.filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
