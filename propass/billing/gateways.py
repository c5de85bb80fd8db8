"""Payment gateways: authorise a card with a zero amount, charge it later, refund.

The sandbox gateway answers like a card processor's test mode, with the tokens of
CONTRACT.md: tok_visa (authorises and charges), tok_chargeDeclined (authorisation refused),
tok_insufficientFunds (authorises, but the later charge fails).
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from propass.billing.gateway_protocol import (
    CardAuthorisation,
    Charge,
    GatewayUnavailable,
    PaymentDeclined,
    PaymentGateway,
)
from propass.billing.stripe_gateway import StripeGateway

__all__ = [
    "CardAuthorisation",
    "Charge",
    "GatewayUnavailable",
    "PaymentDeclined",
    "PaymentGateway",
    "SandboxGateway",
    "StripeGateway",
    "gateway",
]


class SandboxGateway:
    TOKENS = {
        "tok_visa": ("visa", "4242", True),
        "tok_insufficientFunds": ("visa", "9995", False),
    }

    def authorise(self, *, token: str, customer: str) -> CardAuthorisation:
        if token == "tok_chargeDeclined":
            raise PaymentDeclined(_("The card was declined by the bank (do not honour)."))
        if token not in self.TOKENS:
            raise PaymentDeclined(_("The card details are not valid."), code="invalid_card")
        brand, last4, _chargeable = self.TOKENS[token]
        digest = hashlib.sha256(f"{customer}:{token}".encode()).hexdigest()[:16]
        return CardAuthorisation(reference=f"card_{digest}_{token}", brand=brand, last4=last4)

    def charge(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        if card.endswith("tok_insufficientFunds"):
            raise PaymentDeclined(_("The charge was declined: insufficient funds."), code="insufficient_funds")
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        return Charge(reference=f"ch_{digest}", amount=amount, currency=currency)

    def refund(self, *, charge: str, amount: Decimal, idempotency_key: str) -> str:
        return f"re_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"


def gateway() -> PaymentGateway:
    """The configured gateway (PAYMENT_PROVIDER)."""
    if settings.PAYMENT_PROVIDER == "stripe":
        return StripeGateway()
    return SandboxGateway()
