from datetime import datetime, timedelta

from propass.core.scheduling import periodic
from propass.notifications.services import outbox_retry_due


@periodic("outbox-retry", every=timedelta(minutes=5))
def outbox_retry(*, at: datetime) -> None:
    outbox_retry_due(at=at)
