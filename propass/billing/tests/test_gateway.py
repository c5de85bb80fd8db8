from decimal import Decimal

import pytest

from propass.billing.gateways import PaymentDeclined, SandboxGateway


def test_tok_visa_authorises_and_charges():
    sandbox = SandboxGateway()
    card = sandbox.authorise(token="tok_visa", customer="business-1")
    assert card.last4 == "4242"
    charge = sandbox.charge(card=card.reference, amount=Decimal("85.00"), currency="GBP", idempotency_key="inv-1")
    assert charge.amount == Decimal("85.00")
    again = sandbox.charge(card=card.reference, amount=Decimal("85.00"), currency="GBP", idempotency_key="inv-1")
    assert again.reference == charge.reference


def test_tok_charge_declined_refuses_the_authorisation():
    with pytest.raises(PaymentDeclined, match="declined by the bank"):
        SandboxGateway().authorise(token="tok_chargeDeclined", customer="business-1")


def test_tok_insufficient_funds_authorises_but_the_charge_fails():
    sandbox = SandboxGateway()
    card = sandbox.authorise(token="tok_insufficientFunds", customer="business-1")
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        sandbox.charge(card=card.reference, amount=Decimal("85.00"), currency="GBP", idempotency_key="inv-2")


def test_an_unknown_token_is_refused():
    with pytest.raises(PaymentDeclined):
        SandboxGateway().authorise(token="tok_made_up", customer="business-1")


def test_the_sandbox_holds_a_deposit_captures_part_of_it_and_releases_it():
    sandbox = SandboxGateway()
    card = sandbox.authorise(token="tok_visa", customer="business-1")
    hold = sandbox.hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    assert (hold.amount, hold.currency) == (Decimal("400.00"), "EUR")
    again = sandbox.hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-1:hold")
    assert again.reference == hold.reference
    with pytest.raises(PaymentDeclined):
        sandbox.capture(hold=hold, amount=Decimal("400.01"), idempotency_key="LN-1:capture")
    charge = sandbox.capture(hold=hold, amount=Decimal("50.00"), idempotency_key="LN-1:capture")
    assert (charge.amount, charge.currency) == (Decimal("50.00"), "EUR")
    assert sandbox.release(hold=hold, idempotency_key="LN-1:release") is None


def test_the_sandbox_refuses_a_hold_on_a_card_without_funds():
    sandbox = SandboxGateway()
    card = sandbox.authorise(token="tok_insufficientFunds", customer="business-1")
    with pytest.raises(PaymentDeclined, match="insufficient funds"):
        sandbox.hold(card=card.reference, amount=Decimal("400.00"), currency="EUR", idempotency_key="LN-2:hold")
