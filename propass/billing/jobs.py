from datetime import datetime, timedelta

from django.utils import timezone

from propass.billing.collection import invoice_collect_due, invoices_chase_overdue
from propass.billing.credit_notes import refunds_retry
from propass.billing.invoicing import invoice_issue_pending
from propass.core.scheduling import periodic


@periodic("issue-pending-invoices", every=timedelta(minutes=5))
def issue_pending_invoices(*, at: datetime) -> None:
    invoice_issue_pending()


@periodic("collect-card-payments", every=timedelta(hours=1))
def collect_card_payments(*, at: datetime) -> None:
    invoice_collect_due(at=at)


@periodic("chase-bank-transfers", every=timedelta(days=1))
def chase_bank_transfers(*, at: datetime) -> None:
    invoices_chase_overdue(today=timezone.localtime(at).date())


@periodic("retry-refunds", every=timedelta(hours=1))
def retry_refunds(*, at: datetime) -> None:
    refunds_retry()
