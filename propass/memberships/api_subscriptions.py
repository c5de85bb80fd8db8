from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.rest import caller_business as _business
from propass.core.api import IDEMPOTENCY_RESPONSES, idempotent
from propass.core.errors import NotFound
from propass.core.ratelimit import client_address
from propass.memberships.enums import PaymentMethod
from propass.memberships.models import Subscription
from propass.memberships.services import (
    CheckoutInput,
    plan_change_preview,
    subscription_cancel,
    subscription_cancel_preview,
    subscription_change_plan,
    subscription_checkout,
    subscription_current,
    subscription_resume_renewal,
    subscription_set_auto_renew,
)


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    tier = serializers.CharField(source="tier.code")

    class Meta:
        model = Subscription
        fields = [
            "membership_number", "tier", "status", "starts_on", "expires_on", "term_years", "auto_renew",
            "cancelled_at", "po_number", "price", "currency", "payment_method", "terms_version",
        ]  # fmt: skip


class CheckoutSerializer(serializers.Serializer[dict]):
    tier = serializers.CharField()
    term_years = serializers.IntegerField(default=1)
    auto_renew = serializers.BooleanField(default=True)
    po_number = serializers.CharField(required=False, allow_blank=True, default="")
    accept_terms = serializers.BooleanField()
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices)
    payment_token = serializers.CharField(required=False, allow_blank=True, default="")


class AutoRenewSerializer(serializers.Serializer[dict]):
    auto_renew = serializers.BooleanField()


class SubscriptionCreateView(APIView):
    """Buy a membership (CHECKOUT). Cards use the gateway's tokens (sandbox: tok_visa, …)."""

    @idempotent
    @extend_schema(request=CheckoutSerializer, responses={201: SubscriptionSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        data = CheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = subscription_checkout(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            data=CheckoutInput(**data.validated_data),
            ip=client_address(request),
        )
        return Response(SubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionCurrentView(APIView):
    @extend_schema(responses=SubscriptionSerializer)
    def get(self, request: Request) -> Response:
        subscription = subscription_current(business=_business(request))
        if subscription is None:
            raise NotFound()
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(request=AutoRenewSerializer, responses=SubscriptionSerializer)
    def patch(self, request: Request) -> Response:
        data = AutoRenewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = subscription_set_auto_renew(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            auto_renew=data.validated_data["auto_renew"],
        )
        return Response(SubscriptionSerializer(subscription).data)


class CancelSerializer(serializers.Serializer[dict]):
    refund = serializers.BooleanField(
        default=False, help_text="End the membership today with a refund (only within the program's refund window)."
    )


class CancelPreviewQuery(serializers.Serializer[dict]):
    refund = serializers.BooleanField(default=False, help_text="Preview ending today with a refund.")


class CancelPreviewSerializer(serializers.Serializer[Any]):
    refund = serializers.BooleanField(help_text="Whether this preview is of ending today with a refund.")
    refund_available = serializers.BooleanField(help_text="Whether the term is inside the program's refund window.")
    ends_on = serializers.DateField(help_text="The last day of the membership after the cancellation.")
    credited = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Credit notes issued, VAT included (0 without refund)."
    )
    refunded = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Of that, what was paid and goes back to the payer."
    )
    currency = serializers.CharField()


class SubscriptionCancelView(APIView):
    """Cancel the renewal (the membership runs to its end), or end today with a refund inside
    the refund window. GET previews either, changing nothing (what the confirmation page shows)."""

    @extend_schema(parameters=[CancelPreviewQuery], responses=CancelPreviewSerializer)
    def get(self, request: Request) -> Response:
        query = CancelPreviewQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        preview = subscription_cancel_preview(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            refund=query.validated_data["refund"],
        )
        return Response(CancelPreviewSerializer(preview).data)

    @idempotent
    @extend_schema(request=CancelSerializer, responses={200: SubscriptionSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        subscription = subscription_cancel(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            refund=form.validated_data["refund"],
        )
        data: Any = SubscriptionSerializer(subscription).data
        return Response(data)


class ChangePlanSerializer(serializers.Serializer[dict]):
    tier = serializers.CharField()


class PlanQuoteSerializer(serializers.Serializer[Any]):
    to_tier = serializers.CharField(source="to_tier.code")
    upgrade = serializers.BooleanField(help_text="True: from today, pro rata. False: from the renewal.")
    effective_on = serializers.DateField()
    current_price = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Per year, excl. VAT.")
    new_price = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Per year, excl. VAT.")
    days_left = serializers.IntegerField()
    days_in_term = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Owed now, excl. VAT.")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()


class PlanChangeSerializer(serializers.Serializer[Any]):
    to_tier = serializers.CharField(source="to_tier.code")
    effective_on = serializers.DateField()
    days_left = serializers.IntegerField()
    days_in_term = serializers.IntegerField()
    amount_due = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    applied = serializers.BooleanField()


class SubscriptionChangePlanView(APIView):
    """Upgrade now (price difference pro rata in whole days) or downgrade at the renewal.
    GET `?tier=` previews the change with the amounts the invoice will carry, changing nothing."""

    @extend_schema(parameters=[ChangePlanSerializer], responses=PlanQuoteSerializer)
    def get(self, request: Request) -> Response:
        query = ChangePlanSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        quote = plan_change_preview(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            tier_code=query.validated_data["tier"],
        )
        return Response(PlanQuoteSerializer(quote).data)

    @idempotent
    @extend_schema(request=ChangePlanSerializer, responses={200: PlanChangeSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        data = ChangePlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = subscription_change_plan(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            tier_code=data.validated_data["tier"],
        )
        return Response(PlanChangeSerializer(change).data)


class SubscriptionResumeRenewalView(APIView):
    """Undo a cancelled renewal while the term runs: the membership renews again."""

    @idempotent
    @extend_schema(request=None, responses={200: SubscriptionSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        subscription = subscription_resume_renewal(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
        )
        return Response(SubscriptionSerializer(subscription).data)
