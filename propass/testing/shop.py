"""Buying a membership in a test, the way the checkout does."""

from datetime import date, datetime

from django.utils import timezone

from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice
from propass.memberships.models import Subscription
from propass.memberships.services import CheckoutInput, subscription_checkout


def buy(
    business,
    owner,
    *,
    tier: str = "silver",
    method: str = "card",
    token: str = "tok_visa",  # noqa: S107 (a sandbox test card)
    auto_renew: bool = True,
) -> tuple[Subscription, Invoice]:
    """Check out a one-year membership and issue its invoice at once."""
    subscription = subscription_checkout(
        business=business,
        actor=owner,
        data=CheckoutInput(
            tier=tier, term_years=1, auto_renew=auto_renew, po_number="", accept_terms=True,
            payment_method=method, payment_token=token if method == "card" else "",
        ),
    )  # fmt: skip
    invoice = invoice_issue(request_id=subscription.invoice_requests.get().pk)
    return subscription, invoice


def morning(day: date) -> datetime:
    """06:00 local time on `day`, when the scheduler's daily jobs run."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, 6, 0))
