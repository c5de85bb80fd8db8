from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.services import password_reset_request, password_set
from propass.core.rest import ClientRateThrottle


class AuthThrottle(ClientRateThrottle):
    scope = "auth"


class PasswordSetSerializer(serializers.Serializer[dict]):
    token = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False)


class PasswordResetSerializer(serializers.Serializer[dict]):
    email = serializers.EmailField()


class PasswordSetView(APIView):
    """Set the first password, or a new one, with the token from the e-mailed link."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=PasswordSetSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_set(raw_token=data.validated_data["token"], password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    """Ask for a reset link: always 202 with the same body, whatever the e-mail."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(request=PasswordResetSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = PasswordResetSerializer(data=request.data)
        if data.is_valid():
            password_reset_request(email=data.validated_data["email"])
        return Response({"detail": "accepted"}, status=status.HTTP_202_ACCEPTED)
