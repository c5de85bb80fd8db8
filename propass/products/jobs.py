from datetime import datetime, timedelta

from propass.core.scheduling import periodic
from propass.products.services import registration_end_of_support


@periodic("end-of-support", every=timedelta(days=1))
def end_of_support(*, at: datetime) -> None:
    registration_end_of_support(at=at)
