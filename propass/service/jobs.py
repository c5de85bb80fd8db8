from datetime import datetime, timedelta

from django.utils import timezone

from propass.core.scheduling import periodic
from propass.service.loans import loan_deposits_release, loan_reminders_send
from propass.service.promises import promises_missed_notice, promises_settle


@periodic("loan-reminders", every=timedelta(days=1))
def loan_reminders(*, at: datetime) -> None:
    loan_reminders_send(at=at)


@periodic("release-loan-deposits", every=timedelta(hours=1))
def release_loan_deposits(*, at: datetime) -> None:
    loan_deposits_release()


@periodic("service-promises", every=timedelta(hours=1))
def service_promises(*, at: datetime) -> None:
    """Requests past their promise are told at once (within the hour); ready ones made good."""
    today = timezone.localtime(at).date()
    promises_missed_notice(today=today)
    promises_settle(today=today)
