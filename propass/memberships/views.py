from decimal import Decimal

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from propass.accounts.models import Business, User
from propass.accounts.permissions import has_billing_rights
from propass.accounts.selectors import business_of
from propass.billing.gateways import PaymentDeclined
from propass.billing.models import Invoice
from propass.billing.vat import VatDecision, vat_decide
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error
from propass.core.money import money_format
from propass.core.ratelimit import client_address
from propass.core.selectors import program_current
from propass.memberships.benefits import TooManyCardChecks, card_check, member_card
from propass.memberships.enums import LIVE_STATUSES, SubscriptionStatus, TierFamily
from propass.memberships.forms import SANDBOX_CARDS, PaymentForm, ReviewForm, term_discount
from propass.memberships.models import Subscription
from propass.memberships.selectors import corporate_switch_shown, points_progress, tier_offers
from propass.memberships.services import (
    CheckoutInput,
    RefundPreview,
    checkout_review,
    plan_change_preview,
    refund_available,
    refund_preview,
    subscription_cancel,
    subscription_change_plan,
    subscription_checkout,
    subscription_current,
    subscription_replace_card,
    subscription_resume_renewal,
    subscription_set_auto_renew,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The member dashboard; staff land in the back office."""
    if request.user.is_staff and business_of(request.user) is None:  # type: ignore[arg-type]
        return redirect("backoffice:dashboard")
    business = business_of(request.user)  # type: ignore[arg-type]
    return render(
        request, "memberships/home.html", {"business": business, "progress": points_progress(business=business)}
    )


@login_required
def subscriptions(request: HttpRequest) -> HttpResponse:
    """MY SUBSCRIPTIONS: the points, and the tiers the business can choose from. Above the
    lowest Corporate minimum the "Available CPS levels" switch shows Corporate or standard."""
    business = business_of(request.user)  # type: ignore[arg-type]
    offers, switch, family, current, ended = [], False, TierFamily.STANDARD, None, None
    if business is not None:
        current = (
            Subscription.objects.filter(business=business, status__in=LIVE_STATUSES).select_related("tier").first()
        )
        if current is None:
            ended = (
                Subscription.objects.filter(business=business, status=SubscriptionStatus.EXPIRED)
                .select_related("tier")
                .order_by("-updated_at", "-id")
                .first()
            )
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
            "current": current,
            "ended": ended,
            "invoices": _invoices(business, request.user),  # type: ignore[arg-type]
            "program": program_current(),
        },
    )


def _invoices(business: Business | None, user: User) -> list[Invoice]:
    """The last invoices, for users with billing rights (others see none)."""
    if business is None or not has_billing_rights(user=user, business=business):
        return []
    return list(Invoice.objects.filter(business=business).order_by("-issue_date", "-id")[:20])


def _checkout_input(saved: dict, payment: dict | None = None) -> CheckoutInput:
    return CheckoutInput(
        tier=saved["tier"],
        term_years=saved["term_years"],
        auto_renew=saved["auto_renew"],
        po_number=saved["po_number"],
        accept_terms=saved["accept_terms"],
        payment_method=(payment or {}).get("payment_method", ""),
        payment_token=(payment or {}).get("payment_token", ""),
    )


def _draft_initial(saved: dict) -> dict:
    """The review draft as the form's initial values: the radios compare strings ("true")."""
    return {**saved, "auto_renew": "true" if saved.get("auto_renew") else "false"}


def _chosen_term(request: HttpRequest, saved: dict | None, prices: dict[int, Decimal]) -> int:
    """The term the review page prices: the one posted, else the draft's, else the shortest."""
    for value in (request.POST.get("term_years"), (saved or {}).get("term_years")):
        try:
            years = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if years in prices:
            return years
    return next(iter(prices), 1)


@login_required
def checkout(request: HttpRequest, tier: str) -> HttpResponse:
    """ "Please review your information", then "Please select payment option", then CHECKOUT."""
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    offer = next((o for o in tier_offers(business=business) if o.tier.code == tier), None)
    if offer is None:
        raise Http404
    if subscription_current(business=business) is not None:
        messages.error(request, _("Your business already has an active membership."))
        return redirect("memberships:manage")
    if not offer.available:
        messages.error(
            request,
            _("%(tier)s needs %(points)s points; your business has %(balance)s.")
            % {"tier": offer.tier.name, "points": offer.tier.min_points, "balance": business.points_balance},
        )
        return redirect("memberships:subscriptions")
    program = program_current()
    saved = request.session.get("checkout")
    saved = saved if saved and saved.get("tier") == tier else None
    if request.POST.get("action") == "cancel":
        request.session.pop("checkout", None)
        return redirect("memberships:subscriptions")
    step = "payment" if request.GET.get("step") == "payment" and saved else "review"
    posted = request.POST if request.method == "POST" else None
    review = ReviewForm(
        posted if step == "review" else None,
        prices=offer.prices,
        currency=offer.currency,
        initial=_draft_initial(saved) if saved else None,
    )
    payment = PaymentForm(posted if step == "payment" else None)
    if request.method == "POST" and step == "review" and review.is_valid():
        data = {"tier": tier, **review.cleaned_data}
        try:
            checkout_review(business=business, actor=request.user, data=_checkout_input(data))  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(review, error)
        else:
            request.session["checkout"] = data
            return redirect(f"{request.path}?step=payment")
    if request.method == "POST" and step == "payment" and payment.is_valid():
        try:
            subscription = subscription_checkout(
                business=business,
                actor=request.user,  # type: ignore[arg-type]
                data=_checkout_input(saved or {}, payment.cleaned_data),
                ip=client_address(request),
            )
        except PaymentDeclined as declined:
            payment.add_error(None, str(declined))
        except DomainError as error:
            form_add_domain_error(payment, error)
        else:
            request.session.pop("checkout", None)
            messages.success(
                request,
                _("Your %(program)s membership is active. Membership number: %(number)s")
                % {"program": program.short_name, "number": subscription.membership_number},
            )
            return redirect("memberships:subscriptions")
    term = _chosen_term(request, saved, offer.prices)
    vat = vat_decide(business=business)
    terms = [_term_price(years, amount, offer.yearly, vat) for years, amount in offer.prices.items()]
    chosen = next((t for t in terms if t["years"] == term), None) or _term_price(term, Decimal("0"), None, vat)
    return render(
        request,
        "memberships/checkout.html",
        {
            "offer": offer, "program": program, "step": step, "review": review, "payment": payment, "saved": saved,
            "term": term, "chosen": chosen, "terms": terms, "net": chosen["net"], "vat": vat,
            "vat_amount": chosen["vat_amount"], "total": chosen["total"],
        },
    )  # fmt: skip


def _term_price(years: int, net: Decimal, yearly: Decimal | None, vat: VatDecision) -> dict:
    """What the review page says about one term: its price, discount, VAT and total."""
    return {
        "years": years, "net": net, "discount": term_discount(years, net, yearly),
        "vat_amount": vat.vat_on(net), "total": net + vat.vat_on(net),
    }  # fmt: skip


def _confirm(request: HttpRequest, action: str, context: dict) -> HttpResponse:
    """The confirmation step of a destructive or paying action: what will happen, then Confirm."""
    return render(
        request, "memberships/manage_confirm.html", {"action": action, "program": program_current(), **context}
    )


def _refund_done_message(preview: RefundPreview) -> str:
    if preview.paid > 0:
        return _(
            "Your membership has ended. A credit note is issued and %(amount)s is refunded to the card or bank "
            "account it was paid from."
        ) % {"amount": money_format(preview.paid, preview.currency)}
    return _(
        "Your membership has ended. Nothing was charged, so nothing is owed: the invoice is cancelled by a credit note."
    )


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    """Manage Subscription: the membership's details, auto-renewal on/off, cancel renewal (with
    confirmation, and undo while the term runs), end with a refund and change plan (each
    confirmed after a preview of what happens)."""
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        confirmed = request.POST.get("confirm") == "yes"
        actor: User = request.user  # type: ignore[assignment]
        try:
            current = subscription_current(business=business)
            if action in ("cancel", "cancel_refund", "change_plan") and not confirmed and current is not None:
                if action == "cancel":
                    return _confirm(request, action, {"subscription": current})
                if action == "cancel_refund":
                    return _confirm(
                        request, action, {"subscription": current, "refund": refund_preview(subscription=current)}
                    )
                quote = plan_change_preview(business=business, actor=actor, tier_code=request.POST.get("tier", ""))
                return _confirm(request, action, {"subscription": current, "quote": quote})
            if action == "auto_renew":
                subscription_set_auto_renew(
                    business=business, actor=actor, auto_renew=request.POST.get("auto_renew") == "on"
                )
                messages.success(request, _("The subscription type was saved."))
            elif action == "cancel":
                subscription_cancel(business=business, actor=actor)
                messages.success(
                    request,
                    _("Your membership will not renew; it stays active until it expires. You can resume the renewal "
                      "until then."),
                )  # fmt: skip
            elif action == "resume":
                subscription_resume_renewal(business=business, actor=actor)
                messages.success(request, _("The renewal is resumed: the membership renews automatically."))
            elif action == "cancel_refund":
                preview = refund_preview(subscription=current) if current is not None else None
                subscription_cancel(business=business, actor=actor, refund=True)
                if preview is not None:
                    messages.success(request, _refund_done_message(preview))
                return redirect("memberships:subscriptions")
            elif action == "change_plan":
                change = subscription_change_plan(
                    business=business, actor=actor, tier_code=request.POST.get("tier", "")
                )
                if change.applied:
                    messages.success(
                        request,
                        _("You are now %(tier)s. The difference for the %(days)s days left is %(amount)s excl. VAT.")
                        % {"tier": change.to_tier.name, "days": change.days_left,
                           "amount": money_format(change.amount_due, change.currency)},
                    )  # fmt: skip
                else:
                    messages.success(request, _("%(tier)s starts with the renewal.") % {"tier": change.to_tier.name})
            elif action == "replace_card":
                subscription_replace_card(business=business, actor=actor, token=request.POST.get("payment_token", ""))
                messages.success(request, _("The new card is saved."))
        except DomainError as error:
            messages.error(request, error.summary())
        return redirect("memberships:manage")
    current = subscription_current(business=business)
    if current is None:
        return redirect("memberships:subscriptions")
    tiers = [offer for offer in tier_offers(business=business) if offer.tier.pk != current.tier_id]
    return render(
        request,
        "memberships/manage.html",
        {
            "subscription": current,
            "program": program_current(),
            "tiers": tiers,
            "cards": SANDBOX_CARDS,
            "refund_available": refund_available(subscription=current),
        },
    )


def _qr_svg(url: str) -> SafeString:
    """`url` as a QR code in inline SVG: no style attribute or script (the CSP allows neither),
    sized by the stylesheet; segno writes only the path of the dark modules."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr", lineclass="qr-line", dark="#000")
    return mark_safe(svg)  # segno's own markup: numbers and path data, no text of ours


def card_verify_url(code: str) -> str:
    """The address a member card's QR code opens: absolute, on the site's own address."""
    return settings.SITE_URL + reverse("memberships:verify", args=[code])


@login_required
def card(request: HttpRequest) -> HttpResponse:
    """The member card: program, tier, business, membership number, valid until, and the QR
    code any service desk scans to check it. Printable (only the card prints)."""
    business = business_of(request.user)  # type: ignore[arg-type]
    member = member_card(business=business) if business is not None else None
    context: dict = {"card": member, "business": business, "program": program_current()}
    if member is not None:
        url = card_verify_url(member.code)
        context.update(
            verify_url=url,
            qr=_qr_svg(url),
            usable=member.subscription.status == SubscriptionStatus.ACTIVE,
        )
    return render(request, "memberships/card.html", context)


@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public check of a member card (no login): valid or not and, only when valid, the
    program, tier, end date and business name. An unknown, replaced or ended code gets the
    same page; the checks a client may make are limited; search engines keep out and the
    code is not passed on to other sites."""
    status, refused, check = 200, "", None
    try:
        check = card_check(code=code, client=client_address(request))
    except TooManyCardChecks as error:
        status, refused = error.http_status, str(error)
    response = render(request, "memberships/verify.html", {"check": check, "refused": refused}, status=status)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
