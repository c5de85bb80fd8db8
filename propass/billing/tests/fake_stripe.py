"""A local HTTP server that answers like Stripe's API for the calls the Stripe gateway makes.

It records every request (method, path, headers, form fields), keeps customers, payment methods,
intents and refunds in memory, and replays the first answer for a repeated Idempotency-Key the way
Stripe does. Test payment methods follow Stripe's test mode: pm_card_visa works,
pm_card_chargeDeclined is refused when it is set up, pm_card_chargeCustomerFail is set up but
its charges fail for insufficient funds.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

TEST_CARDS = {
    "pm_card_visa": ("visa", "4242", "ok"),
    "pm_card_mastercard": ("mastercard", "4444", "ok"),
    "pm_card_chargeDeclined": ("visa", "0002", "declined"),
    "pm_card_chargeCustomerFail": ("visa", "0341", "charge_fails"),
}
DECLINED = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
            "message": "Your card was declined."}  # fmt: skip
INSUFFICIENT_FUNDS = {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds",
                      "message": "Your card has insufficient funds."}  # fmt: skip


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeStripe:
    api_key: str = "sk_test_propass"
    requests: list[Received] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[dict[str, str], int, dict[str, Any]]] = field(default_factory=dict)
    outage: int = 0  # the next this-many requests are answered with a 500
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "FakeStripe":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def posts(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]

    # --- the API ---------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        form = dict(parse_qsl(body if method == "POST" else parts.query, keep_blank_values=True))
        headers = {key.lower(): value for key, value in handler.headers.items()}
        with self.lock:
            self.requests.append(Received(method, parts.path, headers, form))
            status, answer, extra = self._answer(method, parts.path, form, headers, parse_qs(parts.query))
        payload = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Request-Id", f"req_{len(self.requests)}")
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _answer(
        self, method: str, path: str, form: dict[str, str], headers: dict[str, str], query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}, {}
        if self.outage:
            self.outage -= 1
            return 500, {"error": {"type": "api_error", "message": "An unknown error occurred."}}, {}
        key = headers.get("idempotency-key")
        if method == "POST" and key and key in self.idempotent:
            first_form, status, answer = self.idempotent[key]
            if first_form != form:
                error = {"type": "idempotency_error", "message": "Keys for idempotent requests can only be used "
                         "with the same parameters they were first used with."}  # fmt: skip
                return 400, {"error": error}, {}
            return status, answer, {"Idempotent-Replayed": "true"}
        status, answer = self._route(method, path, form, query)
        if method == "POST" and key:
            self.idempotent[key] = (form, status, answer)
        return status, answer, {}

    def _route(
        self, method: str, path: str, form: dict[str, str], query: dict[str, list[str]]
    ) -> tuple[int, dict[str, Any]]:
        segments = path.strip("/").split("/")
        if method == "GET" and path == "/v1/customers/search":
            wanted = query.get("query", [""])[0]  # metadata['propass_customer']:'business-1'
            name = wanted.split(":", 1)[-1].strip("'")
            found = [c for c in self.customers.values() if c["metadata"].get("propass_customer") == name]
            return 200, {"object": "search_result", "url": path, "has_more": False, "data": found}
        if method == "POST" and path == "/v1/customers":
            customer = {"id": self._id("cus"), "object": "customer", "description": form.get("description"),
                        "metadata": _nested(form, "metadata")}  # fmt: skip
            self.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and path == "/v1/setup_intents":
            return self._setup_intent(form)
        if method == "GET" and segments[:2] == ["v1", "payment_methods"] and len(segments) == 3:
            found_method = self.payment_methods.get(segments[2])
            return (200, found_method) if found_method else _missing("payment_method", segments[2])
        if method == "POST" and path == "/v1/payment_intents":
            return self._payment_intent(form)
        if method == "POST" and segments[:2] == ["v1", "payment_intents"] and len(segments) == 4:
            return self._intent_step(segments[2], segments[3], form)
        if method == "GET" and segments[:2] == ["v1", "payment_intents"] and len(segments) == 3:
            intent = self.payment_intents.get(segments[2])
            return (200, intent) if intent else _missing("payment_intent", segments[2])
        if method == "POST" and path == "/v1/refunds":
            intent = self.payment_intents.get(form.get("payment_intent", ""))
            if intent is None:
                return _missing("payment_intent", form.get("payment_intent", ""))
            amount = int(form.get("amount") or intent["amount"])
            refund = {"id": self._id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
                      "payment_intent": intent["id"], "status": "succeeded"}  # fmt: skip
            self.refunds[refund["id"]] = refund
            return 200, refund
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({path})."}}

    def _setup_intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("payment_method", "")
        if token not in TEST_CARDS:
            return _missing("payment_method", token)
        if form.get("customer") not in self.customers:
            return _missing("customer", form.get("customer", ""))
        brand, last4, behaviour = TEST_CARDS[token]
        intent: dict[str, Any] = {"id": self._id("seti"), "object": "setup_intent", "customer": form["customer"],
                                  "usage": form.get("usage"), "metadata": _nested(form, "metadata")}  # fmt: skip
        if behaviour == "declined":
            intent.update(status="requires_payment_method", payment_method=None, last_setup_error=DECLINED)
            return 402, {"error": {**DECLINED, "setup_intent": intent}}
        # Like Stripe, a test card becomes a new payment method attached to the customer.
        payment_method = {"id": self._id("pm"), "object": "payment_method", "type": "card",
                          "customer": form["customer"], "card": {"brand": brand, "last4": last4},
                          "behaviour": behaviour}  # fmt: skip
        self.payment_methods[payment_method["id"]] = payment_method
        expand = "payment_method" in _listed(form, "expand")
        intent.update(status="succeeded", payment_method=payment_method if expand else payment_method["id"])
        return 200, intent

    def _payment_intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        payment_method = self.payment_methods.get(form.get("payment_method", ""))
        if payment_method is None or payment_method["customer"] != form.get("customer"):
            return _missing("payment_method", form.get("payment_method", ""))
        intent: dict[str, Any] = {
            "id": self._id("pi"), "object": "payment_intent", "amount": int(form["amount"]),
            "currency": form["currency"], "customer": form["customer"], "payment_method": payment_method["id"],
            "metadata": _nested(form, "metadata"),
        }  # fmt: skip
        self.payment_intents[intent["id"]] = intent
        if payment_method["behaviour"] == "charge_fails":
            intent.update(status="requires_payment_method", last_payment_error=INSUFFICIENT_FUNDS)
            return 402, {"error": {**INSUFFICIENT_FUNDS, "payment_intent": intent}}
        manual = form.get("capture_method") == "manual"
        intent.update(status="requires_capture" if manual else "succeeded", last_payment_error=None,
                      capture_method="manual" if manual else "automatic", amount_received=0 if manual else
                      intent["amount"])  # fmt: skip
        return 200, intent

    def _intent_step(self, intent_id: str, step: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """capture (of a held amount, at most what is held) and cancel (releases the hold)."""
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            return _missing("payment_intent", intent_id)
        if intent.get("status") != "requires_capture":
            error = {"type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                     "message": f"This PaymentIntent's status is {intent.get('status')}."}  # fmt: skip
            return 400, {"error": error}
        if step == "capture":
            amount = int(form.get("amount_to_capture") or intent["amount"])
            if amount > intent["amount"]:
                error = {"type": "invalid_request_error", "code": "amount_too_large",
                         "message": "The amount to capture is more than the amount held."}  # fmt: skip
                return 400, {"error": error}
            intent.update(status="succeeded", amount_received=amount)
            return 200, intent
        if step == "cancel":
            intent.update(status="canceled", cancellation_reason=form.get("cancellation_reason"))
            return 200, intent
        return 404, {"error": {"type": "invalid_request_error", "message": f"Unrecognized step ({step})."}}

    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_fake{self.counter:04d}"


def _nested(form: dict[str, str], name: str) -> dict[str, str]:
    """Stripe's form encoding of a hash: metadata[key]=value."""
    prefix = f"{name}["
    return {key[len(prefix) : -1]: value for key, value in form.items() if key.startswith(prefix)}


def _listed(form: dict[str, str], name: str) -> list[str]:
    """Stripe's form encoding of a list: expand[0]=a&expand[1]=b."""
    return list(_nested(form, name).values())


def _missing(kind: str, value: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                           "message": f"No such {kind}: '{value}'", "param": kind}}  # fmt: skip
