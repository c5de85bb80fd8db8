"""What the per-app API modules share: the business a caller acts for."""

from rest_framework.request import Request

from propass.accounts.models import Business
from propass.accounts.selectors import business_of
from propass.core.errors import NotFound


def caller_business(request: Request) -> Business:
    """The business the API caller acts for; callers without one get 404."""
    business = business_of(request.user)  # type: ignore[arg-type]
    if business is None:
        raise NotFound()
    return business
