from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from propass.faq.selectors import faq_entries, faq_language, faq_sections


def _layout(request: HttpRequest) -> str:
    """Members read the FAQ inside their own pages, staff inside the back office, visitors
    on the public layout (like /apply/)."""
    user = request.user
    if not user.is_authenticated:
        return "layouts/public.html"
    return "layouts/staff.html" if user.is_staff else "layouts/member.html"


def index(request: HttpRequest) -> HttpResponse:
    """The FAQ in the reader's language, with a search over questions and answers."""
    q = request.GET.get("q", "").strip()[:200]
    language = faq_language()
    entries = faq_entries(language=language, q=q)
    context = {"layout": _layout(request), "language": language, "q": q, "count": len(entries)}
    return render(request, "faq/index.html", {**context, "sections": faq_sections(entries)})
