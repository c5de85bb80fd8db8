from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _is_last_app(sender: AppConfig) -> bool:
    # Once per migrate, after the last app's permissions exist.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    return sender.label == last.label


class AccountsConfig(AppConfig):
    name = "propass.accounts"
    label = "accounts"
    verbose_name = _("Accounts and businesses")

    def ready(self) -> None:
        from propass.accounts.services import staff_groups_ensure  # noqa: PLC0415 — models load after the registry

        def staff_groups_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
            if _is_last_app(sender):
                staff_groups_ensure()

        post_migrate.connect(staff_groups_after_migrate, dispatch_uid="propass.accounts.staff_groups", weak=False)
