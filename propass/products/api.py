from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListCreateAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.models import Business
from propass.accounts.rest import caller_business as _business
from propass.core.api import IDEMPOTENCY_RESPONSES, idempotent
from propass.core.errors import NotFound
from propass.products.enums import TransferStatus
from propass.products.migration import migration_perform, migration_preview
from propass.products.models import ProductTransfer, Registration
from propass.products.selectors import registration_list, transfer_of, transfers_of
from propass.products.services import (
    RegistrationInput,
    registration_create,
    registration_delete,
    registration_get,
    registration_update,
)
from propass.products.transfers import transfer_accept, transfer_cancel, transfer_decline, transfer_offer


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


class TransferSerializer(serializers.ModelSerializer[ProductTransfer]):
    """A transfer as either side sees it: the releasing business sees what it typed as the
    recipient (never which business, if any, it names until it accepted); the receiver sees
    who offers it."""

    registration = serializers.IntegerField(source="registration_id", read_only=True, allow_null=True)
    product = serializers.IntegerField(source="product_id", read_only=True, allow_null=True)
    direction = serializers.SerializerMethodField()
    from_business = serializers.SerializerMethodField()
    to_business = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()

    class Meta:
        model = ProductTransfer
        fields = [
            "id", "registration", "product", "serial_number", "status", "direction", "from_business",
            "to_business", "recipient", "purchase_date", "points_debited", "points_credited", "created_at",
            "decided_at",
        ]  # fmt: skip
        read_only_fields = fields

    def _outgoing(self, transfer: ProductTransfer) -> bool:
        return transfer.from_business_id == self.context["business"].pk

    def get_direction(self, transfer: ProductTransfer) -> str:
        return "out" if self._outgoing(transfer) else "in"

    def get_from_business(self, transfer: ProductTransfer) -> str:
        return transfer.from_business.name

    def get_to_business(self, transfer: ProductTransfer) -> str | None:
        shown = not self._outgoing(transfer) or transfer.status in (TransferStatus.ACCEPTED, TransferStatus.REVERSED)
        return transfer.to_business.name if shown and transfer.to_business else None

    def get_recipient(self, transfer: ProductTransfer) -> str | None:
        return transfer.recipient if self._outgoing(transfer) else None


class TransferOfferSerializer(serializers.Serializer[dict]):
    registration = serializers.IntegerField()
    recipient = serializers.CharField(max_length=254, help_text="The e-mail of one of its users, or its VAT number.")


class TransferAcceptSerializer(serializers.Serializer[dict]):
    purchase_date = serializers.DateField()
    proof = serializers.FileField(required=False, allow_null=True, help_text="PDF, JPEG or PNG (multipart).")


class TransferListView(ListCreateAPIView[ProductTransfer]):
    """GET: the transfers the caller's business offered or was offered. POST (superuser or
    administrator): offer a credited product to another business; the answer is the same
    whether or not the e-mail or VAT number names a business in the program."""

    serializer_class = TransferSerializer

    def get_queryset(self) -> Any:
        return transfers_of(business=_business(self.request))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "business": _business(self.request)}

    @extend_schema(request=TransferOfferSerializer, responses={201: TransferSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TransferOfferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        business = _business(request)
        transfer = transfer_offer(
            business=business,
            actor=request.user,  # type: ignore[arg-type]
            registration_id=serializer.validated_data["registration"],
            recipient=serializer.validated_data["recipient"],
        )
        return Response(TransferSerializer(transfer, context={"business": business}).data, status=201)


def _transfer_answer(business: Business, transfer: ProductTransfer) -> Response:
    found = transfer_of(business=business, transfer_id=transfer.pk)
    return Response(TransferSerializer(found, context={"business": business}).data)


class TransferDetailView(APIView):
    serializer_class = TransferSerializer

    def get(self, request: Request, pk: int) -> Response:
        business = _business(request)
        transfer = transfer_of(business=business, transfer_id=pk)
        if transfer is None:
            raise NotFound()
        return Response(TransferSerializer(transfer, context={"business": business}).data)


class TransferAcceptView(APIView):
    """The receiving business (superuser or administrator) accepts with its purchase date (and
    optionally a proof, multipart): the product and the points move at once; 409 when the
    transfer is no longer open or the product is in service or on loan."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=TransferAcceptSerializer, responses=TransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        serializer = TransferAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        business = _business(request)
        transfer = transfer_accept(
            business=business,
            actor=request.user,  # type: ignore[arg-type]
            transfer_id=pk,
            purchase_date=serializer.validated_data["purchase_date"],
            proof=serializer.validated_data.get("proof"),
        )
        return _transfer_answer(business, transfer)


class TransferDeclineView(APIView):
    @extend_schema(request=None, responses=TransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        business = _business(request)
        transfer = transfer_decline(business=business, actor=request.user, transfer_id=pk)  # type: ignore[arg-type]
        return _transfer_answer(business, transfer)


class TransferCancelView(APIView):
    @extend_schema(request=None, responses=TransferSerializer)
    def post(self, request: Request, pk: int) -> Response:
        business = _business(request)
        transfer = transfer_cancel(business=business, actor=request.user, transfer_id=pk)  # type: ignore[arg-type]
        return _transfer_answer(business, transfer)
