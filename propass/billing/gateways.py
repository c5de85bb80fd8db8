"""Payment gateways: authorise a card with a zero amount, charge it later, refund; hold a
deposit on the stored card, capture it or release it.

The sandbox gateway answers like a card processor's test mode, with the tokens of
CONTRACT.md: tok_visa (authorises and charges), tok_chargeDeclined (authorisation refused),
tok_insufficientFunds (authorises, but the later charge, or a hold, fails).
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from propass.billing.gateway_protocol import (
    CardAuthorisation,
    Charge,
    GatewayUnavailable,
    Hold,
    PaymentDeclined,
    PaymentGateway,
)
from propass.billing.stripe_gateway import StripeGateway

__all__ = [
    "CardAuthorisation",
    "Charge",
    "GatewayUnavailable",
    "Hold",
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

    def hold(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Hold:
        if card.endswith("tok_insufficientFunds"):
            raise PaymentDeclined(_("The card was declined: insufficient funds."), code="insufficient_funds")
        if not card.startswith("card_"):
            raise PaymentDeclined(_("There is no card on file to charge."), code="invalid_card")
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        return Hold(reference=f"hold_{digest}", amount=amount, currency=currency)

    def capture(self, *, hold: Hold, amount: Decimal, idempotency_key: str) -> Charge:
        if amount <= 0 or amount > hold.amount:
            raise PaymentDeclined(_("The amount to capture is more than the amount held."), code="amount_too_large")
        return Charge(reference=f"ch_{hold.reference.removeprefix('hold_')}", amount=amount, currency=hold.currency)

    def release(self, *, hold: Hold, idempotency_key: str) -> None:
        return None


def gateway() -> PaymentGateway:
    """The configured gateway (PAYMENT_PROVIDER)."""
    if settings.PAYMENT_PROVIDER == "stripe":
        return StripeGateway()
    return SandboxGateway()
