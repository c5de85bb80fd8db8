from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from propass.accounts.enums import StaffGroup
from propass.accounts.models import User


def staff_in(user: User, group: StaffGroup | None, *, groups: Collection[StaffGroup] = ()) -> bool:
    """Staff, and (when roles are named) in one of those roles' groups; Django superusers
    are in all."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    names = [*([group] if group else []), *groups]
    return not names or user.is_superuser or user.groups.filter(name__in=names).exists()


def staff_required(
    view: Callable[..., HttpResponse] | None = None,
    *,
    group: StaffGroup | None = None,
    groups: Collection[StaffGroup] = (),
) -> Any:
    """Back-office pages: staff (in `group` or one of `groups`, if named) only; members get
    403, anonymous visitors the login page."""

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not staff_in(request.user, group, groups=groups):  # type: ignore[arg-type]
                raise PermissionDenied
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
