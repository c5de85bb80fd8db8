"""Service requests for integrators: the business's requests (members), and the centre's steps
(service agents). The same services as the pages."""

from datetime import date
from typing import Any

from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_in
from propass.accounts.rest import caller_business
from propass.core.api import IDEMPOTENCY_RESPONSES, idempotent
from propass.core.errors import InvalidInput, NotFound
from propass.core.rest import DOWNLOAD_RENDERERS, PDF_RENDERERS
from propass.service.enums import LoanCondition, LoanStatus, ServiceKind, ServiceStatus
from propass.service.loans import LoanInput, loan_dispatch, loan_request, loan_return
from propass.service.models import Loan, ServiceAttachment, ServiceCentre, ServiceRequest, ServiceStep
from propass.service.selectors import (
    DayAvailability,
    attachment_for,
    loan_availability,
    loan_for_agent,
    loan_for_member,
    loan_list,
    service_centres,
    service_queue,
    service_request_for_agent,
    service_request_for_member,
    service_request_list,
)
from propass.service.services import (
    ServiceRequestInput,
    service_quote_approve,
    service_quote_decline,
    service_request_cancel,
    service_request_close,
    service_request_create,
    service_request_mark_sent,
    service_request_quote,
    service_request_ready,
    service_request_receive,
    service_request_ship,
    service_request_start,
)
from propass.service.views import attachment_response, slip_response

STATUS_HELP = "One of: " + ", ".join(ServiceStatus.values)
KIND_HELP = "One of: " + ", ".join(ServiceKind.values)
PARSERS = [JSONParser, MultiPartParser, FormParser]


