from datetime import datetime, timedelta

from propass.billing.invoicing import invoice_issue_pending
from propass.core.scheduling import periodic


@periodic("issue-pending-invoices", every=timedelta(minutes=5))
def issue_pending_invoices(*, at: datetime) -> None:
    invoice_issue_pending()


@periodic("collect-card-payments", every=timedelta(hours=1))
def collect_card_payments(*, at: datetime) -> None:
    from propass.billing.collection import invoice_collect_due

    invoice_collect_due(at=at)
