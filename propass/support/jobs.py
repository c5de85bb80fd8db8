from datetime import datetime, timedelta

from propass.core.scheduling import periodic
from propass.support.services import tickets_alert_overdue


@periodic("support-sla-alerts", every=timedelta(minutes=15))
def support_sla_alerts(*, at: datetime) -> None:
    """Tell the agents about tickets whose answer deadline has passed."""
    tickets_alert_overdue(at=at)
