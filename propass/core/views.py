from django.core.files import File
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current
from propass.core.uploads import content_disposition

# An uploaded file opened by itself is a sandboxed document without scripts, forms, plugins
# or network access, even if a browser were talked into rendering it.
UPLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def upload_response(file: File, *, content_type: str, name: str) -> FileResponse:
    """Serve an uploaded file (application document, ticket attachment) as a download under
    its RFC 6266 name: never inline in our origin, never cached, never sniffed, sandboxed.
    Images still show in an <img> preview, which ignores the disposition."""
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


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
