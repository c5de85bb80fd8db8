"""The API's throttles count by `client_address` (never by a header a client can rotate), in the
shared cache (the database cache, or Redis), so every web process counts together."""

from typing import Any

from rest_framework import throttling

from propass.core.ratelimit import client_address


class ClientRateThrottle(throttling.AnonRateThrottle):
    """AnonRateThrottle keyed by the client's address (see propass/core/ratelimit.py)."""

    def get_ident(self, request: Any) -> str:
        return client_address(request)
