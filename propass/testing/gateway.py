"""A payment gateway for the concurrency tests that remembers what it was asked to do."""

import threading
from decimal import Decimal

import pytest

from propass.billing.gateways import Charge, SandboxGateway


class RecordingGateway(SandboxGateway):
    """The sandbox gateway, remembering every charge and refund with its idempotency key."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Decimal]] = []
        self._lock = threading.Lock()

    def charge(self, *, card: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        with self._lock:
            self.calls.append(("charge", idempotency_key, amount))
        return super().charge(card=card, amount=amount, currency=currency, idempotency_key=idempotency_key)

    def refund(self, *, charge: str, amount: Decimal, idempotency_key: str) -> str:
        with self._lock:
            self.calls.append(("refund", idempotency_key, amount))
        return super().refund(charge=charge, amount=amount, idempotency_key=idempotency_key)

    def done(self, kind: str) -> list[tuple[str, Decimal]]:
        """The distinct charges or refunds performed, as (idempotency key, amount): a key sent
        twice is performed once, as by a real gateway."""
        return sorted({(key, amount) for done, key, amount in self.calls if done == kind})


def gateway_record(monkeypatch: pytest.MonkeyPatch) -> RecordingGateway:
    """Put a recording gateway where invoices are charged and credit notes refunded."""
    recording = RecordingGateway()
    monkeypatch.setattr("propass.billing.collection.gateway", lambda: recording)
    monkeypatch.setattr("propass.billing.credit_notes.gateway", lambda: recording)
    return recording
