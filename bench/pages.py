"""Speed of ProPass's pages over real HTTP, next to a bare Django floor: prints req/s, p50, p99.

    uv run --frozen python bench/pages.py --logins var/scale-logins.json \\
        [--database-url postgres://postgres@127.0.0.1:5432/propass_scale] [--rounds 3] [--seconds 5] \\
        [--connections 16] [--only SUBSTRING] [--json PATH] [--driver auto|wrk|python] [--search WORD]

Starts ProPass under gunicorn (2 sync workers, DEBUG off, static files collected into a temporary
directory and served by whitenoise) and the bare floor app (bench/floor/, 2 sync workers too) on
free local ports, logs in each person of the logins file (staff through the two-factor page, with
the current code of their authenticator), then drives each page for --seconds at --connections
concurrent connections: with wrk when it is installed, else with a Python driver (one thread per
connection, http.client). The whole list runs --rounds times, interleaved, the floor in every
round; a page's figures are the medians of its rounds, and its ratio is its req/s over the
floor's 50-row page. Any answer but 200 is counted and printed (a page that sends a logged-in
person to the login page is an error, not a fast page) and makes the exit status 1. It asserts
nothing about speed, and is not part of `make test`.

The logins file (`propass seed-scale` writes one; bench/demo-logins.json fits `propass seed-demo`):
    {"password": "...", "member_small": EMAIL, "member_large": EMAIL, "business_large_id": ID,
     "staff": {"validation": EMAIL, "support": EMAIL, "finance": EMAIL, "program_admin": EMAIL,
               "service": EMAIL, "auditor": EMAIL}}
Without business_large_id, the large member's business is used.

In the database it writes what logging in writes (sessions, the login's audit entries), a
confirmed authenticator for a staff login that has none, and whatever the driven pages write.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
WORKERS = 2
TIMEOUT = 300  # seconds: a slow page at scale is a figure to print, not a failure
FLOOR_HELLO = "floor /hello"
FLOOR_ROWS = "floor /rows (50 rows)"
CHECKOUT = "member checkout review"

# wrk's Lua: count the answers other than 200 (wrk itself counts only 4xx and 5xx, so a
# redirect to the login page would pass), then print one JSON line for bench/pages.py to read.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body) if status ~= 200 then not_ok = not_ok + 1 end end
function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do not_ok_total = not_ok_total + thread:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d, "not_ok": %d, "errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes, math.floor(latency:percentile(50)),
    math.floor(latency:percentile(99)), not_ok_total, e.connect + e.read + e.write + e.timeout))
end
"""


class BenchError(Exception):
    """Something that stops the benchmark before it can measure: a server that does not start,
    a login that fails."""


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "floor", "anonymous", "member_small", "member_large" or "staff:<role>"
    path: str