class IsServiceAgent(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return staff_in(request.user, StaffGroup.SERVICE)  # type: ignore[arg-type]


class ServiceCentreSerializer(serializers.ModelSerializer[ServiceCentre]):
    country = serializers.CharField(source="country.code")
    holiday_country = serializers.CharField(source="holiday_country.code")

    class Meta:
        model = ServiceCentre
        fields = ["code", "name", "street", "postal_code", "city", "country", "holiday_country", "email", "phone"]


class ServiceQuoteSerializer(serializers.Serializer[ServiceRequest]):
    amount = serializers.DecimalField(source="quote_amount", max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(source="quote_discount", max_digits=10, decimal_places=2)
    percent = serializers.DecimalField(source="quote_percent", max_digits=5, decimal_places=2, allow_null=True)
    total = serializers.DecimalField(source="quote_total", max_digits=10, decimal_places=2)
    cap_left = serializers.DecimalField(
        source="quote_cap_left", max_digits=10, decimal_places=2, allow_null=True,
        help_text="What was left of the yearly discount cap before this quote; null: no cap.",
    )  # fmt: skip
    currency = serializers.CharField(source="quote_currency")
    note = serializers.CharField(source="quote_note")


class ServiceReturnAddressSerializer(serializers.Serializer[ServiceRequest]):
    name = serializers.CharField(source="return_name")
    street = serializers.CharField(source="return_street")
    postal_code = serializers.CharField(source="return_postal_code")
    city = serializers.CharField(source="return_city")
    country = serializers.CharField(source="return_country.code")


class ServiceStepSerializer(serializers.ModelSerializer[ServiceStep]):
    kind = serializers.CharField(help_text="What happened: submitted, sent, received, quoted, shipped, …")
    label = serializers.CharField(source="get_kind_display")  # type: ignore[assignment]

    class Meta:
        model = ServiceStep
        fields = ["kind", "label", "at", "params"]


class ServiceAttachmentSerializer(serializers.ModelSerializer[ServiceAttachment]):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ServiceAttachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, attachment: ServiceAttachment) -> str:
        return reverse("v1:service_request_attachment", args=[attachment.request_id, attachment.pk])


class ServiceRequestSerializer(serializers.ModelSerializer[ServiceRequest]):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    registration = serializers.IntegerField(source="registration_id", read_only=True)
    service_centre = serializers.CharField(source="centre.code", read_only=True)
    product = serializers.CharField(source="registration.product.name", read_only=True)
    serial_number = serializers.CharField(source="registration.serial_number", read_only=True)
    late = serializers.BooleanField(read_only=True, help_text="Past the promised date and not yet ready.")

    class Meta:
        model = ServiceRequest
        fields = [
            "id", "reference", "status", "kind", "registration", "product", "serial_number", "service_centre",
            "received_on", "promised_by", "late", "created_at",
        ]  # fmt: skip


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    return_address = ServiceReturnAddressSerializer(source="*", read_only=True)
    quote = serializers.SerializerMethodField()
    timeline = ServiceStepSerializer(source="steps", many=True, read_only=True)
    attachments = ServiceAttachmentSerializer(many=True, read_only=True)
    slip_url = serializers.SerializerMethodField()

    class Meta(ServiceRequestSerializer.Meta):
        fields = [
            *ServiceRequestSerializer.Meta.fields, "description", "turnaround_days", "return_address", "quote",
            "inbound_tracking", "carrier", "tracking", "shipped_on", "closed_at", "timeline", "attachments",
            "slip_url",
        ]  # fmt: skip

    @extend_schema_field(ServiceQuoteSerializer(allow_null=True))
    def get_quote(self, request: ServiceRequest) -> dict | None:
        return ServiceQuoteSerializer(request).data if request.quote_amount is not None else None

    def get_slip_url(self, request: ServiceRequest) -> str:
        return reverse("v1:service_request_slip", args=[request.pk])


class StaffServiceRequestSerializer(ServiceRequestDetailSerializer):
    business = serializers.CharField(source="business.name", read_only=True)
    business_id = serializers.IntegerField(read_only=True)
    tier = serializers.SerializerMethodField()

    class Meta(ServiceRequestDetailSerializer.Meta):
        fields = [*ServiceRequestDetailSerializer.Meta.fields, "business", "business_id", "tier"]

    def get_tier(self, request: ServiceRequest) -> str | None:
        return request.tier.code if request.tier else None

    def get_slip_url(self, request: ServiceRequest) -> str:
        return ""


class ServiceRequestInputSerializer(serializers.Serializer[dict]):
    registration = serializers.IntegerField(help_text="A credited registration's `id` (`GET /registrations/`).")
    kind = serializers.CharField(help_text=KIND_HELP)
    description = serializers.CharField()
    service_centre = serializers.CharField(help_text="A service centre's `code` (`GET /service-centres/`).")
    return_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    return_street = serializers.CharField(required=False, allow_blank=True, max_length=200)
    return_postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    return_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    return_country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="Empty return fields: the business's address."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="PDF, JPEG or PNG (multipart requests only), up to 5"
    )


class ServiceSentInputSerializer(serializers.Serializer[dict]):
    tracking = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ServiceReceiveInputSerializer(serializers.Serializer[dict]):
    received_on = serializers.DateField()


class ServiceStartInputSerializer(serializers.Serializer[dict]):
    diagnosis = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceQuoteInputSerializer(serializers.Serializer[dict]):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Excl. VAT, before the discount")
    note = serializers.CharField(required=False, allow_blank=True)


class ServiceShipInputSerializer(serializers.Serializer[dict]):
    carrier = serializers.CharField(max_length=60)
    tracking = serializers.CharField(max_length=100)


# --- Members ----------------------------------------------------------------------------------------


class ServiceCentreListView(ListAPIView[ServiceCentre]):
    """The service centres a product can be sent to."""

    serializer_class = ServiceCentreSerializer

    def get_queryset(self) -> Any:
        return service_centres()


