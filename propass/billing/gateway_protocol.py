"""What every payment gateway answers with and raises; `gateways.gateway()` picks the one
configured."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from propass.core.errors import DomainError


class PaymentDeclined(DomainError):
    code = "payment_declined"
    http_status = 402
    default_message = _("The card was declined.")


class GatewayUnavailable(DomainError):
    code = "gateway_unavailable"
    http_status = 503
    default_message = _("The payment service is not answering. Nothing was charged or created; please try again.")


@dataclass(frozen=True)
class CardAuthorisation:
    reference: str  # the stored card at the gateway, to charge later
    brand: str
    last4: str


@dataclass(frozen=True)
class Charge:
    reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Hold:
    """An amount authorised (held, not charged) on a stored card: a deposit."""

    reference: str
    amount: Decimal
    currency: str


class PaymentGateway(Protocol):
    """Cards: authorise and store one (zero amount), charge it, refund; deposits: hold an
    amount on the stored card (authorised, not charged), capture part or all of it, release it."""

    def authorise(self, *, token: str, customer: str) -> CardAuthorisation: ...

    def charge(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge: ...

    def refund(self, *, charge: str, amount: Decimal, idempotency_key: str) -> str: ...

    def hold(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Hold: ...

    def capture(self, *, hold: Hold, amount: Decimal, idempotency_key: str) -> Charge: ...

    def release(self, *, hold: Hold, idempotency_key: str) -> None: ...
