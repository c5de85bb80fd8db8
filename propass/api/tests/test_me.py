import json

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from propass.accounts.tests.factories import PASSWORD
from propass.testing.staff import staff_session_verify, staff_user


@pytest.fixture
def api():
    return APIClient()


def test_me_without_credentials_is_401_in_the_error_shape(api, db):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_token_for_email_and_password(api, member):
    response = api.post("/api/v1/auth/token/", {"email": "member@alpha.test", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["email"] == "member@alpha.test"
    assert me["business"]["name"] == "Alpha Studio"
    assert me["business"]["country"] == "IT"
    assert me["business"]["points_balance"] == 0
    assert me["membership"] is None


def test_wrong_credentials_say_nothing_about_the_email(api, member):
    wrong = api.post("/api/v1/auth/token/", {"email": "member@alpha.test", "password": "x"}, format="json")
    unknown = api.post("/api/v1/auth/token/", {"email": "ghost@alpha.test", "password": "x"}, format="json")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


def test_invalid_input_lists_the_fields(api, db):
    response = api.post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"email", "password"}


def test_me_with_a_session_works_too(api, member):
    api.force_login(member)
    assert api.get("/api/v1/me/").json()["email"] == "member@alpha.test"


def test_the_schema_is_valid_openapi_3(client, db):
    response = client.get("/api/schema/", headers={"accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    spec = json.loads(response.content)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me/" in spec["paths"]


def test_the_docs_page_loads_without_external_assets(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "cdn" not in response.content.decode().lower()


def test_a_staff_token_needs_the_second_factor(api, validation_agent):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    validation_agent.set_password(PASSWORD)
    validation_agent.save()
    device = TOTPDevice.objects.create(user=validation_agent, name="app", confirmed=True)
    credentials = {"email": validation_agent.email, "password": PASSWORD}
    missing = api.post("/api/v1/auth/token/", credentials, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "otp_required"
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    right = api.post("/api/v1/auth/token/", credentials | {"otp": code}, format="json")
    assert right.status_code == 200
    wrong = api.post("/api/v1/auth/token/", credentials | {"otp": "000000"}, format="json")
    assert wrong.status_code == 400 and "token" not in wrong.json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {right.json()['token']}")
    assert api.get("/api/v1/staff/applications/").status_code == 200


def test_a_staff_session_waiting_for_its_second_factor_is_not_logged_in_for_the_api(api, db):
    staff = staff_user("halfway@propass.test", "support")
    api.force_login(staff)  # the password typed, the code not yet
    response = api.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    staff_session_verify(api, staff)
    assert api.get("/api/v1/me/").json()["email"] == "halfway@propass.test"
