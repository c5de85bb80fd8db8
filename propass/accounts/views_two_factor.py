"""Staff's second factor: after the password, a code from an authenticator app (TOTP)."""

from base64 import b32encode

import qrcode
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from propass.accounts.forms import TwoFactorForm
from propass.accounts.permissions import staff_verified, two_factor_url
from propass.accounts.services import staff_totp_confirm, staff_totp_device, staff_totp_start, staff_totp_verify
from propass.core.errors import DomainError
from propass.core.forms import form_add_domain_error


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a safe `next`, else the back office."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("backoffice:dashboard")


def _done(request: HttpRequest, device: TOTPDevice) -> HttpResponse:
    request.session.cycle_key()  # a new session id now that the login is complete
    otp_login(request, device)
    return redirect(_next_url(request))


@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Staff confirm their login with the current code of their authenticator app."""
    user = request.user
    if not user.is_staff or staff_verified(user):
        return redirect(_next_url(request))
    if staff_totp_device(user=user) is None:  # type: ignore[arg-type]
        return redirect(two_factor_url(_next_url(request), setup=True))
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = staff_totp_verify(user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            return _done(request, device)
    return render(request, "accounts/two_factor.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Staff without an authenticator set one up: scan the QR code (or type the secret), then
    enter the code the app shows."""
    user = request.user
    if not user.is_staff or staff_verified(user):
        return redirect(_next_url(request))
    if staff_totp_device(user=user) is not None:  # type: ignore[arg-type]
        return redirect(two_factor_url(_next_url(request)))
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = staff_totp_confirm(user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Two-factor authentication is set up."))
            return _done(request, device)
    device = staff_totp_start(user=user)  # type: ignore[arg-type]
    secret = b32encode(device.bin_key).decode()
    svg = qrcode.make(device.config_url, image_factory=SvgPathFillImage).to_string(encoding="unicode")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            # Markup that qrcode drew from the device's otpauth:// address: no user input in it.
            "qr_svg": mark_safe(svg),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )
