"""Single-use links are secrets (issue 14): no staff page, preview, admin view or API shows
a live set-password, reset or application-status link; staff re-send the link to the
member instead, and operators on the server still read it with `propass outbox`."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from propass.accounts.services import business_user_invite
from propass.accounts.tests.factories import UserFactory
from propass.core.models import AuditLog
from propass.notifications.models import OutboxMessage
from propass.notifications.services import email_send
from propass.onboarding.models import Application
from propass.onboarding.services import application_approve, application_reject, application_request_info
from propass.onboarding.tests.helpers import submit
from propass.testing.staff import staff_session_verify, staff_user

NEW_PASSWORD = "Sunny-meadow-lantern-42"
SECRET = re.compile(r"/(?:accounts/set-password|apply/status)/([\w\-]+)/")
ROLES = ["validation", "support", "finance", "program_admin", "auditor", "superuser"]


def _token(message: OutboxMessage) -> str:
    found = SECRET.search(message.body_text)
    assert found, message.body_text
    return found.group(1)


def _staff_client(role: str) -> Client:
    if role == "superuser":
        user = UserFactory(email="root@propass.test", is_staff=True, is_superuser=True)
    else:
        user = staff_user(f"{role}@propass.test", role)
    client = Client()
    client.force_login(user)
    staff_session_verify(client, user)
    return client


@pytest.fixture
def reset(django_capture_on_commit_callbacks):
    """A public password reset, as anybody (the auditor in another browser) may ask for."""

    def ask(email: str) -> OutboxMessage:
        with django_capture_on_commit_callbacks(execute=True):
            Client().post("/accounts/password-reset/", {"email": email})
        return OutboxMessage.objects.filter(to=email, template="password_reset").latest("pk")

    return ask


@pytest.fixture
def secret_messages(reset, program, business, owner, member, validation_agent):
    """One stored message of each kind that carries a single-use link."""
    reset(member.email)
    business_user_invite(business=business, actor=owner, email="new@alpha.test", first_name="Nina", last_name="Nuova")
    received = submit()
    application_request_info(application_id=received.pk, agent=validation_agent, message="Send the VAT certificate.")
    approved = submit(email="approved@example.com")
    application_approve(application_id=approved.pk, agent=validation_agent)
    rejected = submit(email="rejected@example.com")
    application_reject(application_id=rejected.pk, agent=validation_agent, reason="Not a business.")
    templates = [
        "password_reset",
        "team_invitation",
        "application_received",
        "application_info_requested",
        "account_ready",
        "application_rejected",
    ]
    messages = [OutboxMessage.objects.filter(template=template).latest("pk") for template in templates]
    return messages


def _staff_pages(messages: list[OutboxMessage], business_id: int) -> list[str]:
    pages = ["/backoffice/", "/backoffice/outbox/", "/backoffice/audit/", f"/backoffice/businesses/{business_id}/"]
    for message in messages:
        pages += [
            f"/backoffice/outbox/?to={message.to}",
            f"/backoffice/outbox/{message.pk}/",
            f"/backoffice/outbox/{message.pk}/html/",
            f"/backoffice/admin/notifications/outboxmessage/{message.pk}/change/",
        ]
    return [
        *pages,
        "/backoffice/applications/",
        "/backoffice/admin/notifications/outboxmessage/",
        "/backoffice/admin/notifications/notification/",
        "/backoffice/admin/core/auditlog/",
        "/backoffice/admin/onboarding/application/",
        *(f"/backoffice/admin/onboarding/application/{pk}/change/" for pk in _application_ids()),
        *(f"/backoffice/applications/{pk}/" for pk in _application_ids()),
        "/backoffice/reports/",
        "/api/v1/staff/applications/",
    ]


def _application_ids() -> list[int]:
    return list(Application.objects.values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_no_staff_role_reads_a_usable_link(role, secret_messages, business):
    tokens = [_token(message) for message in secret_messages]
    client = _staff_client(role)
    for url in _staff_pages(secret_messages, business.pk):
        body = client.get(url).content.decode()
        for token in tokens:
            assert token not in body, f"{role} reads a live link on {url}"
    # Every staff member still sees that a link went out, masked, in the outbox.
    page = client.get(f"/backoffice/outbox/{secret_messages[0].pk}/").content.decode()
    assert "link sent" in page
    # The links still work for their owners.
    member = Client()
    for message, token in zip(secret_messages, tokens, strict=True):
        if "set-password" in message.body_text:
            assert member.get(f"/accounts/set-password/{token}/").status_code == 200
        else:
            assert member.get(f"/apply/status/{token}/").status_code == 200


def test_the_auditor_cannot_take_over_a_member(reset, program, member):
    auditor = _staff_client("auditor")
    message = reset(member.email)
    token = _token(message)
    seen = ""
    for url in (
        f"/backoffice/outbox/?to={member.email}",
        f"/backoffice/outbox/{message.pk}/",
        f"/backoffice/outbox/{message.pk}/html/",
        f"/backoffice/admin/notifications/outboxmessage/{message.pk}/change/",
    ):
        response = auditor.get(url)
        assert response.status_code == 200
        seen += response.content.decode()
    links = re.findall(r"/accounts/set-password/([\w\-]+)/", seen)
    assert token not in seen
    for link in links:  # whatever the pages show, it does not set the member's password
        auditor.post(f"/accounts/set-password/{link}/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    member.refresh_from_db()
    assert not member.check_password(NEW_PASSWORD)
    login = Client().post("/accounts/login/", {"username": member.email, "password": NEW_PASSWORD})
    assert "_auth_user_id" not in login.wsgi_request.session
    # The auditor cannot ask for the link to be re-sent either.
    assert auditor.post(f"/backoffice/outbox/{message.pk}/resend-link/").status_code == 403


@pytest.mark.parametrize("role", ["support", "validation", "program_admin", "superuser"])
def test_staff_re_send_a_new_link_to_the_member(reset, role, program, member):
    message = reset(member.email)
    old_token = _token(message)
    client = _staff_client(role)
    response = client.post(f"/backoffice/outbox/{message.pk}/resend-link/")
    assert response.status_code == 302
    new = OutboxMessage.objects.filter(to=member.email).latest("pk")
    assert new.pk != message.pk
    new_token = _token(new)
    assert new_token != old_token
    assert new_token not in client.get(response["Location"]).content.decode()
    entry = AuditLog.objects.get(action="password.link_resend")
    assert entry.actor.email == ("root" if role == "superuser" else role) + "@propass.test"
    assert entry.target_id == str(member.pk)
    # The new link is the member's: it sets their password.
    Client().post(f"/accounts/set-password/{new_token}/", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_finance_and_the_auditor_may_not_re_send(reset, program, member):
    message = reset(member.email)
    for role in ("finance", "auditor"):
        assert _staff_client(role).post(f"/backoffice/outbox/{message.pk}/resend-link/").status_code == 403
    assert OutboxMessage.objects.filter(to=member.email).count() == 1


def test_the_application_link_is_re_sent_to_the_applicant(program, validation_agent):
    application = submit()
    message = OutboxMessage.objects.get(template="application_received")
    client = _staff_client("validation")
    client.post(f"/backoffice/outbox/{message.pk}/resend-link/")
    again = OutboxMessage.objects.filter(to=application.email).latest("pk")
    assert again.pk != message.pk
    assert _token(again) == application.token
    assert AuditLog.objects.filter(action="application.link_resend", target_id=str(application.pk)).exists()


def test_a_message_without_a_link_offers_no_re_send(program, member):
    message = email_send(to=member.email, template="test_message", context={"user": member})
    client = _staff_client("support")
    assert "resend-link" not in client.get(f"/backoffice/outbox/{message.pk}/").content.decode()
    assert client.post(f"/backoffice/outbox/{message.pk}/resend-link/").status_code == 404


def test_the_outbox_command_still_shows_the_link(reset, program, member, capsys):
    token = _token(reset(member.email))
    call_command("outbox", "--last")
    assert f"/accounts/set-password/{token}/" in capsys.readouterr().out
