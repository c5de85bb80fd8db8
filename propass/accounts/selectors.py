from propass.accounts.models import Business, BusinessMembership, User


def business_of(user: User) -> Business | None:
    """The business a user acts for, or None for staff and users without one."""
    membership: BusinessMembership | None = getattr(user, "membership", None)
    return membership.business if membership is not None else None
