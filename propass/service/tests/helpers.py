from propass.products.tests.helpers import camera, register
from propass.service.services import ServiceRequestInput, service_request_create


def credited(business, serial="012345678901", code="EOS-R5"):
    """A credited registration (every detail, points credited) of a camera."""
    registration = register(business, camera(code), serial)
    assert registration.status == "complete"
    return registration


def ask(business, actor, registration, kind="repair", centre="amstelveen", attachments=(), **fields):
    """Open a service request the way the form does."""
    data = ServiceRequestInput(
        registration_id=registration.pk if registration else None,
        kind=kind,
        description=fields.pop("description", "The shutter jams after a few hundred frames."),
        centre=centre,
        **fields,
    )
    return service_request_create(business=business, actor=actor, data=data, attachments=attachments)
