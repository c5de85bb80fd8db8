from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from propass.accounts.selectors import business_of
from propass.accounts.services import user_set_language
from propass.core.models import LegalTextKind
from propass.core.selectors import legal_text_current
from propass.points.selectors import points_progress


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member dashboard; staff land in the back office."""
    if request.user.is_staff and business_of(request.user) is None:  # type: ignore[arg-type]
        return redirect("backoffice:dashboard")
    business = business_of(request.user)  # type: ignore[arg-type]
    return render(request, "core/home.html", {"business": business, "progress": points_progress(business=business)})


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


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also stores the choice on a logged-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)  # type: ignore[arg-type]
    return django_set_language(request)


def legal_text(request: HttpRequest, kind: str) -> HttpResponse:
    """The version of a legal text in force now (terms, privacy notice)."""
    if kind not in LegalTextKind.values:
        raise Http404
    text = legal_text_current(kind=LegalTextKind(kind))
    if text is None:
        raise Http404
    return render(request, "core/legal_text.html", {"text": text})
