from datetime import datetime, timedelta

from django.utils import timezone

from propass.core.scheduling import periodic
from propass.memberships.renewals import renewals_run


@periodic("renewals", every=timedelta(days=1))
def renewals(*, at: datetime) -> None:
    """Renewals, expiry reminders and expiries for the day."""
    renewals_run(today=timezone.localtime(at).date())
