from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _staff_groups_after_migrate(sender: AppConfig, **kwargs: Any) -> None:
    # Once per migrate, after the last app's permissions exist.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label == last.label:
        from propass.accounts.services import staff_groups_ensure

        staff_groups_ensure()


class AccountsConfig(AppConfig):
    name = "propass.accounts"
    label = "accounts"
    verbose_name = _("Accounts and businesses")

    def ready(self) -> None:
        post_migrate.connect(_staff_groups_after_migrate, dispatch_uid="propass.accounts.staff_groups")
