"""Pages and API answers with personal data are never kept by a browser or a shared cache
(`Cache-Control: private, no-store`); public pages stay cacheable."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from propass.onboarding.tests.helpers import submit

PRIVATE = "private, no-store"


def _private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_member_pages_are_private(client, program, owner):
    client.force_login(owner)
    for url in ("/", "/notifications/", "/faq/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _private(response), url


def test_staff_pages_are_private(client, program, staff):
    client.force_login(staff)
    for url in ("/backoffice/", "/backoffice/outbox/", "/backoffice/admin/"):
        response = client.get(url)
        assert _private(response), url
    # Even a refusal or a redirect to the login says nothing to keep.
    assert _private(Client().get("/backoffice/outbox/"))


def test_api_answers_are_private(program, owner):
    api = APIClient()
    api.force_authenticate(owner)
    response = api.get("/api/v1/me/")
    assert response.status_code == 200
    assert _private(response)
    assert _private(APIClient().get("/api/v1/me/"))


def test_pages_opened_by_a_secret_link_are_private(program):
    application = submit()
    assert _private(Client().get(f"/apply/status/{application.token}/"))
    assert _private(Client().get("/accounts/set-password/unknown-token/"))
    assert _private(Client().get("/accounts/login/"))


@pytest.mark.parametrize("url", ["/faq/", "/apply/", "/legal/privacy_notice/"])
def test_public_pages_stay_cacheable(program, url):
    response = Client().get(url)
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
