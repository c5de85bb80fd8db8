from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from propass.accounts.enums import BusinessRole, TokenPurpose
from propass.accounts.forms import InviteForm, LanguageForm, LoginForm, PasswordResetForm, PeppolForm, SetPasswordForm
from propass.accounts.permissions import has_billing_rights, two_factor_url
from propass.accounts.selectors import api_token_id, api_tokens_live, business_of
from propass.accounts.services import (
    api_token_revoke,
    business_peppol_id_set,
    business_user_invite,
    business_user_remove,
    password_reset_request,
    password_set,
    token_check,
    user_set_email_preferences,
    user_set_language,
)
from propass.core.errors import DomainError, NotFound
from propass.core.forms import form_add_domain_error
from propass.core.ratelimit import client_address, rate_limit_hit
from propass.notifications.kinds import OPTIONAL_EMAILS

LINK_PURPOSES = [TokenPurpose.SET_PASSWORD, TokenPurpose.RESET_PASSWORD]


class LoginView(auth_views.LoginView):
    """One login for members and staff; staff then confirm it with a code (two_factor)."""

    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if form.get_user().is_staff:
            return redirect(two_factor_url(self.get_redirect_url()))
        return response


def password_reset(request: HttpRequest) -> HttpResponse:
    """The same page follows every request, whatever the e-mail."""
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not rate_limit_hit(key=f"password-reset-ip:{client_address(request)}", limit=20, seconds=3600):
            password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


@never_cache
def set_password(request: HttpRequest, token: str) -> HttpResponse:
    user = token_check(raw=token, purposes=LINK_PURPOSES)
    if user is None:
        return render(request, "accounts/link_expired.html", status=410)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_set(raw_token=token, password=form.cleaned_data["password"])
        except DomainError as error:
            if error.code == "token_invalid":
                return render(request, "accounts/link_expired.html", status=410)
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Your password is set. You can log in now."))
            return redirect("accounts:login")
    return render(request, "accounts/set_password.html", {"form": form, "email": user.email})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    is_superuser = bool(business) and request.user.membership.role == BusinessRole.SUPERUSER  # type: ignore[union-attr]
    language_form = LanguageForm(initial={"language": request.user.language})  # type: ignore[union-attr]
    invite_form = InviteForm()
    peppol_form = PeppolForm(initial={"peppol_id": business.peppol_id if business else ""})
    if request.method == "POST" and request.POST.get("action") == "language":
        language_form = LanguageForm(request.POST)
        if language_form.is_valid():
            user_set_language(user=request.user, language=language_form.cleaned_data["language"])  # type: ignore[arg-type]
            messages.success(request, _("Your language was saved."))
            return redirect("accounts:account")
    elif request.method == "POST" and request.POST.get("action") == "emails":
        user_set_email_preferences(user=request.user, wanted=request.POST.getlist("emails"))  # type: ignore[arg-type]
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("accounts:account")
    elif request.method == "POST" and request.POST.get("action") == "peppol" and business:
        peppol_form = PeppolForm(request.POST)
        if peppol_form.is_valid():
            try:
                business_peppol_id_set(business=business, actor=request.user, **peppol_form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as error:
                form_add_domain_error(peppol_form, error)
            else:
                messages.success(request, _("Where your business receives e-invoices was saved."))
                return redirect("accounts:account")
    elif request.method == "POST" and request.POST.get("action") == "invite" and business:
        invite_form = InviteForm(request.POST)
        if invite_form.is_valid():
            try:
                business_user_invite(business=business, actor=request.user, **invite_form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as error:
                form_add_domain_error(invite_form, error)
            else:
                messages.success(request, _("The invitation is on its way."))
                return redirect("accounts:account")
    team = business.memberships.select_related("user").order_by("user__email") if business else []
    return render(
        request,
        "accounts/account.html",
        {
            "business": business,
            "team": team,
            "form": language_form,
            "invite_form": invite_form,
            "peppol_form": peppol_form,
            "is_superuser": is_superuser,
            "can_export": bool(business) and has_billing_rights(user=request.user, business=business),  # type: ignore[arg-type]
            "api_tokens": [
                (api_token_id(token), token)
                for token in api_tokens_live(user=request.user)  # type: ignore[arg-type]
            ],
            "email_choices": [
                (kind, label, kind not in (request.user.email_opt_out or []))  # type: ignore[union-attr]
                for kind, label in OPTIONAL_EMAILS.items()
            ],
        },
    )


@require_POST
@login_required
def team_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        return redirect("accounts:account")
    try:
        business_user_remove(business=business, actor=request.user, user_id=user_id)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The user was removed from your business."))
    return redirect("accounts:account")


@require_POST
@login_required
def api_token_revoke_view(request: HttpRequest, token_id: str) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    except NotFound as error:
        raise Http404(str(error)) from None
    messages.success(request, _("The API token was revoked: it no longer works."))
    return redirect("accounts:account")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also stores the choice on a logged-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)  # type: ignore[arg-type]
    return django_set_language(request)
