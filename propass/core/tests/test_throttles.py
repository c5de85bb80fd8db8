"""Rate limits count per client, and every process counts together (issue 14, "Throttles").

The client is the socket's address, or, behind a trusted proxy (TRUSTED_PROXIES), the right-most
address in X-Forwarded-For that is not one of those proxies. The counts live in a cache that
every web process shares (the database cache, or Redis when REDIS_URL is set).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import CacheHandler, cache
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from propass.core.ratelimit import client_address, rate_limit_hit

RESET = "/api/v1/auth/password/reset/"
APPLY = "/api/v1/applications/"
UNTRUSTED_PEER = "203.0.113.9"
PROXY = "10.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]


def _address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


# --- Whose address ----------------------------------------------------------------------


def test_without_trusted_proxies_the_socket_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    assert _address(UNTRUSTED_PEER, "198.51.100.1") == UNTRUSTED_PEER
    assert _address(PROXY, "198.51.100.1") == PROXY


def test_an_untrusted_peer_cannot_name_another_client(behind_proxy):
    assert _address(UNTRUSTED_PEER, "198.51.100.1, 10.0.0.7") == UNTRUSTED_PEER


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(behind_proxy):
    assert _address(PROXY) == PROXY
    assert _address(PROXY, "198.51.100.7") == "198.51.100.7"
    # The client may write anything on the left: the proxies append what they saw on the right.
    assert _address(PROXY, "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert _address(PROXY, "not-an-address, 198.51.100.7, 10.1.2.3") == "198.51.100.7"
    assert _address(PROXY, " 2001:db8::5 , fd00::1") == "2001:db8::5"
    assert _address(PROXY, "198.51.100.7:43122") == "198.51.100.7"
    assert _address(PROXY, "[2001:db8::5]:443") == "2001:db8::5"


def test_a_chain_of_trusted_proxies_only_gives_the_left_most_of_them(behind_proxy):
    assert _address(PROXY, "10.9.9.9, 10.0.0.2") == "10.9.9.9"


def test_a_garbled_hop_appended_by_a_trusted_proxy_falls_back_to_that_proxy(behind_proxy):
    assert _address(PROXY, "garbage") == PROXY
    assert _address(PROXY, "") == PROXY


# --- DRF throttles ----------------------------------------------------------------------


def _reset(client: Client, remote: str, forwarded: str):
    return client.post(
        RESET, {"email": "nobody@example.com"}, content_type="application/json",
        REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded,
    )  # fmt: skip


def test_a_rotating_forwarded_for_does_not_lift_the_reset_limit(db, settings):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    client = Client()
    answers = [_reset(client, UNTRUSTED_PEER, f"198.51.100.{n}").status_code for n in range(limit + 3)]
    assert answers[:limit] == [202] * limit
    assert answers[limit:] == [429] * 3
    refused = _reset(client, UNTRUSTED_PEER, "192.0.2.200")
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["error"]["code"] == "throttled"


def test_a_rotating_forwarded_for_does_not_lift_the_application_limit(db):
    client = Client()
    answers = [
        client.post(APPLY, {}, REMOTE_ADDR=UNTRUSTED_PEER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(22)
    ]
    assert answers[:20] == [400] * 20  # counted, although invalid
    assert answers[20:] == [429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_count(db, settings, behind_proxy):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    client = Client()
    # What the client writes on the left changes nothing: the proxy's own hop counts.
    answers = [_reset(client, PROXY, f"192.0.2.{n}, 198.51.100.7").status_code for n in range(limit + 1)]
    assert answers[-1] == 429
    assert answers[:-1] == [202] * limit
    assert _reset(client, PROXY, "198.51.100.8").status_code == 202
    assert _reset(client, "10.0.0.2", "192.0.2.1, 198.51.100.7, 10.0.0.1").status_code == 429


def _views(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_throttle_counts_by_client_address(db):
    seen = []
    for route, callback in _views(get_resolver().url_patterns):
        view_class = getattr(callback, "cls", None)
        for throttle_class in getattr(view_class, "throttle_classes", []):
            seen.append(route)
            request = RequestFactory().get("/", REMOTE_ADDR=UNTRUSTED_PEER, HTTP_X_FORWARDED_FOR="198.51.100.1")
            assert throttle_class().get_ident(request) == UNTRUSTED_PEER, (route, throttle_class)
    assert "api/v1/applications/" in seen
    assert "api/v1/auth/password/reset/" in seen


# --- HTML limits --------------------------------------------------------------------------


def test_a_rotating_forwarded_for_does_not_lift_the_html_application_limit(db):
    client = Client()
    for n in range(20):
        client.post("/apply/", {}, REMOTE_ADDR=UNTRUSTED_PEER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    refused = client.post("/apply/", {}, REMOTE_ADDR=UNTRUSTED_PEER, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert "Too many applications from your network" in refused.content.decode()


def test_behind_a_trusted_proxy_the_html_limit_is_per_client(db, behind_proxy):
    client = Client()
    for n in range(20):
        client.post("/apply/", {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7")
    refused = client.post("/apply/", {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert "Too many applications from your network" in refused.content.decode()
    other = client.post("/apply/", {}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert "Too many applications from your network" not in other.content.decode()


# --- One count for every process ------------------------------------------------------------


def test_the_cache_is_shared_by_every_process():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in {
        "django.core.cache.backends.db.DatabaseCache",
        "django.core.cache.backends.redis.RedisCache",
    }


def test_counts_survive_a_fresh_cache_connection(db):
    for _ in range(3):
        rate_limit_hit(key="fresh-handler", limit=3, seconds=60)
    fresh = CacheHandler()["default"]
    assert fresh is not cache
    assert fresh.get("ratelimit:fresh-handler") == 3
    assert rate_limit_hit(key="fresh-handler", limit=3, seconds=60)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


SECOND_WORKER = """
import django
django.setup()
from django.test import Client
response = Client().post(
    "/api/v1/auth/password/reset/", {"email": "nobody@example.com"}, content_type="application/json",
    REMOTE_ADDR="203.0.113.9",
)
print(response.status_code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_count(settings):
    """The first `limit` resets are answered here, the next one by another Python process with
    the production settings on the same database: it must refuse it (two gunicorn workers)."""
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth"].split("/")[0])
    client = Client()
    assert [_reset(client, UNTRUSTED_PEER, "").status_code for _ in range(limit)] == [202] * limit
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "propass.settings",
        "DATABASE_URL": _database_url(),
        "LOCAL_ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": "a-second-worker-key-for-this-test-only-0123456789abcdef",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "TASKS_BACKEND": "dummy",
    }
    result = subprocess.run(
        [sys.executable, "-c", SECOND_WORKER], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "429"


# --- The setting ------------------------------------------------------------------------------


def _check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"BEHIND_PROXY", "TRUSTED_PROXIES"}}
    return subprocess.run(
        [sys.executable, "-m", "propass.manage", "check"],
        env={**clean, "LOCAL_ENV_FILE": "", "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_behind_a_proxy_the_proxies_must_be_named():
    unnamed = _check(BEHIND_PROXY="true")
    assert unnamed.returncode != 0
    assert "BEHIND_PROXY=true needs TRUSTED_PROXIES" in unnamed.stderr
    garbled = _check(TRUSTED_PROXIES="10.0.0.0/8,load-balancer")
    assert garbled.returncode != 0
    assert "'load-balancer' is not an IP address or network" in garbled.stderr
    named = _check(TRUSTED_PROXIES="10.0.0.0/8, fd00::/8")
    assert named.returncode == 0, named.stderr
