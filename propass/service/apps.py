from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propass.products.signals import registration_busy


class ServiceConfig(AppConfig):
    name = "propass.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        # Products asks whether a product is busy before it changes hands (products/signals.py).
        from propass.service import handlers  # noqa: PLC0415 — models load after the registry

        registration_busy.connect(handlers.registration_in_service, dispatch_uid="service.registration_in_service")
        # The repairs' lines of the year's value (memberships.value's provider registry).
        from propass.service import value  # noqa: F401, PLC0415 — models load after the registry