@dataclass
class Run:
    """One page driven once: what the driver saw."""

    requests: int = 0
    seconds: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    not_ok: int = 0  # answers other than 200
    errors: int = 0  # connections refused, reset or timed out
    bytes: int = 0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- Servers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def project_env(database_url: str, workdir: Path) -> dict[str, str]:
    """Production settings (README, "Configuration") on plain HTTP at 127.0.0.1."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "propass.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATA_DIR": str(workdir / "data"),  # collected static files (STATIC_ROOT) go under it
        "LOCAL_ENV_FILE": "",  # not a developer's var/local.env
    }


class Servers:
    """The gunicorn masters this script started, each in its own process group."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: dict[int, Path] = {}

    def start(self, name: str, app: str, env: dict[str, str]) -> int:
        port = free_port()
        log = self.workdir / f"{name}.log"
        command = [
            sys.executable, "-m", "gunicorn", app, "--bind", f"{HOST}:{port}", "--workers", str(WORKERS),
            "--worker-class", "sync", "--timeout", str(TIMEOUT), "--chdir", str(ROOT),
            "--no-control-socket",  # its default path is one per machine user, shared with any other gunicorn
        ]  # fmt: skip
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        self.logs[port] = log
        return port

    def wait_ready(self, port: int, path: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise BenchError(f"a server stopped while starting:\n{self.log_tail(port)}")
            try:
                if get(port, path, timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        url = f"http://{HOST}:{port}{path}"
        raise BenchError(f"{url} did not answer 200 within {seconds:.0f} s:\n{self.log_tail(port)}")

    def log_tail(self, port: int, lines: int = 40) -> str:
        return "\n".join(self.logs[port].read_text(errors="replace").splitlines()[-lines:])

    def traceback(self, port: int, path: str) -> str:
        """The last error Django logged for `path`, with its traceback, or the log's tail."""
        text = self.logs[port].read_text(errors="replace")
        start = text.rfind(f"Internal Server Error: {path.split('?')[0]}")
        if start < 0:
            return self.log_tail(port)
        lines = text[start:].splitlines()
        end = next((n for n, line in enumerate(lines[1:], 1) if re.match(r"^(\d{4}-\d\d-\d\d |\[\d{4}-)", line)), None)
        return "\n".join(lines[:end])

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- HTTP: logging in ---------------------------------------------------------------


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = TIMEOUT) -> tuple[int, str]:
    """One GET on a connection of its own: (status, Location header)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        connection.close()


class Browser:
    """One person's cookies over plain HTTP; redirects are returned, not followed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())} if self.cookies else {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """(status, Location header, body)."""
        headers = self.headers()
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.getheader("Location", ""), text

    def form_post(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """GET the form at `path` for its CSRF token, then POST `fields` to it."""
        status, location, html = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or token is None:
            raise BenchError(f"GET {path} answered {status} {location} without a form")
        return self.request("POST", path, {**fields, "csrfmiddlewaretoken": token.group(1)})

    def get_json(self, path: str) -> Any:
        status, location, text = self.request("GET", path)
        if status != 200:
            raise BenchError(f"GET {path} answered {status} {location}")
        return json.loads(text)


def authenticator_code(email: str) -> str:
    """The current code of the staff login's authenticator (one is created and confirmed when it
    has none), read from the database as the server reads it. A code works once, so when this
    time step's code was used already, the next step's is awaited."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from propass.accounts.models import User
    from propass.accounts.services import staff_totp_device

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise BenchError(f"{email} is not in the database")
    device = staff_totp_device(user=user) or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= clock.t():
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.5)
    return f"{clock.token():0{device.digits}d}"


def log_in(port: int, email: str, password: str, *, staff: bool) -> Browser:
    """A session as `email`, through the login page (and the two-factor page for staff), checked
    on a page that needs it."""
    browser = Browser(port)
    status, location, _ = browser.form_post("/accounts/login/", {"username": email, "password": password})
    if status != 302:
        raise BenchError(f"logging in as {email} failed (the login page answered {status}, not a redirect)")
    if staff:
        code = authenticator_code(email)
        status, location, _ = browser.form_post(urlsplit(location).path, {"code": code})
        if status != 302:
            raise BenchError(f"the two-factor code of {email} was refused (answered {status})")
    check = "/backoffice/" if staff else "/api/v1/me/"
    status, location, _ = browser.request("GET", check)
    if status != 200:
        raise BenchError(f"the session of {email} does not open {check} (answered {status} {location})")
    return browser


# --- Drivers ------------------------------------------------------------------------


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def drive_python(port: int, path: str, headers: dict[str, str], seconds: float, connections: int) -> Run:
    """`connections` threads, each with its own keep-alive HTTP/1.1 connection (http.client opens
    it again when the server closes it, as gunicorn's sync workers do), requesting `path` one
    after the other for `seconds`; a request under way at the end is waited for and counted."""
    runs = [Run() for _ in range(connections)]
    start = threading.Barrier(connections + 1)

    def worker(run: Run) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        start.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                run.errors += 1
                connection.close()
                time.sleep(0.01)
                continue
            run.latencies.append(time.perf_counter() - began)
            run.bytes += len(body) + sum(len(name) + len(value) + 4 for name, value in response.getheaders()) + 17
            run.not_ok += response.status != 200
        connection.close()

    threads = [threading.Thread(target=worker, args=(run,), daemon=True) for run in runs]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    latencies = sorted(latency for run in runs for latency in run.latencies)
    return Run(
        requests=len(latencies),
        seconds=time.perf_counter() - began,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        not_ok=sum(run.not_ok for run in runs),
        errors=sum(run.errors for run in runs),
        bytes=sum(run.bytes for run in runs),
    )


def drive_wrk(
    wrk: str, script: Path, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> Run:
    """wrk for `seconds` at `connections` connections (as many threads as cores); requests still
    under way at the end are not counted, as wrk does."""
    command = [
        wrk, "--threads", str(min(connections, os.cpu_count() or 1)), "--connections", str(connections),
        "--duration", f"{max(1, round(seconds))}s", "--timeout", f"{TIMEOUT}s", "--script", str(script),
    ]  # fmt: skip
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://{HOST}:{port}{path}")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if done.returncode or line is None:
        raise BenchError(f"wrk failed on {path}:\n{done.stdout}{done.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    return Run(
        requests=figures["requests"],
        seconds=figures["duration_us"] / 1e6,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        not_ok=figures["not_ok"],
        errors=figures["errors"],
        bytes=figures["bytes"],
    )


# --- The pages ----------------------------------------------------------------------


def pages_list(business_id: int, search: str) -> list[Page]:
    """Every page to drive, the floor first; the checkout's path is found after logging in."""
    office = f"/backoffice/businesses/{business_id}"
    return [
        Page(FLOOR_HELLO, "floor", "/hello"),
        Page(FLOOR_ROWS, "floor", "/rows"),
        Page("anonymous /healthz", "anonymous", "/healthz"),
        Page("anonymous login page", "anonymous", "/accounts/login/"),
        Page("member landing", "member_small", "/"),
        Page("member products (small)", "member_small", "/products/"),
        Page("member products (large)", "member_large", "/products/"),
        Page("member subscriptions", "member_small", "/subscriptions/"),
        Page(CHECKOUT, "member_small", ""),
        Page("member notifications", "member_small", "/notifications/"),
        Page("member benefits", "member_small", "/subscriptions/benefits/"),
        Page("member service requests", "member_small", "/service/"),
        Page("member support", "member_small", "/support/"),
        Page("api me", "member_small", "/api/v1/me/"),
        Page("api registrations (small)", "member_small", "/api/v1/registrations/?page_size=50"),
        Page("api registrations (large)", "member_large", "/api/v1/registrations/?page_size=50"),
        Page("api invoices", "member_small", "/api/v1/invoices/"),
        Page("api notifications", "member_small", "/api/v1/notifications/"),
        Page("office applications queue", "staff:validation", "/backoffice/applications/"),
        Page("office member 360 (large)", "staff:support", f"{office}/"),
        Page("office member 360 products (large)", "staff:support", f"{office}/products/"),
        Page("office businesses search", "staff:support", f"/backoffice/businesses/?{urlencode({'q': search})}"),
        Page("office audit log", "staff:auditor", "/backoffice/audit/"),
        Page("office finance invoices", "staff:finance", "/backoffice/finance/invoices/"),
        Page("office finance payments", "staff:finance", "/backoffice/finance/payments/"),
        Page("office reports", "staff:program_admin", "/backoffice/reports/"),
        Page("office support queue", "staff:support", "/backoffice/support/"),
        Page("office service queue", "staff:service", "/backoffice/service/"),
        Page("office outbox", "staff:program_admin", "/backoffice/outbox/"),
    ]


def log_in_all(port: int, logins: dict[str, Any], needed: set[str]) -> dict[str, Browser]:
    """{who: session} for the people the pages need; one session per person, whatever the roles
    they stand for."""
    emails = {"member_small": logins["member_small"], "member_large": logins["member_large"]}
    emails.update({f"staff:{role}": email for role, email in logins["staff"].items()})
    browsers: dict[str, Browser] = {}
    by_email: dict[str, Browser] = {}
    for who in sorted(needed - {"floor", "anonymous"}):
        if who not in emails:
            raise BenchError(f"the logins file names no {who}")
        email = emails[who].lower()
        if email not in by_email:
            print(f"Logging in as {email} …", file=sys.stderr)
            by_email[email] = log_in(port, email, logins["password"], staff=who.startswith("staff:"))
        browsers[who] = by_email[email]
    return browsers


def headers_of(browsers: dict[str, Browser], page: Page) -> dict[str, str]:
    return browsers[page.who].headers() if page.who in browsers else {}


def large_business(logins: dict[str, Any]) -> tuple[int, str]:
    """The largest business's id (the logins file's, else the large member's business) and name."""
    from propass.accounts.models import Business, BusinessMembership

    business_id = logins.get("business_large_id") or (
        BusinessMembership.objects.filter(user__email__iexact=logins["member_large"])
        .values_list("business_id", flat=True)
        .first()
    )
    name = Business.objects.filter(pk=business_id).values_list("name", flat=True).first()
    if name is None:
        raise BenchError(f"no business {business_id} in the database")
    return business_id, name


def checkout_path(browsers: dict[str, Browser]) -> tuple[str, str] | None:
    """(who, path) of a checkout review page a member may open: a tier their points open (from
    /api/v1/tiers/), for a business without a membership; None when there is none."""
    for who in ("member_small", "member_large"):
        if who not in browsers:
            continue
        for tier in browsers[who].get_json("/api/v1/tiers/"):
            path = f"/subscriptions/checkout/{tier['code']}/"
            if tier["available"] and browsers[who].request("GET", path)[0] == 200:
                return who, path
    return None


# --- Figures ------------------------------------------------------------------------


@dataclass
class Figures:
    page: Page
    runs: list[Run]
    failed: str = ""  # the answer that stopped it being measured
    skipped: str = ""  # why there was nothing to measure

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs) if self.runs else 0.0

    def as_dict(self, floor_rps: float) -> dict[str, Any]:
        answers = sum(run.requests for run in self.runs)
        return {
            "page": self.page.name,
            "who": self.page.who,
            "path": self.page.path,
            "rps": round(self.median("rps"), 1),
            "p50_ms": round(self.median("p50_ms"), 1),
            "p99_ms": round(self.median("p99_ms"), 1),
            "ratio_to_floor": round(self.median("rps") / floor_rps, 3) if floor_rps else None,
            "not_200": sum(run.not_ok for run in self.runs),
            "connection_errors": sum(run.errors for run in self.runs),
            "kb_per_answer": round(sum(run.bytes for run in self.runs) / max(1, answers) / 1024, 1),
            "answers": answers,  # few on a slow page: its p99 then rests on a handful
            "rounds": [
                {"rps": round(run.rps, 1), "p50_ms": round(run.p50_ms, 1), "p99_ms": round(run.p99_ms, 1)}
                | {"answers": run.requests}
                for run in self.runs
            ],
            "failed": self.failed,
            "skipped": self.skipped,
        }


def table(rows: list[dict[str, Any]]) -> str:
    width = max(len(row["page"]) for row in rows)
    heads = f"{'req/s':>8}  {'p50 ms':>8}  {'p99 ms':>8}  {'÷ floor':>8}  {'non-200':>7}  {'KB':>6}"
    lines = [f"{'page':<{width}}  {heads}"]
    for row in rows:
        if row["failed"] or row["skipped"]:
            why = f"FAILED: {row['failed']}" if row["failed"] else f"not measured: {row['skipped']}"
            lines.append(f"{row['page']:<{width}}  {why}")
            continue
        ratio = f"{row['ratio_to_floor']:.3f}" if row["ratio_to_floor"] is not None else "-"
        bad = row["not_200"] + row["connection_errors"]
        lines.append(
            f"{row['page']:<{width}}  {row['rps']:>8.1f}  {row['p50_ms']:>8.1f}  {row['p99_ms']:>8.1f}  "
            f"{ratio:>8}  {bad:>7}  {row['kb_per_answer']:>6.1f}"
        )
    return "\n".join(lines)


# --- Main ---------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", type=Path, required=True, help="the logins file (JSON, see above)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), help="default: $DATABASE_URL")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per page and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", action="append", default=[], help="pages whose name or path has this (repeatable)")
    parser.add_argument("--json", type=Path, help="also save the figures here")
    parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--search", help="the businesses search's words (default: the large business's first word)")
    options = parser.parse_args()
    if not options.database_url:
        parser.error("set --database-url or DATABASE_URL (the PostgreSQL database to measure)")
    return options


def main() -> int:
    options = arguments()
    logins = json.loads(options.logins.read_text())
    wrk = shutil.which("wrk") if options.driver != "python" else None
    if options.driver == "wrk" and wrk is None:
        raise BenchError("--driver wrk: wrk is not installed (apt-get install wrk)")
    driver = "wrk" if wrk else "python"
    workdir = Path(tempfile.mkdtemp(prefix="propass-bench-"))
    servers = Servers(workdir)
    env = project_env(options.database_url, workdir)
    os.environ.update(env)  # this process reads the same database: authenticator codes, the large business
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    keep_logs = False
    try:
        print("Collecting static files …", file=sys.stderr)
        call_command("collectstatic", interactive=False, verbosity=0)
        project = servers.start("propass", "propass.wsgi", env)
        floor = servers.start("floor", "bench.floor.wsgi", {**env, "DJANGO_SETTINGS_MODULE": "bench.floor.settings"})
        servers.wait_ready(project, "/healthz")
        servers.wait_ready(floor, "/hello")

        business_id, business_name = large_business(logins)
        search = options.search or next((w for w in business_name.split() if len(w) >= 3), business_name)
        pages = pages_list(business_id, search)
        if options.only:
            wanted = [word.lower() for word in options.only]
            pages = [p for p in pages if p.who == "floor" or any(w in p.name.lower() or w in p.path for w in wanted)]
        needed = {page.who for page in pages} | ({"member_large"} if any(p.name == CHECKOUT for p in pages) else set())
        browsers = log_in_all(project, logins, needed)
        connections.close_all()

        figures: list[Figures] = []
        for page in pages:
            if page.name == CHECKOUT:
                found = checkout_path(browsers)
                if found is None:
                    figures.append(Figures(page, [], skipped="no tier that a member's business may buy now"))
                    continue
                who, path = found
                page = Page(f"{CHECKOUT} ({path.split('/')[-2]})", who, path)
            figures.append(Figures(page, []))
        for figure in figures:  # each page once, before measuring: any answer but 200 is an error
            page = figure.page
            if figure.skipped:
                continue
            port = floor if page.who == "floor" else project
            status, location = get(port, page.path, headers_of(browsers, page))
            if status != 200:
                figure.failed = f"answered {status} {location}".strip()
                print(f"ERROR: {page.name} {page.path} {figure.failed}", file=sys.stderr)
                if status >= 500:
                    print(servers.traceback(port, page.path), file=sys.stderr)

        script = workdir / "count.lua"
        script.write_text(WRK_SCRIPT)
        measured = [figure for figure in figures if not (figure.failed or figure.skipped)]
        print(
            f"Driving {len(measured)} pages with {driver}, {options.connections} connections, "
            f"{options.seconds:g} s each, {options.rounds} rounds …",
            file=sys.stderr,
        )
        reported: set[str] = set()
        for number in range(1, options.rounds + 1):
            for figure in measured:
                page = figure.page
                port = floor if page.who == "floor" else project
                headers = headers_of(browsers, page)
                if wrk:
                    run = drive_wrk(wrk, script, port, page.path, headers, options.seconds, options.connections)
                else:
                    run = drive_python(port, page.path, headers, options.seconds, options.connections)
                figure.runs.append(run)
                get(port, "/hello" if port == floor else "/healthz")  # its backlog served before the next page
                print(
                    f"  round {number}/{options.rounds}  {page.name:<40} {run.rps:8.1f} req/s  p50 {run.p50_ms:8.1f} ms"
                    f"  p99 {run.p99_ms:8.1f} ms  non-200 {run.not_ok}  errors {run.errors}",
                    file=sys.stderr,
                )
                if (run.not_ok or run.errors) and page.name not in reported:
                    reported.add(page.name)
                    print(servers.traceback(port, page.path), file=sys.stderr)

        floor_rps = next((f.median("rps") for f in figures if f.page.name == FLOOR_ROWS), 0.0)
        rows = [figure.as_dict(floor_rps) for figure in figures]
        database = urlsplit(options.database_url).path.lstrip("/")
        print(
            f"ProPass pages over HTTP: database {database}, gunicorn {WORKERS} sync workers each, driver {driver}, "
            f"{options.connections} connections, {options.seconds:g} s per page and round, medians of "
            f"{options.rounds} rounds, {os.cpu_count()} cores; ÷ floor: req/s over the floor's 50-row page."
        )
        print(table(rows))
        if options.json:
            summary = {
                "database": database,
                "driver": driver,
                "workers": WORKERS,
                "connections": options.connections,
                "seconds": options.seconds,
                "rounds": options.rounds,
                "cores": os.cpu_count(),
                "pages": rows,
            }
            options.json.write_text(json.dumps(summary, indent=2) + "\n")
        failed = [row for row in rows if row["failed"] or row["not_200"] or row["connection_errors"]]
        if failed:
            keep_logs = True
            print(f"{len(failed)} page(s) failed or answered other than 200; server logs: {workdir}", file=sys.stderr)
        return 1 if failed else 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave servers running
        servers.stop()
        if not keep_logs:
            shutil.rmtree(workdir, ignore_errors=True)


def run() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on kill too
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    run()
