"""The API's throttles count by `client_address` (never by a header a client can rotate), in the
shared cache (the database cache, or Redis), so every web process counts together."""

from typing import Any

from rest_framework import renderers, serializers, throttling

from propass.core.models import ViesCheck
from propass.core.ratelimit import client_address


class ClientRateThrottle(throttling.AnonRateThrottle):
    """AnonRateThrottle keyed by the client's address (see propass/core/ratelimit.py)."""

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class DownloadRenderer(renderers.BaseRenderer):
    """For a view that answers a file itself (an invoice PDF, a slip, an attachment): lets a
    client that asks for the file's type (`Accept: application/pdf`, `image/png`, …: what HTTP
    clients send for a download) through content negotiation instead of a 406. The file goes
    out as the view made it; an error the API answers instead (not found, no rights) is JSON."""

    media_type = "*/*"
    format = "download"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return renderers.JSONRenderer().render(data, "application/json", renderer_context)


class PdfRenderer(DownloadRenderer):
    media_type = "application/pdf"
    format = "pdf"


class XmlRenderer(DownloadRenderer):
    media_type = "application/xml"
    format = "xml"


DOWNLOAD_RENDERERS = [renderers.JSONRenderer, DownloadRenderer]
PDF_RENDERERS = [renderers.JSONRenderer, PdfRenderer]
XML_RENDERERS = [renderers.JSONRenderer, XmlRenderer]


class ViesCheckSerializer(serializers.ModelSerializer[ViesCheck]):
    """A VIES check as staff see it: VIES's answer with its consultation number, request date,
    and the name and address exactly as returned (core/vies.py)."""

    vat_number = serializers.CharField(read_only=True)

    class Meta:
        model = ViesCheck
        fields = [
            "id", "status", "vat_number", "consultation_number", "requested_at", "name", "address", "attempts",
            "next_attempt_at", "last_error", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
