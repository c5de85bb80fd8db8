from datetime import datetime, timedelta

from propass.accounts.services import api_token_purge, token_purge
from propass.core.scheduling import periodic


@periodic("purge-expired-tokens", every=timedelta(hours=1))
def purge_expired_tokens(*, at: datetime) -> None:
    token_purge(at=at)
    api_token_purge(at=at)