class ServiceRequestListView(ListAPIView[ServiceRequest]):
    """GET: the business's service requests, the newest first. POST: ask for service of a
    credited product (JSON, or multipart with `attachments`); 201 with the reference."""

    serializer_class = ServiceRequestSerializer
    parser_classes = PARSERS

    def get_queryset(self) -> Any:
        return service_request_list(business=caller_business(self.request))

    @idempotent
    @extend_schema(
        request=ServiceRequestInputSerializer,
        responses={201: ServiceRequestDetailSerializer, **IDEMPOTENCY_RESPONSES},
    )
    def post(self, request: Request) -> Response:
        business = caller_business(request)
        data = ServiceRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = service_request_create(
            business=business,
            actor=request.user,  # type: ignore[arg-type]
            data=ServiceRequestInput(
                registration_id=values["registration"], kind=values["kind"], description=values["description"],
                centre=values["service_centre"], return_name=values.get("return_name", ""),
                return_street=values.get("return_street", ""), return_postal_code=values.get("return_postal_code", ""),
                return_city=values.get("return_city", ""), return_country=values.get("return_country", ""),
            ),
            attachments=values.get("attachments", []),
        )  # fmt: skip
        found = service_request_for_member(business=business, request_id=created.pk)
        return Response(ServiceRequestDetailSerializer(found).data, status=status.HTTP_201_CREATED)


