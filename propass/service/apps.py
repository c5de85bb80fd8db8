from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "propass.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        # The repairs' lines of the year's value (memberships.value's provider registry).
        from propass.service import value  # noqa: F401, PLC0415 — models load after the registry
