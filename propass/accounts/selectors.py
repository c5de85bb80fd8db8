from django.db.models import Q, QuerySet
from django.utils import timezone
from knox.models import AuthToken

from propass.accounts.models import Business, User

# An API token is named by the start of its hash: enough to tell a user's tokens apart, and
# nothing of the token itself.
API_TOKEN_ID_LENGTH = 16

_CACHE = "_propass_business"


def business_of(user: User) -> Business | None:
    """The business a user acts for, or None for staff and users without one.

    One query, remembered on the user object for the rest of the request.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE):
        setattr(user, _CACHE, Business.objects.filter(memberships__user=user).first())
    return getattr(user, _CACHE)


def api_token_id(token: AuthToken) -> str:
    """The public id of an API token (for listing and revoking it)."""
    return token.digest[:API_TOKEN_ID_LENGTH]


def api_tokens_live(*, user: User) -> QuerySet[AuthToken]:
    """The user's API tokens that still work, newest first."""
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created", "-digest")
    )
