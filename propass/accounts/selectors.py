from propass.accounts.models import Business, User

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
