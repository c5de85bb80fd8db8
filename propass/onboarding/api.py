from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.enums import StaffGroup
from propass.accounts.permissions import staff_in
from propass.core.errors import NotFound
from propass.core.rest import ClientRateThrottle, ViesCheckSerializer
from propass.onboarding.enums import ApplicationStatus, DocumentType
from propass.onboarding.models import Application
from propass.onboarding.selectors import application_queue
from propass.onboarding.services import (
    ApplicationInput,
    application_add_document,
    application_approve,
    application_reject,
    application_request_info,
    application_submit,
)


class IsValidationAgent(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return staff_in(request.user, StaffGroup.VALIDATION)  # type: ignore[arg-type]


class ApplicationInputSerializer(serializers.Serializer[dict]):
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    phone = serializers.CharField(max_length=32)
    language = serializers.ChoiceField(choices=settings.LANGUAGES)
    company_name = serializers.CharField(max_length=200)
    street = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    country = serializers.CharField(max_length=2)
    vat_registered = serializers.BooleanField()
    vat_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document = serializers.FileField()
    authorised = serializers.BooleanField()
    legacy_email = serializers.EmailField(required=False, allow_blank=True)
    accept_terms = serializers.BooleanField()


class ApplicationCreatedSerializer(serializers.Serializer[dict]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_url = serializers.CharField()


class ApplicationStatusSerializer(serializers.ModelSerializer[Application]):
    status_url = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "status", "company_name", "submitted_at", "info_request_message", "status_url"]

    def get_status_url(self, application: Application) -> str:
        return _status_url(self.context["request"], application)


class StaffApplicationSerializer(serializers.ModelSerializer[Application]):
    country = serializers.CharField(source="country.code")
    vies_check = ViesCheckSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id", "status", "first_name", "last_name", "email", "phone", "language", "company_name", "street",
            "postal_code", "city", "country", "vat_registered", "vat_number", "vat_check", "legacy_email",
            "submitted_at", "sla_deadline", "info_request_message", "rejection_reason", "decided_at", "vies_check",
        ]  # fmt: skip


class DocumentInputSerializer(serializers.Serializer[dict]):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    document = serializers.FileField()


def _status_url(request: Request, application: Application) -> str:
    return request.build_absolute_uri(reverse("onboarding:status", args=[application.token]))


class ApplyThrottle(ClientRateThrottle):
    rate = "20/hour"


class ApplicationCreateView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [ApplyThrottle]

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationCreatedSerializer})
    def post(self, request: Request) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "document"}
        extra = request.FILES.getlist("document")[1:]
        application = application_submit(
            data=ApplicationInput(**fields, extra_documents=extra), document=data.validated_data["document"]
        )
        body = {"id": application.pk, "status": application.status, "status_url": _status_url(request, application)}
        return Response(body, status=status.HTTP_201_CREATED)


class ApplicationStatusView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=ApplicationStatusSerializer)
    def get(self, request: Request, token: str) -> Response:
        application = Application.objects.filter(token=token).first()
        if application is None:
            raise NotFound()
        return Response(ApplicationStatusSerializer(application, context={"request": request}).data)


class ApplicationDocumentView(APIView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=DocumentInputSerializer, responses={201: ApplicationStatusSerializer})
    def post(self, request: Request, token: str) -> Response:
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = application_add_document(token=token, **data.validated_data)
        return Response(
            ApplicationStatusSerializer(application, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class StaffApplicationListView(ListAPIView[Application]):
    permission_classes = [IsValidationAgent]
    serializer_class = StaffApplicationSerializer

    def get_queryset(self) -> Any:
        return application_queue(
            status=self.request.query_params.get("status", ""), country=self.request.query_params.get("country", "")
        )


class RejectSerializer(serializers.Serializer[dict]):
    reason = serializers.CharField()


class RequestInfoSerializer(serializers.Serializer[dict]):
    message = serializers.CharField()


class StaffDecisionView(APIView):
    permission_classes = [IsValidationAgent]
    action = ""

    def post(self, request: Request, pk: int) -> Response:
        agent = request.user
        if self.action == "approve":
            application = application_approve(application_id=pk, agent=agent)  # type: ignore[arg-type]
        elif self.action == "reject":
            reject = RejectSerializer(data=request.data)
            reject.is_valid(raise_exception=True)
            application = application_reject(application_id=pk, agent=agent, **reject.validated_data)  # type: ignore[arg-type]
        else:
            ask = RequestInfoSerializer(data=request.data)
            ask.is_valid(raise_exception=True)
            application = application_request_info(application_id=pk, agent=agent, **ask.validated_data)  # type: ignore[arg-type]
        return Response(StaffApplicationSerializer(application).data)


class ApproveView(StaffDecisionView):
    action = "approve"

    @extend_schema(request=None, responses=StaffApplicationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class RejectView(StaffDecisionView):
    action = "reject"

    @extend_schema(request=RejectSerializer, responses=StaffApplicationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class RequestInfoView(StaffDecisionView):
    action = "request_info"

    @extend_schema(request=RequestInfoSerializer, responses=StaffApplicationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)
