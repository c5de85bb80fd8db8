from datetime import datetime, timedelta

from django.utils import timezone

from propass.core.scheduling import periodic


@periodic("renewals", every=timedelta(days=1))
def renewals(*, at: datetime) -> None:
    """Renewals, expiry reminders and expiries for the day."""
    from propass.memberships.renewals import renewals_run

    renewals_run(today=timezone.localtime(at).date())
