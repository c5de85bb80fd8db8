"""CPS Priority Support for integrators: the business's tickets, replies and attachments."""

from typing import Any

from django.http.response import HttpResponseBase
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.accounts.rest import caller_business
from propass.core.errors import NotFound
from propass.core.rest import DOWNLOAD_RENDERERS
from propass.support.enums import TicketCategory, TicketStatus
from propass.support.models import Ticket, TicketAttachment, TicketMessage
from propass.support.selectors import attachment_for, ticket_for_member, ticket_list
from propass.support.services import ticket_close, ticket_open, ticket_reply_member
from propass.support.views import attachment_response

STATUS_HELP = "One of: " + ", ".join(TicketStatus.values)


class AttachmentSerializer(serializers.ModelSerializer[TicketAttachment]):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = TicketAttachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, attachment: TicketAttachment) -> str:
        return reverse("v1:support_attachment", args=[attachment.message.ticket_id, attachment.pk])


class MessageSerializer(serializers.ModelSerializer[TicketMessage]):
    author = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TicketMessage
        fields = ["id", "body", "from_staff", "author", "created_at", "attachments"]

    def get_author(self, message: TicketMessage) -> str:
        if message.author is None:
            return ""
        return message.author.get_short_name() if message.from_staff else message.author.get_full_name()


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    # A plain string: the status names are listed in its description.
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    category = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(TicketCategory.values))

    class Meta:
        model = Ticket
        fields = ["id", "category", "subject", "status", "created_at", "last_message_at", "closed_at"]


class TicketDetailSerializer(TicketSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "messages"]


class TicketInputSerializer(serializers.Serializer[dict]):
    category = serializers.CharField(help_text="One of: " + ", ".join(TicketCategory.values))
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField()
    attachment = serializers.FileField(required=False, help_text="PDF, JPEG or PNG (multipart requests only)")


class MessageInputSerializer(serializers.Serializer[dict]):
    body = serializers.CharField()
    attachment = serializers.FileField(required=False, help_text="PDF, JPEG or PNG (multipart requests only)")


PARSERS = [JSONParser, MultiPartParser, FormParser]


class TicketListView(ListAPIView[Ticket]):
    """GET: the business's support tickets, the most recently active first. POST: open one
    (JSON, or multipart with an optional `attachment`)."""

    serializer_class = TicketSerializer
    parser_classes = PARSERS

    def get_queryset(self) -> Any:
        return ticket_list(business=caller_business(self.request))

    @extend_schema(request=TicketInputSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request) -> Response:
        business = caller_business(request)
        data = TicketInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = ticket_open(business=business, author=request.user, **data.validated_data)  # type: ignore[arg-type]
        ticket = ticket_for_member(business=business, ticket_id=ticket.pk)
        return Response(TicketDetailSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketDetailView(APIView):
    """One ticket of the business with its messages; another business's is not found."""

    @extend_schema(responses=TicketDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        ticket = ticket_for_member(business=caller_business(request), ticket_id=pk)
        return Response(TicketDetailSerializer(ticket).data)


class TicketMessageView(APIView):
    """Reply to a ticket (JSON, or multipart with an optional `attachment`); a reply to a
    closed ticket opens it again."""

    parser_classes = PARSERS

    @extend_schema(request=MessageInputSerializer, responses={201: TicketDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        business = caller_business(request)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket_reply_member(
            business=business,
            author=request.user,  # type: ignore[arg-type]
            ticket_id=pk,
            **data.validated_data,
        )
        ticket = ticket_for_member(business=business, ticket_id=pk)
        return Response(TicketDetailSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TicketCloseView(APIView):
    """Close a ticket; replying to it later opens it again."""

    @extend_schema(request=None, responses=TicketDetailSerializer)
    def post(self, request: Request, pk: int) -> Response:
        business = caller_business(request)
        ticket_close(business=business, actor=request.user, ticket_id=pk)  # type: ignore[arg-type]
        return Response(TicketDetailSerializer(ticket_for_member(business=business, ticket_id=pk)).data)


class TicketAttachmentView(APIView):
    """Download an attachment of one of the business's tickets."""

    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int, attachment_id: int) -> HttpResponseBase:
        caller_business(request)
        found = attachment_for(user=request.user, attachment_id=attachment_id, ticket_id=pk)  # type: ignore[arg-type]
        if found is None:
            raise NotFound()
        return attachment_response(found)
