from datetime import datetime, timedelta

from propass.core.scheduling import periodic
from propass.service.loans import loan_deposits_release, loan_reminders_send


@periodic("loan-reminders", every=timedelta(days=1))
def loan_reminders(*, at: datetime) -> None:
    loan_reminders_send(at=at)


@periodic("release-loan-deposits", every=timedelta(hours=1))
def release_loan_deposits(*, at: datetime) -> None:
    loan_deposits_release()
