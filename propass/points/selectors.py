from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from propass.accounts.models import Business
from propass.core.selectors import program_current
from propass.points.models import LedgerEntry


def ledger_for(*, business: Business) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(business=business).order_by("-created_at", "-id")


@dataclass(frozen=True)
class Progress:
    balance: int
    target: int
    label: str
    missing: int
    invited: bool
    is_invitation: bool


def points_progress(*, business: Business | None) -> Progress | None:
    """The balance against the next goal: the invitation threshold first, then the next tier."""
    if business is None:
        return None
    program = program_current()
    balance = business.points_balance
    from propass.memberships.models import Tier

    goals = [(program.invitation_threshold, str(_("Invitation")))]
    goals += [
        (tier.min_points, tier.name)
        for tier in Tier.objects.filter(active=True, min_points__gt=program.invitation_threshold)
        .order_by("min_points", "position")
        .distinct()
    ]
    target, label = next(((points, name) for points, name in goals if points > balance), goals[-1])
    return Progress(
        balance=balance,
        target=target,
        label=label,
        missing=max(target - balance, 0),
        invited=business.invited_at is not None,
        is_invitation=target == program.invitation_threshold and business.invited_at is None,
    )
