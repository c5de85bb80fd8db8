from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propass.notifications.models import Notification
from propass.notifications.selectors import notification_list
from propass.notifications.services import notification_mark_all_read, notification_mark_read


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    title = serializers.CharField(source="title_text", read_only=True)
    body = serializers.CharField(source="body_text", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "params", "created_at", "read_at"]


class NotificationListView(ListAPIView[Notification]):
    """The caller's notifications, newest first, in the caller's language (Accept-Language or
    the user's language)."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> Any:
        return notification_list(user=self.request.user)  # type: ignore[arg-type]


class NotificationReadView(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        notification = notification_mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    def post(self, request: Request) -> Response:
        return Response({"marked": notification_mark_all_read(user=request.user)})  # type: ignore[arg-type]
