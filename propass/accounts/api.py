from drf_spectacular.utils import OpenApiParameter, extend_schema
from knox.models import AuthToken
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.models import User
from propass.accounts.rest import caller_business
from propass.accounts.selectors import api_token_id, api_tokens_live
from propass.accounts.services import api_token_revoke, business_peppol_id_set, password_reset_request, password_set
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


class ApiTokenSerializer(serializers.Serializer[AuthToken]):
    id = serializers.SerializerMethodField(help_text="Public id of the token (not the token): use it to revoke it.")
    created_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry", allow_null=True)
    current = serializers.SerializerMethodField(help_text="True for the token this request was made with.")

    def get_id(self, token: AuthToken) -> str:
        return api_token_id(token)

    def get_current(self, token: AuthToken) -> bool:
        auth = self.context["request"].auth
        return isinstance(auth, AuthToken) and auth.digest == token.digest


class ApiTokenListView(generics.ListAPIView):
    """The caller's API tokens that still work, newest first. The tokens themselves are shown
    only once, when `POST /auth/token/` issues them."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user: User = self.request.user  # type: ignore[assignment]
        return api_tokens_live(user=user)

    @extend_schema(summary="List my API tokens")
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ApiTokenDetailView(APIView):
    @extend_schema(
        summary="Revoke one of my API tokens",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="The token's `id` from the list.")],
        responses={204: None},
    )
    def delete(self, request: Request, id: str) -> Response:
        api_token_revoke(user=request.user, token_id=id)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class EInvoicingSerializer(serializers.Serializer[dict]):
    peppol_id = serializers.CharField(
        allow_blank=True,
        max_length=80,
        help_text='Where the business receives e-invoices on Peppol, "0208:0403019261"; empty clears it.',
    )


class EInvoicingView(APIView):
    """Where the business receives e-invoices (its Peppol participant ID), shown on every
    e-invoice as the buyer's electronic address; users with billing rights change it."""

    @extend_schema(responses=EInvoicingSerializer)
    def get(self, request: Request) -> Response:
        return Response({"peppol_id": caller_business(request).peppol_id})

    @extend_schema(request=EInvoicingSerializer, responses=EInvoicingSerializer)
    def put(self, request: Request) -> Response:
        data = EInvoicingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        business = business_peppol_id_set(
            business=caller_business(request),
            actor=request.user,  # type: ignore[arg-type]
            peppol_id=data.validated_data["peppol_id"],
        )
        return Response({"peppol_id": business.peppol_id})
