from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from propass.accounts.selectors import business_of
from propass.points.selectors import points_progress


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "memberships/subscriptions.html",
        {"business": business, "progress": points_progress(business=business)},
    )
