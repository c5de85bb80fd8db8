"""A fake VIES for tests: a local HTTP server (a thread, a free port) speaking VIES's REST API.

`POST /check-vat-number` answers according to the number asked (`vatNumber`, without its
country code), as `answer(number, kind)` set it; numbers not set are valid:

- "valid": valid, with a consultation number (when the requester is given), name and address;
- "invalid": not valid (`valid: false`, name and address "---" as VIES writes them);
- "unavailable": the member state is down (HTTP 500, `errorWrappers: [{"error": "MS_UNAVAILABLE"}]`);
- "slow": sleeps SLOW_SECONDS (longer than the timeout tests set) before answering valid.

Every request it received is kept in `requests` (the JSON bodies).
"""

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLOW_SECONDS = 3.0
NAME = "STUDIO ALPHA SRL"
ADDRESS = "VIA ROMA 1 \n20121 MILANO MI\n"


class FakeVies:
    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.served = 0
        self.stopping = threading.Event()
        handler = _handler_for(self)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-vies", daemon=True)

    def answer(self, number: str, kind: str) -> None:
        """How the server answers about `number` (without its country code) from now on."""
        assert kind in {"valid", "invalid", "unavailable", "slow"}, kind
        self.answers[number] = kind

    def start(self) -> "FakeVies":
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop listening (a test may stop it early to play VIES unreachable); twice is harmless."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append(body)
            self.served += 1
            serial = self.served
        number = str(body.get("vatNumber", ""))
        country = str(body.get("countryCode", ""))
        kind = self.answers.get(number, "valid")
        if kind == "slow":
            self.stopping.wait(SLOW_SECONDS)
            kind = "valid"
        if kind == "unavailable":
            return 500, {"actionSucceed": False, "errorWrappers": [{"error": "MS_UNAVAILABLE"}]}
        requester = bool(body.get("requesterMemberStateCode") and body.get("requesterNumber"))
        return 200, {
            "countryCode": country,
            "vatNumber": number,
            "requestDate": "2026-12-03T10:15:30.123Z",
            "valid": kind == "valid",
            "requestIdentifier": f"WAPIAAAAY{serial:07d}" if requester else "",
            "name": NAME if kind == "valid" else "---",
            "address": ADDRESS if kind == "valid" else "---",
        }


def _handler_for(fake: FakeVies) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/check-vat-number":
                self._send(404, {"actionSucceed": False, "errorWrappers": [{"error": "NOT_FOUND"}]})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(400, {"actionSucceed": False, "errorWrappers": [{"error": "INVALID_INPUT"}]})
                return
            status, answer = fake.respond(body)
            # The client may have given up waiting (a slow answer): what it should do.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._send(status, answer)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def fake_vies_start() -> FakeVies:
    return FakeVies().start()
