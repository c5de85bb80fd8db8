"""How the API knows the caller: an API token, or the browser session the pages use."""

from typing import Any

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication
from rest_framework.request import Request

from propass.accounts.permissions import staff_verified


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser session, as the pages see it: a staff member who has typed the password but
    not yet the second factor is not logged in for the API either (not even for `/me/`)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        found = super().authenticate(request)
        if found is not None and found[0].is_staff and not staff_verified(found[0]):
            return None
        return found


class VerifiedSessionScheme(SessionScheme):
    """The schema names it as the session cookie it is (drf-spectacular finds extensions by class)."""

    target_class = "propass.api.authentication.SessionAuthentication"
