from datetime import datetime, timedelta

from propass.billing.invoicing import invoice_issue_pending
from propass.core.scheduling import periodic


@periodic("issue-pending-invoices", every=timedelta(minutes=5))
def issue_pending_invoices(*, at: datetime) -> None:
    invoice_issue_pending()
