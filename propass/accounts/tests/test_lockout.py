"""The login lock-out counts per account AND per client address, in the database that every
process shares, and behind a trusted proxy uses the client's address, not the proxy's."""

import pytest
from django.test import Client

from propass.accounts.tests.factories import PASSWORD, MembershipFactory

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
PROXY = "10.0.0.1"
OFFICE = "198.51.100.7"
ELSEWHERE = "198.51.100.99"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


@pytest.fixture
def colleague(business):
    return MembershipFactory(business=business, role="member", user__email="colleague@alpha.test").user


def _login(email: str, password: str, forwarded: str):
    client = Client()
    response = client.post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded
    )
    return response, "_auth_user_id" in client.session


def _lock(settings, email: str, forwarded: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(email, "wrong-password-1", forwarded)


def test_the_locked_account_stays_locked_from_the_attackers_address(settings, behind_proxy, member):
    _lock(settings, "member@alpha.test", OFFICE)
    response, logged_in = _login("member@alpha.test", PASSWORD, OFFICE)
    assert response.status_code == 429
    assert not logged_in


def test_a_lock_out_does_not_reach_the_same_account_from_another_address(settings, behind_proxy, member):
    _lock(settings, "member@alpha.test", f"192.0.2.1, {OFFICE}")
    response, logged_in = _login("member@alpha.test", PASSWORD, ELSEWHERE)
    assert logged_in, response.status_code


def test_a_lock_out_does_not_reach_another_account_from_the_same_address(settings, behind_proxy, member, colleague):
    _lock(settings, "member@alpha.test", OFFICE)
    response, logged_in = _login("colleague@alpha.test", PASSWORD, OFFICE)
    assert logged_in, response.status_code


def test_an_untrusted_peer_cannot_escape_the_lock_out_with_a_forwarded_for(settings, member):
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN, {"username": "member@alpha.test", "password": "wrong-password-1"},
            REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )  # fmt: skip
    client = Client()
    response = client.post(
        LOGIN, {"username": "member@alpha.test", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.250",
    )  # fmt: skip
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_api_lock_out_answers_the_json_error_shape(settings, member):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            TOKEN, {"email": "member@alpha.test", "password": "wrong-password-1"}, content_type="application/json"
        )
    locked = client.post(TOKEN, {"email": "member@alpha.test", "password": PASSWORD}, content_type="application/json")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    body = locked.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "locked_out"
    assert body["error"]["message"]
    assert body["error"]["fields"] == {}


def test_the_html_lock_out_is_still_a_page(settings, member):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "member@alpha.test", "password": "wrong-password-1"})
    locked = client.post(LOGIN, {"username": "member@alpha.test", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("text/html")
