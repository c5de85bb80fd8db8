from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListCreateAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.rest import caller_business as _business
from propass.core.api import IDEMPOTENCY_RESPONSES, idempotent
from propass.products.migration import migration_perform, migration_preview
from propass.products.models import Registration
from propass.products.selectors import registration_list
from propass.products.services import (
    RegistrationInput,
    registration_create,
    registration_delete,
    registration_get,
    registration_update,
)


class RegistrationSerializer(serializers.ModelSerializer[Registration]):
    product = serializers.IntegerField(source="product_id", allow_null=True, required=False)
    country_of_purchase = serializers.CharField(allow_blank=True, required=False, max_length=2)
    status = serializers.SerializerMethodField()
    points = serializers.IntegerField(source="points_credited", read_only=True)
    missing = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id", "product", "serial_number", "purchase_date", "country_of_purchase", "dealer",
            "status", "points", "points_value", "missing", "created_at",
        ]  # fmt: skip
        read_only_fields = ["points_value", "created_at"]
        extra_kwargs = {
            "serial_number": {"required": False, "allow_blank": True},
            "dealer": {"required": False, "allow_blank": True},
            "purchase_date": {"required": False, "allow_null": True},
        }

    def get_status(self, registration: Registration) -> str:
        # The API's names: complete, incomplete, under_review (and rejected, end_of_support).
        return registration.status

    def to_representation(self, instance: Registration) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["country_of_purchase"] = str(instance.country_of_purchase or "")
        return data

    def to_input(self, current: Registration | None = None) -> RegistrationInput:
        data = self.validated_data

        def value(name: str, source: str | None = None) -> Any:
            key = source or name
            if key in data:
                return data[key]
            return getattr(current, key) if current is not None else None

        country = value("country_of_purchase")
        return RegistrationInput(
            product_id=value("product", "product_id"),
            serial_number=value("serial_number") or "",
            purchase_date=value("purchase_date"),
            country_of_purchase=getattr(country, "code", country) or "",
            dealer=value("dealer") or "",
        )


class RegistrationListView(ListCreateAPIView[Registration]):
    serializer_class = RegistrationSerializer

    def get_queryset(self) -> Any:
        return registration_list(
            business=_business(self.request),
            q=self.request.query_params.get("q", ""),
            status=self.request.query_params.get("status", ""),
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration = registration_create(
            business=_business(request),
            actor=request.user,  # type: ignore[arg-type]
            data=serializer.to_input(),
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class RegistrationDetailView(APIView):
    serializer_class = RegistrationSerializer

    def get(self, request: Request, pk: int) -> Response:
        registration = registration_get(business=_business(request), registration_id=pk)
        return Response(RegistrationSerializer(registration).data)

    def patch(self, request: Request, pk: int) -> Response:
        business = _business(request)
        current = registration_get(business=business, registration_id=pk)
        serializer = RegistrationSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        registration = registration_update(
            business=business,
            actor=request.user,  # type: ignore[arg-type]
            registration_id=pk,
            data=serializer.to_input(current),
        )
        return Response(RegistrationSerializer(registration).data)

    def delete(self, request: Request, pk: int) -> Response:
        registration_delete(business=_business(request), actor=request.user, registration_id=pk)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MigrationPreviewSerializer(serializers.Serializer[dict]):
    available = serializers.BooleanField()
    products = serializers.IntegerField()
    complete = serializers.IntegerField()
    incomplete = serializers.IntegerField()
    under_review = serializers.IntegerField()


class MigrationResultSerializer(serializers.Serializer[dict]):
    products = serializers.IntegerField()
    complete = serializers.IntegerField()
    incomplete = serializers.IntegerField()
    under_review = serializers.IntegerField()
    points = serializers.IntegerField()


class MigrationView(APIView):
    """GET: what MIGRATE PRODUCTS would bring over. POST: do it, once (409 afterwards); a repeat
    with the same `Idempotency-Key` replays the first answer."""

    @extend_schema(responses=MigrationPreviewSerializer)
    def get(self, request: Request) -> Response:
        preview = migration_preview(business=_business(request))
        return Response(
            {
                "available": preview.available,
                "products": preview.products,
                "complete": preview.complete,
                "incomplete": preview.incomplete,
                "under_review": preview.under_review,
            }
        )

    @idempotent
    @extend_schema(request=None, responses={201: MigrationResultSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        result = migration_perform(business=_business(request), actor=request.user)  # type: ignore[arg-type]
        return Response(result.__dict__, status=status.HTTP_201_CREATED)
