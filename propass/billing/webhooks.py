"""POST /api/v1/webhooks/payments/<provider>/: signed events from the payment provider."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.billing.payment_events import payment_event_receive


class PaymentWebhookView(APIView):
    """The provider's signature is the only authentication: no session, token or throttle, and
    the raw body is read as sent, because the signature is computed over it."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []
    parser_classes: list = []

    @extend_schema(
        summary="Receive a signed event from the payment provider (Stripe: payment_intent.succeeded, "
        "payment_intent.payment_failed, charge.refunded)",
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: inline_serializer(
                "PaymentEventReceived",
                {
                    "received": serializers.BooleanField(),
                    "event": serializers.CharField(),
                    "outcome": serializers.CharField(),
                },
            ),
            400: OpenApiResponse(description="missing or invalid signature; nothing is stored"),
            404: OpenApiResponse(description="no such provider here"),
        },
        auth=[],
    )
    def post(self, request: Request, provider: str) -> Response:
        event = payment_event_receive(provider=provider, payload=request.body, headers=request.headers)
        return Response({"received": True, "event": event.event_id, "outcome": event.outcome})
