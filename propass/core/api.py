"""`@idempotent`: the `Idempotency-Key` header on an API operation (core/idempotency.py keeps
the keys). The first answer to a key is replayed, with `Idempotent-Replayed: true`, to a repeat
by the same caller with the same body for 24 hours; the same key with another body is a 422.
Answers below 500 are stored, refusals included (as Stripe does): a retry gets the same answer,
and a new attempt needs a new key. Server errors are not stored, so a retry runs again."""

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from propass.core.errors import InvalidInput
from propass.core.idempotency import (
    Claim,
    IdempotencyKeyInProgress,
    StoredAnswer,
    idempotency_claim,
    idempotency_release,
    idempotency_store,
)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
# Printable ASCII, no spaces at either end (a UUID fits); the schema declares the same.
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
# Headers the renderer and the middleware set again on a replay are not stored.
_NOT_STORED = {"content-type", "content-length", "content-language", "vary", "allow"}

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key per attempt (1 to 255 printable ASCII characters, e.g. a UUID). The first answer "
        f"to a key is replayed, with `{REPLAYED}: true`, for 24 hours to a repeat with the same body; "
        "the same key with another body answers 422 `idempotency_key_reused`, and a repeat while the "
        "first request still runs answers 409 `idempotency_key_in_progress` (retry it). Server errors "
        "(5xx) are not stored."
    ),
)


class ErrorDetailSerializer(serializers.Serializer[dict]):
    code = serializers.CharField(help_text="Stable, for programs: `invalid`, `not_found`, `throttled`, …")
    message = serializers.CharField(help_text="For people, in the caller's language.")
    # The contract's name; DRF's metaclass takes it out of the class, so `Serializer.fields` stays.
    fields = serializers.DictField(  # type: ignore[assignment]
        help_text="Field name → messages, for `invalid` input; else empty."
    )


class ErrorSerializer(serializers.Serializer[dict]):
    """The API's one error shape, `{"error": {"code", "message", "fields"}}` (api/schema.py declares it)."""

    error = ErrorDetailSerializer()


IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(ErrorSerializer, description="Conflict, or a request with this key is still running."),
    422: OpenApiResponse(ErrorSerializer, description="The Idempotency-Key was used with another body."),
}


def idempotent(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Honour `Idempotency-Key` on an APIView handler (post, patch, …) of authenticated callers.
    Put it above `@extend_schema`, whose `responses` should list the 409 and 422 of
    IDEMPOTENCY_RESPONSES; it declares the header itself."""

    @functools.wraps(handler)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_LENGTH or not re.fullmatch(KEY_PATTERN, key):
            message = _("Send a key of 1 to %(max)s printable ASCII characters, such as a UUID.") % {"max": MAX_LENGTH}
            raise InvalidInput(fields={HEADER: [message]})
        try:
            outcome = idempotency_claim(
                user=request.user,
                key=key,
                method=request.method or "",
                path=request.path,
                fingerprint=_fingerprint(request),
            )
        except IdempotencyKeyInProgress as error:
            busy = view.handle_exception(error)
            busy["Retry-After"] = "1"
            return busy
        if isinstance(outcome, StoredAnswer):
            body = json.loads(outcome.body) if outcome.body else None
            return Response(body, status=outcome.code, headers={**outcome.headers, REPLAYED: "true"})
        return _run(outcome, handler, view, request, *args, **kwargs)

    return extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(wrapper)


def _run(claim: Claim, handler: Callable[..., Any], view: APIView, request: Request, *args: Any, **kwargs: Any) -> Any:
    """Run the operation under `claim` and store its answer, or release the claim."""
    try:
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as error:
            # The answer DRF would give (its exception handler); an unexpected error re-raises.
            response = view.handle_exception(error)
    except BaseException:
        idempotency_release(claim=claim)
        raise
    if isinstance(response, Response) and response.status_code < 500:
        body = json.dumps(response.data, cls=JSONEncoder) if response.data is not None else ""
        headers = {name: value for name, value in response.items() if name.lower() not in _NOT_STORED}
        idempotency_store(claim=claim, code=response.status_code, body=body, headers=headers)
    else:
        idempotency_release(claim=claim)
    return response


class _CanonicalEncoder(JSONEncoder):
    def default(self, obj: Any) -> Any:
        if hasattr(obj, "chunks"):  # an uploaded file: its content
            digest = hashlib.sha256()
            for chunk in obj.chunks():
                digest.update(chunk)
            obj.seek(0)
            return digest.hexdigest()
        return super().default(obj)


def _fingerprint(request: Request) -> str:
    """The body as canonical JSON (key order and spacing do not matter), hashed."""
    data = request.data
    if isinstance(data, QueryDict):
        data = {name: data.getlist(name) for name in sorted(data)}
    canonical = json.dumps(data, cls=_CanonicalEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
