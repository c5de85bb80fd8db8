from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from propass.notifications.selectors import notification_list
from propass.notifications.services import notification_mark_all_read, notification_mark_read


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Every notification of the user, newest first, in the reader's language."""
    mine = notification_list(user=request.user)  # type: ignore[arg-type]
    page = Paginator(mine, 25).get_page(request.GET.get("page"))
    unread = any(n.read_at is None for n in page.object_list) or mine.filter(read_at__isnull=True).exists()
    return render(request, "notifications/list.html", {"page": page, "unread": unread})


@login_required
def latest(request: HttpRequest) -> HttpResponse:
    """The bell's dropdown (loaded by htmx when it opens): the latest few."""
    items = list(notification_list(user=request.user)[:8])  # type: ignore[arg-type]
    unread = any(n.read_at is None for n in items)
    return render(request, "notifications/latest.html", {"notifications": items, "unread": unread})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
    return redirect(notification.url or "notifications:list")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notification_mark_all_read(user=request.user)  # type: ignore[arg-type]
    return redirect("notifications:list")
