import pytest
from django.urls import reverse

from propass.notifications.services import notification_create

TOP_BAR = ["My account", "My products", "My subscriptions", "Support", "Logout"]


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_member_sees_the_top_bar(client, member):
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 200
    for label in TOP_BAR:
        assert label in response.content.decode()


def test_the_bell_shows_the_unread_count(client, member):
    notification_create(user=member, kind="test", title="Hello")
    notification_create(user=member, kind="test", title="Again")
    client.force_login(member)
    response = client.get("/")
    assert '<span class="badge" aria-hidden="true">2</span>' in response.content.decode()


def test_the_bell_counts_only_the_callers_notifications(client, member, outsider):
    notification_create(user=outsider, kind="test", title="Not yours")
    client.force_login(member)
    assert 'class="badge"' not in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("it", "I miei prodotti"), ("es", "Mis productos"), ("de", "Meine Produkte")],
)
def test_switching_language_translates_the_shell_and_is_remembered(client, member, language, expected):
    client.force_login(member)
    response = client.post(reverse("core:set_language"), {"language": language, "next": "/products/"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == language
    page = client.get("/products/").content.decode()
    assert expected in page
    assert f'<html lang="{language}">' in page


def test_the_stored_language_wins_over_the_browser(client, member):
    member.language = "de"
    member.save()
    client.force_login(member)
    page = client.get("/", headers={"accept-language": "it"}).content.decode()
    assert "Meine Produkte" in page


def test_staff_without_a_business_land_in_the_back_office(client, staff):
    client.force_login(staff)
    response = client.get("/")
    assert response["Location"] == reverse("backoffice:dashboard")


def test_member_pages_answer(client, member):
    client.force_login(member)
    for path in ["/account/", "/products/", "/subscriptions/", "/support/", "/notifications/"]:
        assert client.get(path).status_code == 200, path


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
