"""Every answer under /api/ that is an error has the contract's JSON shape, whoever produced it
(DRF, Django's URL resolver, the CSRF check, an unexpected exception)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from propass.api import views as api_views


def _assert_error_shape(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_an_unknown_api_path_is_a_json_404(db):
    _assert_error_shape(Client().get("/api/v1/no-such-thing/"), 404, "not_found")
    _assert_error_shape(Client().post("/api/no-such-thing/", {}), 404, "not_found")


def test_a_page_outside_the_api_keeps_the_html_404(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_wrong_method_is_a_json_405(member):
    api = APIClient()
    api.force_authenticate(member)
    _assert_error_shape(api.delete("/api/v1/me/"), 405, "method_not_allowed")


def test_a_session_post_without_csrf_token_is_a_json_403(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    _assert_error_shape(client.post("/api/v1/notifications/read-all/"), 403)


def test_an_unexpected_error_is_a_json_500(member, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_views, "MeSerializer", broken)
    client = Client(raise_request_exception=False)
    client.force_login(member)
    response = client.get("/api/v1/me/")
    _assert_error_shape(response, 500, "server_error")
    assert "boom" not in response.content.decode()


@pytest.mark.parametrize("status", ["400", "401", "403", "404", "429"])
def test_the_schema_declares_the_error_shape(client, db, status):
    schema = client.get("/api/schema/?format=json").json()
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    declared = {**me, **token}
    assert status in declared
    content = declared[status]["content"]["application/json"]["schema"]
    assert content == {"$ref": "#/components/schemas/Error"}
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    detail = components["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[1]
    assert set(components[detail]["properties"]) == {"code", "message", "fields"}
    assert set(components[detail]["required"]) == {"code", "message", "fields"}
