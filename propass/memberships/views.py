from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from propass.accounts.selectors import business_of
from propass.core.selectors import program_current
from propass.memberships.enums import TierFamily
from propass.memberships.selectors import corporate_switch_shown, tier_offers
from propass.points.selectors import points_progress


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    """MY SUBSCRIPTIONS: the points, and the tiers the business can choose from. Above the
    lowest Corporate minimum the "Available CPS levels" switch shows Corporate or standard."""
    business = business_of(request.user)  # type: ignore[arg-type]
    offers, switch, family = [], False, TierFamily.STANDARD
    if business is not None:
        switch = corporate_switch_shown(business=business)
        if switch and request.GET.get("levels") == TierFamily.CORPORATE:
            family = TierFamily.CORPORATE
        offers = [offer for offer in tier_offers(business=business) if offer.tier.family == family]
    return render(
        request,
        "memberships/subscriptions.html",
        {
            "business": business,
            "progress": points_progress(business=business),
            "offers": offers,
            "switch": switch,
            "corporate": family == TierFamily.CORPORATE,
            "program": program_current(),
        },
    )
