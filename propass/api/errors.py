"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}.

DRF's exceptions come through `exception_handler`; what happens outside a DRF view under /api/
(an unknown path, an unexpected exception, the login lock-out of django-axes) through the
handlers below, which leave every other page to Django's HTML answers.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from propass.core.errors import DomainError


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, str(exc), exc.fields), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        body = error_body("invalid", _("Some of the information is not valid."), fields)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        body = error_body(code, str(exc.detail))
    else:
        body = error_body("error", str(exc))
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
        body["error"]["code"] = "throttled"
    response.data = body
    return response


API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json_error(code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error("bad_request", _("Some of the information is not valid."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error("permission_denied", _("You are not allowed to do this."), 403)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json_error("not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json_error("server_error", _("The request could not be completed."), 500)
    return defaults.server_error(request)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): the API's JSON error
    under /api/, the "too many attempts" page elsewhere."""
    message = _("Too many failed attempts. Please wait a few minutes and try again.")
    status_code = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if _is_api(request):
        return _json_error("locked_out", message, status_code)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status_code)
