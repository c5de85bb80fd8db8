import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from propass.accounts.enums import TokenPurpose
from propass.accounts.models import SecureToken
from propass.accounts.services import token_issue
from propass.accounts.tests.factories import UserFactory
from propass.onboarding.tests.helpers import submit

NEW_PASSWORD = "Sunny-meadow-lantern-42"


@pytest.fixture
def new_owner(owner):
    owner.set_unusable_password()
    owner.save()
    return owner


def _can_log_in(client, email, password) -> bool:
    client.post("/accounts/login/", {"username": email, "password": password})
    return "_auth_user_id" in client.session


def _without_csrf(content: bytes) -> bytes:
    # The masked CSRF token differs on every response, whoever asks.
    return re.sub(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', rb"\1", content)


def _link(user, purpose=TokenPurpose.SET_PASSWORD, hours=72):
    return "/accounts/set-password/" + token_issue(user=user, purpose=purpose, lifetime=timedelta(hours=hours)) + "/"


def test_the_link_sets_the_password_and_the_user_can_log_in(client, program, new_owner):
    link = _link(new_owner)
    assert new_owner.email in client.get(link).content.decode()
    response = client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response["Location"] == "/accounts/login/"
    assert _can_log_in(client, new_owner.email, NEW_PASSWORD)


def test_a_used_link_says_so_and_offers_a_new_one(client, program, new_owner):
    link = _link(new_owner)
    client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    again = client.get(link)
    assert again.status_code == 410
    assert "expired or has already been used" in again.content.decode()
    assert "/accounts/password-reset/" in again.content.decode()
    assert (
        client.post(link, {"password": "Other-" + NEW_PASSWORD, "password_again": "Other-" + NEW_PASSWORD}).status_code
        == 410
    )


def test_an_expired_link_says_so(client, program, new_owner):
    link = _link(new_owner)
    SecureToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(link).status_code == 410


def test_a_weak_password_is_refused_and_the_link_still_works(client, program, new_owner):
    link = _link(new_owner)
    response = client.post(link, {"password": "12345678", "password_again": "12345678"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert SecureToken.objects.get().used_at is None
    assert client.get(link).status_code == 200


def test_two_different_passwords_are_refused(client, program, new_owner):
    response = client.post(_link(new_owner), {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"})
    assert "not the same" in response.content.decode()


def _reset(client, email):
    return client.post("/accounts/password-reset/", {"email": email}, follow=True)


def test_reset_requests_reveal_nothing(client, program, member, django_capture_on_commit_callbacks):
    submit(email="applicant@example.com")  # applied, not approved yet
    UserFactory(email="inactive@example.com", is_active=False)
    answers = []
    for email in ["nobody@example.com", "applicant@example.com", "inactive@example.com", member.email]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = _reset(client, email)
        answers.append(
            (response.status_code, response.redirect_chain, _without_csrf(response.content), len(mail.outbox))
        )
    unknown, applicant, inactive, known = answers
    assert unknown[:3] == applicant[:3] == inactive[:3] == known[:3]
    assert unknown[3] == applicant[3] == inactive[3] == 0
    assert known[3] == 1
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_the_reset_link_sets_a_new_password(client, program, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _reset(client, member.email)
    link = mail.outbox[0].body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    client.post(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert _can_log_in(client, member.email, NEW_PASSWORD)


def test_a_new_link_invalidates_nothing_but_setting_the_password_invalidates_all(client, program, new_owner):
    first, second = _link(new_owner), _link(new_owner)
    client.post(second, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert client.get(first).status_code == 410


def test_reset_requests_are_rate_limited_quietly(client, program, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answers = {_without_csrf(_reset(client, member.email).content) for _ in range(8)}
    assert len(answers) == 1
    assert len(mail.outbox) == 5
