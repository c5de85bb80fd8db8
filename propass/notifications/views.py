from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from propass.notifications.selectors import notification_list
from propass.notifications.services import notification_mark_read


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notification_list(user=request.user), 25).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = notification_mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
    return redirect(notification.url or "notifications:list")
