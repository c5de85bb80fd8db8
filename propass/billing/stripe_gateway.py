"""The Stripe gateway: the PaymentGateway protocol on Stripe's API, with the official library.

authorise stores the card for later (a confirmed off-session SetupIntent: Stripe's zero-amount
authorisation) and returns "cus_…/pm_…"; charge confirms an off-session PaymentIntent under the
caller's idempotency key, which Stripe receives both as its Idempotency-Key header (a repeated
call returns the first answer, never a second charge) and in the metadata (so a webhook can find
the payment when the answer to the call itself never arrived). A deposit hold is the same
off-session PaymentIntent with `capture_method=manual` (authorised, not charged: status
requires_capture); capture takes part or all of it, release cancels the intent.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from propass.billing.gateway_protocol import CardAuthorisation, Charge, GatewayUnavailable, Hold, PaymentDeclined

logger = logging.getLogger(__name__)

# Connect and read timeouts (seconds) and retries of one call. A retry reuses the idempotency
# key, so a charge whose answer was lost is answered again rather than made twice.
TIMEOUT = (5.0, 20.0)
MAX_NETWORK_RETRIES = 2

# Stripe's amounts are in the currency's minor unit (https://docs.stripe.com/currencies).
# These have none; ISK and HUF are special cases that Stripe still takes with two decimals.
ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}

CUSTOMER_KEY = "propass_customer"


def minor_units(amount: Decimal, currency: str) -> int:
    """The amount as Stripe's integer in minor units (cents; yen for JPY). An amount finer than
    the currency allows is refused instead of rounded: the invoice already rounded it."""
    code = currency.upper()
    exponent = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    scaled = amount.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {code} has more decimals than {code} allows")
    return int(scaled)


def from_minor_units(value: int, currency: str) -> Decimal:
    code = currency.upper()
    exponent = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    return Decimal(value).scaleb(-exponent)


def _provider_message(error: stripe.StripeError) -> str:
    return str(error.user_message or _("The card was declined."))


@contextmanager
def _answers(action: str, *, invalid_message: Any = None) -> Iterator[None]:
    """Stripe's errors as the gateway's: a refused card or request is PaymentDeclined with
    Stripe's message and decline code; no answer, a rate limit, a server error or a rejected
    API key is GatewayUnavailable (nothing happened, or it is safe to repeat with the same key)."""
    try:
        yield
    except stripe.CardError as error:
        decline_code = getattr(error.error, "decline_code", None) if error.error else None
        raise PaymentDeclined(_provider_message(error), code=decline_code or error.code or None) from error
    except (stripe.InvalidRequestError, stripe.IdempotencyError) as error:
        logger.warning("Stripe refused the %s request: %s", action, error)
        if invalid_message is not None:
            raise PaymentDeclined(invalid_message, code="invalid_card") from error
        raise PaymentDeclined(_provider_message(error), code=error.code or "invalid_request") from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        logger.error("Stripe refused the API key (%s): %s", action, error)
        raise GatewayUnavailable() from error
    except stripe.StripeError as error:
        logger.warning("Stripe did not answer the %s request: %s", action, error)
        raise GatewayUnavailable() from error


class StripeGateway:
    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_base: str | None = None,
        max_network_retries: int = MAX_NETWORK_RETRIES,
    ) -> None:
        self.client = stripe.StripeClient(
            api_key or settings.STRIPE_SECRET_KEY,
            base_addresses={"api": (api_base or settings.STRIPE_API_BASE).rstrip("/")},
            http_client=stripe.RequestsClient(timeout=TIMEOUT),
            max_network_retries=max_network_retries,
        )

    def authorise(self, *, token: str, customer: str) -> CardAuthorisation:
        if not token.startswith("pm_"):
            raise PaymentDeclined(_("The card details are not valid."), code="invalid_card")
        with _answers("authorise", invalid_message=_("The card details are not valid.")):
            customer_id = self._customer(customer)
            intent = self.client.v1.setup_intents.create(
                params={
                    "customer": customer_id,
                    "payment_method": token,
                    "allowed_payment_method_types": ["card"],
                    "usage": "off_session",
                    "confirm": True,
                    "metadata": {CUSTOMER_KEY: customer},
                    "expand": ["payment_method"],
                }
            )
            if intent.status != "succeeded":
                raise self._refused(intent.status, intent.last_setup_error)
            method = intent.payment_method
            if method is None:
                raise PaymentDeclined(_("The card details are not valid."), code="invalid_card")
            if isinstance(method, str):
                method = self.client.v1.payment_methods.retrieve(method)
        card = method.card
        return CardAuthorisation(
            reference=f"{customer_id}/{method.id}",
            brand=card.brand if card else "",
            last4=card.last4 if card else "",
        )

    def charge(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        customer_id, _sep, method_id = card.partition("/")
        if not (customer_id.startswith("cus_") and method_id.startswith("pm_")):
            raise PaymentDeclined(_("There is no card on file to charge."), code="invalid_card")
        with _answers("charge"):
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": minor_units(amount, currency),
                    "currency": currency.lower(),
                    "customer": customer_id,
                    "payment_method": method_id,
                    "allowed_payment_method_types": ["card"],
                    "off_session": True,
                    "confirm": True,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        if intent.status == "processing":
            # Not settled yet: the payment stays pending; the webhook (or the next run, which
            # gets the same intent back) records the outcome.
            raise GatewayUnavailable(_("The card payment is still being processed."))
        if intent.status != "succeeded":
            raise self._refused(intent.status, intent.last_payment_error)
        return Charge(reference=intent.id, amount=amount, currency=currency)

    def refund(self, *, charge: str, amount: Decimal, idempotency_key: str) -> str:
        with _answers("refund"):
            intent = self.client.v1.payment_intents.retrieve(charge)
            refund = self.client.v1.refunds.create(
                params={"payment_intent": charge, "amount": minor_units(amount, intent.currency)},
                options={"idempotency_key": idempotency_key},
            )
        return refund.id

    def hold(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Hold:
        customer_id, _sep, method_id = card.partition("/")
        if not (customer_id.startswith("cus_") and method_id.startswith("pm_")):
            raise PaymentDeclined(_("There is no card on file to charge."), code="invalid_card")
        with _answers("hold"):
            intent = self.client.v1.payment_intents.create(
                params={
                    "amount": minor_units(amount, currency),
                    "currency": currency.lower(),
                    "customer": customer_id,
                    "payment_method": method_id,
                    "allowed_payment_method_types": ["card"],
                    "capture_method": "manual",
                    "off_session": True,
                    "confirm": True,
                    "metadata": {"idempotency_key": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        if intent.status != "requires_capture":
            raise self._refused(intent.status, intent.last_payment_error)
        return Hold(reference=intent.id, amount=amount, currency=currency)

    def capture(self, *, hold: Hold, amount: Decimal, idempotency_key: str) -> Charge:
        with _answers("capture"):
            intent = self.client.v1.payment_intents.capture(
                hold.reference,
                params={"amount_to_capture": minor_units(amount, hold.currency)},
                options={"idempotency_key": idempotency_key},
            )
        if intent.status != "succeeded":
            raise self._refused(intent.status, intent.last_payment_error)
        return Charge(reference=intent.id, amount=amount, currency=hold.currency)

    def release(self, *, hold: Hold, idempotency_key: str) -> None:
        with _answers("release"):
            self.client.v1.payment_intents.cancel(
                hold.reference, params={}, options={"idempotency_key": idempotency_key}
            )

    def _customer(self, customer: str) -> str:
        """The Stripe customer of this ProPass customer: found by its metadata, else created."""
        try:
            found = self.client.v1.customers.search(params={"query": f"metadata['{CUSTOMER_KEY}']:'{customer}'"})
        except stripe.InvalidRequestError:  # search is not offered in every region
            found = None
        if found is not None and found.data:
            return found.data[0].id
        created = self.client.v1.customers.create(
            params={"description": customer, "metadata": {CUSTOMER_KEY: customer}}
        )
        return created.id

    @staticmethod
    def _refused(status: str, error: Any) -> PaymentDeclined:
        if status == "requires_action":
            return PaymentDeclined(
                _("The bank asks for the card holder to confirm this payment, which is not possible here."),
                code="authentication_required",
            )
        message = getattr(error, "message", None) or str(_("The card was declined."))
        code = getattr(error, "decline_code", None) or getattr(error, "code", None) or None
        return PaymentDeclined(message, code=code)
