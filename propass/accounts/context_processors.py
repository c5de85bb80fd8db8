from typing import Any

from django.http import HttpRequest

from propass.accounts.selectors import business_of
from propass.notifications.selectors import notification_unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the top bar needs: the caller's business and the bell's unread count (lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_business": lambda: business_of(user),
        "unread_count": lambda: notification_unread_count(user=user),
    }
