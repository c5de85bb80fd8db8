from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def legal_text(request: HttpRequest, kind: str) -> HttpResponse:
    """The version of a legal text in force now (terms, privacy notice)."""
    if kind not in LegalTextKind.values:
        raise Http404
    text = legal_text_current(kind=LegalTextKind(kind))
    if text is None:
        raise Http404
    return render(request, "core/legal_text.html", {"text": text})
