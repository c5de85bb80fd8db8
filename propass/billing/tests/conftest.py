import pytest

from propass.accounts.models import Business
from propass.billing.invoicing import invoice_issue
from propass.memberships.services import CheckoutInput, subscription_checkout


@pytest.fixture
def shop(shop, business):
    """The root `shop` (program, sellers and tiers seeded), and the business as a Dutch one
    paying in EUR, with 600 points."""
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def invoice(shop, owner):
    """An issued bank-transfer invoice of Alpha Studio for a Silver membership."""
    subscription = subscription_checkout(
        business=shop, actor=owner,
        data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="bank_transfer"),
    )  # fmt: skip
    return invoice_issue(request_id=subscription.invoice_requests.get().pk)
