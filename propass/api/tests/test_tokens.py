"""API tokens have a lifetime, a new one per request, and die with the password, the
business membership, the login or the person (issue 14)."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from propass.accounts.enums import TokenPurpose
from propass.accounts.services import token_issue
from propass.accounts.tests.factories import PASSWORD
from propass.core.models import AuditLog
from propass.testing.staff import staff_user

NEW_PASSWORD = "Sunny-meadow-lantern-42"
TOKENS = "/api/v1/auth/tokens/"


def _token(email: str, password: str = PASSWORD) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _api(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _me(token: str) -> int:
    return _api(token).get("/api/v1/me/").status_code


def _assert_dead(token: str) -> None:
    response = _api(token).get("/api/v1/me/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def _logged_in(email: str) -> Client:
    browser = Client()
    browser.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert browser.get("/account/").status_code == 200
    return browser


def _sessions_of(user) -> list[Session]:
    return [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]


def test_each_request_issues_a_new_token_and_both_work(member):
    first, second = _token(member.email), _token(member.email)
    assert first != second
    assert _me(first) == _me(second) == 200


def test_the_owner_lists_and_revokes_tokens_one_by_one(member):
    first, second = _token(member.email), _token(member.email)
    api = _api(first)
    listed = api.get(TOKENS)
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert len(rows) == 2
    assert {"id", "created_at", "expires_at", "current"} <= set(rows[0])
    assert first not in listed.content.decode() and second not in listed.content.decode()
    other = next(row for row in rows if not row["current"])
    assert api.delete(f"{TOKENS}{other['id']}/").status_code == 204
    _assert_dead(second)
    assert _me(first) == 200
    current = next(row for row in rows if row["current"])
    assert api.delete(f"{TOKENS}{current['id']}/").status_code == 204
    _assert_dead(first)


def test_a_token_lives_thirty_days_by_default(member):
    token = _token(member.email)
    row = _api(token).get(TOKENS).json()["results"][0]
    stored = AuthToken.objects.get(user=member)
    assert round((stored.expiry - stored.created) / timedelta(hours=1)) == 30 * 24
    assert row["expires_at"] is not None


def test_the_lifetime_is_a_setting(member, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    _token(member.email)
    stored = AuthToken.objects.get(user=member)
    assert round((stored.expiry - stored.created) / timedelta(hours=1)) == 2


def test_an_expired_token_answers_401(member):
    token = _token(member.email)
    AuthToken.objects.filter(user=member).update(expiry=timezone.now() - timedelta(seconds=1))
    _assert_dead(token)


def test_nobody_lists_or_revokes_another_users_token(member, outsider):
    theirs = _token(outsider.email)
    mine = _token(member.email)
    their_id = _api(theirs).get(TOKENS).json()["results"][0]["id"]
    listed = _api(mine).get(TOKENS).json()["results"]
    assert [row["id"] for row in listed] != [their_id] and their_id not in {row["id"] for row in listed}
    response = _api(mine).delete(f"{TOKENS}{their_id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _me(theirs) == 200


def test_listing_needs_a_login(db):
    assert APIClient().get(TOKENS).status_code == 401


def test_a_password_reset_by_the_html_flow_ends_tokens_and_sessions(
    client, program, member, django_capture_on_commit_callbacks
):
    token = _token(member.email)
    other_browser = _logged_in(member.email)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": member.email})
    link = mail.outbox[0].body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    response = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    _assert_dead(token)
    assert other_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)
    assert _me(_token(member.email, NEW_PASSWORD)) == 200


def test_a_password_set_by_the_api_ends_tokens_and_sessions(program, member):
    token = _token(member.email)
    other_browser = _logged_in(member.email)
    raw = token_issue(user=member, purpose=TokenPurpose.RESET_PASSWORD, lifetime=timedelta(hours=1))
    response = APIClient().post("/api/v1/auth/password/set/", {"token": raw, "password": NEW_PASSWORD}, format="json")
    assert response.status_code == 204
    _assert_dead(token)
    assert other_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)


def test_removal_from_the_business_ends_tokens_and_sessions(client, program, owner, member):
    token = _token(member.email)
    their_browser = _logged_in(member.email)
    client.force_login(owner)
    assert client.post(f"/account/users/{member.pk}/remove/").status_code == 302
    _assert_dead(token)
    assert their_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)


def test_erasure_ends_tokens_and_sessions(client, program, member):
    token = _token(member.email)
    their_browser = _logged_in(member.email)
    client.force_login(staff_user("pat@propass.test", "program_admin"))
    response = client.post(
        f"/backoffice/people/{member.pk}/erase/", {"reason": "Asked by e-mail", "confirm": member.email}
    )
    assert response.status_code == 302
    _assert_dead(token)
    assert their_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)
    assert not AuthToken.objects.filter(user=member).exists()


def test_deactivation_ends_tokens_and_sessions(client, program, member):
    token = _token(member.email)
    their_browser = _logged_in(member.email)
    client.force_login(staff_user("root@propass.test", "program_admin", is_superuser=True))
    response = client.post(
        f"/backoffice/admin/accounts/user/{member.pk}/change/",
        {"email": member.email, "first_name": member.first_name, "last_name": member.last_name, "language": "en"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    member.refresh_from_db()
    assert not member.is_active
    _assert_dead(token)
    assert their_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)
    assert not AuthToken.objects.filter(user=member).exists()


def test_my_account_lists_and_revokes_tokens(client, member):
    first, second = _token(member.email), _token(member.email)
    client.force_login(member)
    page = client.get("/account/").content.decode()
    assert "API tokens" in page
    assert first not in page and second not in page
    ids = [row["id"] for row in _api(first).get(TOKENS).json()["results"]]
    assert len(ids) == 2
    assert all(f"/account/tokens/{token_id}/revoke/" in page for token_id in ids)
    for token_id in ids:
        response = client.post(f"/account/tokens/{token_id}/revoke/")
        assert response["Location"] == "/account/"
    _assert_dead(first)
    _assert_dead(second)
    assert "You have no API tokens." in client.get("/account/").content.decode()
    assert client.get("/account/").status_code == 200  # the owner's own session stays


def test_my_account_cannot_revoke_another_users_token(client, member, outsider):
    theirs = _token(outsider.email)
    their_id = _api(theirs).get(TOKENS).json()["results"][0]["id"]
    client.force_login(member)
    assert client.post(f"/account/tokens/{their_id}/revoke/").status_code == 404
    assert _me(theirs) == 200


def test_the_schema_describes_the_token_endpoints(client, db):
    spec = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"}).json()
    assert "get" in spec["paths"]["/api/v1/auth/tokens/"]
    assert "delete" in spec["paths"]["/api/v1/auth/tokens/{id}/"]


def test_a_password_set_in_the_data_administration_ends_tokens_and_sessions(client, program, member):
    token = _token(member.email)
    their_browser = _logged_in(member.email)
    client.force_login(staff_user("root@propass.test", "program_admin", is_superuser=True))
    response = client.post(
        f"/backoffice/admin/accounts/user/{member.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    _assert_dead(token)
    assert their_browser.get("/account/")["Location"].startswith("/accounts/login/")
    assert not _sessions_of(member)
    assert client.get("/backoffice/admin/").status_code == 200  # the staff member's session stays


def test_every_revocation_is_audited_with_its_reason(client, program, owner, member):
    _token(member.email)
    _logged_in(member.email)
    client.force_login(owner)
    client.post(f"/account/users/{member.pk}/remove/")
    entry = AuditLog.objects.get(action="user.access_revoke")
    assert (entry.actor, entry.target_id) == (owner, str(member.pk))
    assert entry.data == {"reason": "removed", "tokens": 1, "sessions": 1}


def test_a_password_set_in_a_logged_in_browser_logs_that_browser_out_too(program, member):
    browser = _logged_in(member.email)
    link = (
        "/accounts/set-password/"
        + token_issue(user=member, purpose=TokenPurpose.RESET_PASSWORD, lifetime=timedelta(hours=1))
        + "/"
    )
    response = browser.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "Your password is set. You can log in now." in response.content.decode()
    assert not _sessions_of(member)
