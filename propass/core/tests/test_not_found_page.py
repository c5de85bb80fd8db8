"""A missing page shows the project's own 404 page even with DEBUG on (the demo runs with it):
never Django's technical page listing every URL. The API keeps its JSON answer."""

import pytest
from django.test import override_settings


@pytest.fixture
def debug():
    with override_settings(DEBUG=True):
        yield


def test_an_unknown_address_shows_the_project_page_with_debug_on(client, program, debug):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "Back to the start page" in body
    assert "URLconf" not in body
    assert "backoffice/" not in body


def test_a_view_that_finds_nothing_shows_the_project_page_with_debug_on(client, program, owner, debug):
    client.force_login(owner)
    response = client.get("/backoffice/businesses/999999/")
    assert response.status_code in (403, 404)
    response = client.get("/products/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Back to the start page" in body
    assert "Django tried" not in body and "Raised by" not in body


def test_the_api_still_answers_json_with_debug_on(client, program, debug):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
