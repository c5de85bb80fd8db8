"""Memberships' answers to billing's invoice hooks (`propass.billing.signals`), connected in
`MembershipsConfig.ready`: billing never writes a membership itself."""

from typing import Any

from propass.billing.models import Invoice
from propass.memberships.enums import SubscriptionStatus
from propass.memberships.models import Subscription
from propass.memberships.services import subscription_reinstate, subscription_suspend


def suspend_for_unpaid_invoice(sender: type[Invoice], *, invoice: Invoice, **kwargs: Any) -> None:
    """An invoice unpaid for good suspends the membership it belongs to."""
    if invoice.subscription_id is not None:
        subscription_suspend(subscription_id=invoice.subscription_id, invoice=invoice)


def reinstate_for_paid_invoice(sender: type[Invoice], *, invoice: Invoice, via: str, **kwargs: Any) -> None:
    """A paid invoice makes the membership suspended for it active again."""
    if invoice.subscription_id is not None:
        subscription_reinstate(subscription_id=invoice.subscription_id, invoice=invoice, via=via)


def reinstate_for_paid_invoices(
    sender: type[Invoice], *, invoices: list[Invoice], via: dict[int, str], **kwargs: Any
) -> None:
    """A batch of paid invoices: the memberships suspended for them are active again (one
    query finds them; most batches have none)."""
    ids = {invoice.subscription_id for invoice in invoices if invoice.subscription_id is not None}
    suspended = set(
        Subscription.objects.filter(pk__in=ids, status=SubscriptionStatus.SUSPENDED).values_list("pk", flat=True)
    )
    for invoice in invoices:
        if invoice.subscription_id in suspended:
            subscription_reinstate(subscription_id=invoice.subscription_id, invoice=invoice, via=via[invoice.pk])