class ServiceRequestDetailView(APIView):
    """One of the business's service requests with its timeline; another business's is not found."""

    @extend_schema(responses=ServiceRequestDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        found = service_request_for_member(business=caller_business(request), request_id=pk)
        return Response(ServiceRequestDetailSerializer(found).data)


def _member_answer(request: Request, pk: int) -> Response:
    found = service_request_for_member(business=caller_business(request), request_id=pk)
    return Response(ServiceRequestDetailSerializer(found).data)


class ServiceRequestSentView(APIView):
    """The parcel is on its way to the centre (optionally its tracking number)."""

    @extend_schema(request=ServiceSentInputSerializer, responses=ServiceRequestDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ServiceSentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_mark_sent(
            business=caller_business(request),
            actor=request.user,  # type: ignore[arg-type]
            request_id=pk,
            tracking=data.validated_data.get("tracking", ""),
        )
        return _member_answer(request, pk)


class ServiceRequestCancelView(APIView):
    """Cancel a request whose product has not reached the centre (409 afterwards); a maintenance
    check it used is given back."""

    @idempotent
    @extend_schema(request=None, responses={200: ServiceRequestDetailSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request, pk: int) -> Response:
        service_request_cancel(business=caller_business(request), actor=request.user, request_id=pk)  # type: ignore[arg-type]
        return _member_answer(request, pk)


class QuoteApproveView(APIView):
    """Approve the waiting quote (business superuser or administrator; 403 for other users)."""

    @idempotent
    @extend_schema(request=None, responses={200: ServiceRequestDetailSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request, pk: int) -> Response:
        service_quote_approve(business=caller_business(request), actor=request.user, request_id=pk)  # type: ignore[arg-type]
        return _member_answer(request, pk)


class QuoteDeclineView(APIView):
    """Decline the waiting quote: the product comes back unrepaired (superuser or administrator)."""

    @idempotent
    @extend_schema(request=None, responses={200: ServiceRequestDetailSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request, pk: int) -> Response:
        service_quote_decline(business=caller_business(request), actor=request.user, request_id=pk)  # type: ignore[arg-type]
        return _member_answer(request, pk)


class ServiceRequestSlipView(APIView):
    """The shipping slip (PDF) in the caller's language."""

    renderer_classes = PDF_RENDERERS

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        return slip_response(service_request_for_member(business=caller_business(request), request_id=pk))


class ServiceRequestAttachmentView(APIView):
    """Download an attachment of one of the business's requests."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, attachment_id: int) -> HttpResponseBase:
        caller_business(request)
        found = attachment_for(user=request.user, attachment_id=attachment_id, request_id=pk)  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return attachment_response(found)


# --- Service agents ----------------------------------------------------------------------------------


class StaffServiceRequestListView(ListAPIView[ServiceRequest]):
    """The service queue: the earliest promised date first; closed and cancelled requests only
    when asked for by status."""

    serializer_class = StaffServiceRequestSerializer
    permission_classes = [IsServiceAgent]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description=STATUS_HELP),
            OpenApiParameter("centre", str, description="A service centre's code"),
            OpenApiParameter("tier", str, description="A tier's code"),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        query = self.request.query_params
        return service_queue(
            status=query.get("status", ""), centre=query.get("centre", ""), tier=query.get("tier", "")
        ).prefetch_related("steps", "attachments")


def _staff_answer(pk: int) -> Response:
    return Response(StaffServiceRequestSerializer(service_request_for_agent(request_id=pk)).data)


class StaffServiceRequestDetailView(APIView):
    permission_classes = [IsServiceAgent]

    @extend_schema(responses=StaffServiceRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _staff_answer(pk)


class StaffReceiveView(APIView):
    """Record the day the product arrived: the promise starts (`promised_by`)."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=ServiceReceiveInputSerializer, responses=StaffServiceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ServiceReceiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_receive(agent=request.user, request_id=pk, received_on=data.validated_data["received_on"])  # type: ignore[arg-type]
        return _staff_answer(pk)


class StaffStartView(APIView):
    """Start work on a received product."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=ServiceStartInputSerializer, responses=StaffServiceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ServiceStartInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_start(agent=request.user, request_id=pk, **data.validated_data)  # type: ignore[arg-type]
        return _staff_answer(pk)


class StaffQuoteView(APIView):
    """Quote a repair (excl. VAT): the member's repair discount is applied within its yearly cap."""

    permission_classes = [IsServiceAgent]

    @idempotent
    @extend_schema(
        request=ServiceQuoteInputSerializer, responses={200: StaffServiceRequestSerializer, **IDEMPOTENCY_RESPONSES}
    )
    def post(self, request: Request, pk: int) -> Response:
        data = ServiceQuoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_quote(
            agent=request.user,  # type: ignore[arg-type]
            request_id=pk,
            amount=data.validated_data["amount"],
            note=data.validated_data.get("note", ""),
        )
        return _staff_answer(pk)


class StaffCompleteView(APIView):
    """The work is done: ready to be shipped back."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=None, responses=StaffServiceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        service_request_ready(agent=request.user, request_id=pk)  # type: ignore[arg-type]
        return _staff_answer(pk)


class StaffShipView(APIView):
    """Ship the product back with the carrier and the tracking number."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=ServiceShipInputSerializer, responses=StaffServiceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = ServiceShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service_request_ship(agent=request.user, request_id=pk, **data.validated_data)  # type: ignore[arg-type]
        return _staff_answer(pk)


class StaffCloseView(APIView):
    """Close a request whose product was shipped back."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=None, responses=StaffServiceRequestSerializer)
    def post(self, request: Request, pk: int) -> Response:
        service_request_close(agent=request.user, request_id=pk)  # type: ignore[arg-type]
        return _staff_answer(pk)


# --- Loans -------------------------------------------------------------------------------------------------

LOAN_STATUS_HELP = "One of: " + ", ".join(LoanStatus.values)


class LoanSerializer(serializers.ModelSerializer[Loan]):
    status = serializers.CharField(read_only=True, help_text=LOAN_STATUS_HELP)
    model = serializers.IntegerField(source="model_id", read_only=True, help_text="The catalog model's `id`.")
    model_name = serializers.CharField(source="model.name", read_only=True)
    service_request = serializers.IntegerField(source="service_request_id", read_only=True, allow_null=True)
    deposit = serializers.DecimalField(source="deposit_amount", max_digits=10, decimal_places=2, read_only=True)
    deposit_method = serializers.CharField(read_only=True, help_text="card_hold, transfer or none")
    deposit_released = serializers.SerializerMethodField()

    class Meta:
        model = Loan
        fields = [
            "id", "reference", "status", "model", "model_name", "starts_on", "ends_on", "service_request",
            "deposit", "currency", "deposit_method", "deposit_released", "terms_version", "carrier", "tracking",
            "dispatched_on", "returned_on", "return_condition", "created_at",
        ]  # fmt: skip

    def get_deposit_released(self, loan: Loan) -> bool:
        return loan.deposit_released_at is not None


class StaffLoanSerializer(LoanSerializer):
    business = serializers.CharField(source="business.name", read_only=True)
    unit = serializers.CharField(source="unit.serial_number", read_only=True)

    class Meta(LoanSerializer.Meta):
        fields = [*LoanSerializer.Meta.fields, "business", "unit", "return_note", "decision_note"]


class LoanInputSerializer(serializers.Serializer[dict]):
    model = serializers.IntegerField(help_text="A catalog model's `id` that the loan pool lends.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The last day of the loan (included).")
    service_request = serializers.IntegerField(
        required=False, allow_null=True, help_text="One of the business's open service requests; empty: standalone."
    )
    accept_terms = serializers.BooleanField(help_text="The loan terms in force are accepted (their version is kept).")


class LoanAvailabilitySerializer(serializers.Serializer[DayAvailability]):
    day = serializers.DateField()
    free = serializers.IntegerField(help_text="Units of the model free on this day")
    total = serializers.IntegerField(help_text="Units of the model in the pool")


class LoanDispatchInputSerializer(serializers.Serializer[dict]):
    carrier = serializers.CharField(max_length=60)
    tracking = serializers.CharField(max_length=100)


class LoanReturnInputSerializer(serializers.Serializer[dict]):
    returned_on = serializers.DateField()
    condition = serializers.ChoiceField(choices=LoanCondition.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LoanAvailabilityView(APIView):
    """How many units of a model are free on each day from `from` to `to` (both included)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("model", int, required=True, description="A catalog model's `id`"),
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses=LoanAvailabilitySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        caller_business(request)
        query = request.query_params
        errors: dict[str, list[str]] = {}
        model = query.get("model", "")
        if not model.isdigit():
            errors["model"] = [str(_("Choose a model the loan pool lends."))]
        parsed = {}
        for name in ("from", "to"):
            try:
                parsed[name] = date.fromisoformat(query.get(name, ""))
            except ValueError:
                errors[name] = [str(_("Enter a date as YYYY-MM-DD."))]
        if errors:
            raise InvalidInput(fields=errors)
        days = loan_availability(model_id=int(model), starts_on=parsed["from"], ends_on=parsed["to"])
        return Response(LoanAvailabilitySerializer(days, many=True).data)  # type: ignore[arg-type]


class LoanListView(ListAPIView[Loan]):
    """GET: the business's loans. POST: ask for a model for some days; a free unit is booked and
    the deposit authorised on the card on file; 201 with the reference."""

    serializer_class = LoanSerializer

    def get_queryset(self) -> Any:
        return loan_list(business=caller_business(self.request))

    @idempotent
    @extend_schema(request=LoanInputSerializer, responses={201: LoanSerializer, **IDEMPOTENCY_RESPONSES})
    def post(self, request: Request) -> Response:
        business = caller_business(request)
        data = LoanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        loan = loan_request(
            business=business,
            actor=request.user,  # type: ignore[arg-type]
            data=LoanInput(
                model_id=values["model"], starts_on=values["starts_on"], ends_on=values["ends_on"],
                service_request_id=values.get("service_request"), accept_terms=values["accept_terms"],
            ),
        )  # fmt: skip
        found = loan_for_member(business=business, loan_id=loan.pk)
        return Response(LoanSerializer(found).data, status=status.HTTP_201_CREATED)


class LoanDetailView(APIView):
    """One of the business's loans; another business's is not found."""

    @extend_schema(responses=LoanSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(LoanSerializer(loan_for_member(business=caller_business(request), loan_id=pk)).data)


class StaffLoanDispatchView(APIView):
    """Send a reserved loan's unit to the member, with the carrier and the tracking number."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=LoanDispatchInputSerializer, responses=StaffLoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = LoanDispatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loan_dispatch(agent=request.user, loan_id=pk, **data.validated_data)  # type: ignore[arg-type]
        return Response(StaffLoanSerializer(loan_for_agent(loan_id=pk)).data)


class StaffLoanReturnView(APIView):
    """The unit is back: the day and its condition (good or damaged), with a note. A good return
    on time releases the deposit; otherwise the loan waits for the staff decision."""

    permission_classes = [IsServiceAgent]

    @extend_schema(request=LoanReturnInputSerializer, responses=StaffLoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = LoanReturnInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loan_return(agent=request.user, loan_id=pk, **data.validated_data)  # type: ignore[arg-type]
        return Response(StaffLoanSerializer(loan_for_agent(loan_id=pk)).data)
