from datetime import datetime, timedelta

from django.utils import timezone

from propass.core.scheduling import periodic
from propass.memberships.points_at_risk import points_at_risk_run
from propass.memberships.renewals import renewals_run


@periodic("renewals", every=timedelta(days=1))
def renewals(*, at: datetime) -> None:
    """Renewals, expiry reminders and expiries for the day."""
    renewals_run(today=timezone.localtime(at).date())


@periodic("points-at-risk", every=timedelta(days=1))
def points_at_risk(*, at: datetime) -> None:
    """Products 90 and 30 days before their end of support: the business is told."""
    points_at_risk_run(today=timezone.localtime(at).date())
