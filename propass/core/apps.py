from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


def cache_table_create(using: str = "default", **kwargs: Any) -> None:
    """The database cache (rate limits and throttles, shared by every process; settings CACHES)
    needs its table: every `migrate` creates it when missing (nothing to do with Redis)."""
    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "propass.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        import_module("propass.core.lookups")  # registers field__any

        # Each app registers its periodic jobs in its own jobs.py.
        autodiscover_modules("jobs")
        post_migrate.connect(cache_table_create, sender=self, dispatch_uid="propass.core.cache_table_create")
