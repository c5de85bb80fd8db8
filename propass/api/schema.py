"""The OpenAPI schema declares the API's error answers, in the one error shape, wherever they
can happen, so that a client (and schemathesis) meets no undocumented status."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication

from propass.api.authentication import VerifiedSessionScheme  # noqa: F401 - registers the session cookie in the schema
from propass.core.api import ErrorSerializer

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


DESCRIPTIONS = {
    "400": "Invalid input, or a rule said no (see `error.code`).",
    "401": "No credentials, or credentials that are not valid.",
    "402": "The payment was refused.",
    "403": "Not allowed for the caller (or a session request without its CSRF token).",
    "404": "Not found, or not visible to the caller.",
    "409": "Already done, or changed by someone else meanwhile.",
    "415": "The request body is not in a content type the operation accepts.",
    "422": "The Idempotency-Key was used before with another request.",
    "429": "Too many requests (throttled, or the login is locked for a while).",
    "503": "A service we depend on is not answering; nothing was changed.",
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status_code in self._error_statuses(operation):
            if status_code not in responses:
                responses[status_code] = {
                    **self._get_response_for_code(ErrorSerializer, status_code),
                    "description": DESCRIPTIONS[status_code],
                }
        return operation

    def _error_statuses(self, operation: dict[str, Any]) -> list[str]:
        view = self.view
        unsafe = self.method not in SAFE_METHODS
        parameters = operation.get("parameters", [])
        authentication = view.get_authenticators()
        public = all(isinstance(p, permissions.AllowAny) for p in view.get_permissions())
        statuses = []
        if unsafe or any(p["in"] == "query" for p in parameters) or "requestBody" in operation:
            statuses.append("400")
        if authentication:
            statuses.append("401")  # a token that is not valid is refused even where anyone may call
        if not public or (unsafe and any(isinstance(a, SessionAuthentication) for a in authentication)):
            statuses.append("403")
        if any(p["in"] == "path" for p in parameters) or not public:
            statuses.append("404")  # or a caller without a business (accounts.rest.caller_business)
        if unsafe:
            statuses.append("409")
        if "requestBody" in operation:
            statuses.append("415")
        if any(p["in"] == "header" and p["name"].lower() == "idempotency-key" for p in parameters):
            statuses.append("422")
        if view.get_throttles():
            statuses.append("429")
        return statuses
