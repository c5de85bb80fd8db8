from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from propass.billing.signals import invoice_finally_unpaid, invoice_paid, invoices_paid


class MembershipsConfig(AppConfig):
    name = "propass.memberships"
    label = "memberships"
    verbose_name = _("Memberships")

    def ready(self) -> None:
        # Billing's invoice hooks suspend and reinstate memberships (see billing/signals.py).
        from propass.memberships import handlers  # noqa: PLC0415 — models load after the registry

        invoice_finally_unpaid.connect(handlers.suspend_for_unpaid_invoice, dispatch_uid="memberships.suspend")
        invoice_paid.connect(handlers.reinstate_for_paid_invoice, dispatch_uid="memberships.reinstate")
        invoices_paid.connect(handlers.reinstate_for_paid_invoices, dispatch_uid="memberships.reinstate_many")
