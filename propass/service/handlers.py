"""Service's answers to products' hooks (`propass.products.signals`), connected in
`ServiceConfig.ready`: products never reads a service request itself."""

from typing import Any

from django.utils.translation import gettext as _

from propass.products.models import Registration
from propass.service.enums import FINISHED
from propass.service.models import ServiceRequest


def registration_in_service(sender: type[Registration], *, registration: Registration, **kwargs: Any) -> str | None:
    """A product with an open service request (not closed or cancelled) is with the service
    centre or about to be: it cannot change hands until the request is finished."""
    reference = (
        ServiceRequest.objects.filter(registration_id=registration.pk)
        .exclude(status__in=FINISHED)
        .values_list("reference", flat=True)
        .first()
    )
    if reference is None:
        return None
    return _(
        "This product has an open service request, %(reference)s: it cannot be transferred until it is closed."
    ) % {"reference": reference}
