from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.api import AuthThrottle
from propass.accounts.models import User
from propass.accounts.services import api_token_issue, staff_totp_verify
from propass.api.serializers import MeSerializer, TokenRequestSerializer, TokenSerializer
from propass.core.errors import DomainError, InvalidInput


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 400
    default_message = _("The e-mail or password is not correct, or the account is not active yet.")


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The caller, their business and membership")
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("membership__business").get(pk=request.user.pk)  # type: ignore[misc]
        return Response(MeSerializer(user).data)


class LockedOut(DomainError):
    code = "locked_out"
    http_status = 429
    default_message = _("Too many failed attempts. Please wait a few minutes and try again.")


class TokenView(APIView):
    """Exchange e-mail and password for a new API token, valid for `API_TOKEN_TTL_HOURS` (30 days
    by default) and shown only in this answer; failures count towards the lock-out."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, summary="Get a new API token")
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LockedOut()
            raise InvalidCredentials()
        if user.is_staff:
            # Staff tokens reach the staff API: the same second factor as the back office.
            code = data.validated_data.get("otp", "")
            if not code:
                raise InvalidInput(
                    _("Staff need the current code of their authenticator app (otp)."),
                    code="otp_required",
                    fields={"otp": [str(_("Enter the current code of your app."))]},
                )
            staff_totp_verify(user=user, code=code)
        return Response({"token": api_token_issue(user=user)})
