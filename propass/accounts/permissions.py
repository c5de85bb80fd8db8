from collections.abc import Callable, Collection
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from propass.accounts.enums import BusinessRole, StaffGroup
from propass.accounts.models import Business, BusinessMembership, User

READ_METHODS = frozenset({"GET", "HEAD"})
BILLING_ROLES = {BusinessRole.SUPERUSER, BusinessRole.ADMIN}


def has_billing_rights(*, user: User, business: Business) -> bool:
    """The business superuser and administrators buy, change and pay for the membership and
    export the business's data; members do not."""
    return BusinessMembership.objects.filter(user=user, business=business, role__in=BILLING_ROLES).exists()


def staff_verified(user: Any) -> bool:
    """False for a session that has not passed two-factor authentication yet (django-otp's
    middleware puts `is_verified` on the request's user; a user loaded elsewhere has none)."""
    is_verified = getattr(user, "is_verified", None)
    return is_verified is None or bool(is_verified())


def staff_in(user: User, group: StaffGroup | None, *, groups: Collection[StaffGroup] = ()) -> bool:
    """Staff, and (when roles are named) in one of those roles' groups; Django superusers
    are in all. A login still waiting for its second factor is not staff yet."""
    if not user.is_authenticated or not user.is_active or not user.is_staff or not staff_verified(user):
        return False
    names = [*([group] if group else []), *groups]
    return not names or user.is_superuser or user.groups.filter(name__in=names).exists()


def is_support_agent(user: User) -> bool:
    """A CPS Priority Support agent: the support role (or a Django superuser)."""
    return staff_in(user, StaffGroup.SUPPORT)


def is_service_agent(user: User) -> bool:
    """A service centre agent: the service role (or a Django superuser)."""
    return staff_in(user, StaffGroup.SERVICE)


def staff_may(user: User, roles: Collection[StaffGroup], *, write: bool) -> bool:
    """Superusers may do everything. Other staff need one of `roles` (any staff when none is
    named); a read-only auditor may read every back-office page and change nothing."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    if user.is_superuser or (not roles and not write):
        return True
    mine = set(user.groups.values_list("name", flat=True))
    if write and roles:
        return bool(mine & set(roles))
    if write:
        others = set(StaffGroup.values) - {StaffGroup.AUDITOR}
        return StaffGroup.AUDITOR not in mine or bool(mine & others)
    return bool(mine & {*roles, StaffGroup.AUDITOR})


def staff_required(
    view: Callable[..., HttpResponse] | None = None,
    *,
    group: StaffGroup | None = None,
    groups: Collection[StaffGroup] = (),
) -> Any:
    """Back-office pages: staff who passed two-factor authentication, in `group` or one of
    `groups` if named (see `staff_may`; GET and HEAD read, every other method writes);
    members get 403, anonymous visitors the login page, unverified staff the code page."""
    roles = [*([group] if group else []), *groups]

    def decorate(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.is_staff and user.is_active and not staff_verified(user):
                return redirect_to_login(request.get_full_path(), reverse("accounts:two_factor"))
            if not staff_may(user, roles, write=request.method not in READ_METHODS):  # type: ignore[arg-type]
                raise PermissionDenied
            return func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def two_factor_url(next_url: str = "", *, setup: bool = False) -> str:
    """The code page (or the set-up page), coming back to `next_url` afterwards."""
    url = reverse("accounts:two_factor_setup" if setup else "accounts:two_factor")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
