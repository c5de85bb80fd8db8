"""Memberships' answers to billing's invoice hooks (`propass.billing.signals`), connected in
`MembershipsConfig.ready`: billing never writes a membership itself."""

from typing import Any

from propass.billing.models import Invoice
from propass.memberships.services import subscription_reinstate, subscription_suspend


def suspend_for_unpaid_invoice(sender: type[Invoice], *, invoice: Invoice, **kwargs: Any) -> None:
    """An invoice unpaid for good suspends the membership it belongs to."""
    if invoice.subscription_id is not None:
        subscription_suspend(subscription_id=invoice.subscription_id, invoice=invoice)


def reinstate_for_paid_invoice(sender: type[Invoice], *, invoice: Invoice, via: str, **kwargs: Any) -> None:
    """A paid invoice makes the membership suspended for it active again."""
    if invoice.subscription_id is not None:
        subscription_reinstate(subscription_id=invoice.subscription_id, invoice=invoice, via=via)
