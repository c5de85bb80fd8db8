from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from propass.core.errors import NotFound
from propass.notifications.enums import OutboxStatus
from propass.notifications.models import OutboxMessage
from propass.notifications.services import (
    email_send,
    notification_create,
    notification_mark_read,
    outbox_deliver,
    outbox_requeue,
    outbox_retry_due,
)


def _send(user, language="en"):
    return email_send(to=user.email, template="test_message", context={"user": user}, language=language)


def test_a_message_is_rendered_in_the_recipients_language(member):
    italian = _send(member, language="it")
    english = _send(member, language="en")
    assert italian.subject != english.subject
    assert italian.body_html.startswith("<!doctype html>")
    assert "Anna" in italian.body_text


def test_delivery_happens_after_commit(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(member)
        assert len(mail.outbox) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["member@alpha.test"]
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None


def test_a_refusing_server_keeps_the_message_for_a_later_attempt(member):
    message = _send(member)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("no")):
        assert outbox_deliver(message_id=message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > timezone.now()
    # Not due yet: a second delivery attempt does nothing.
    assert outbox_deliver(message_id=message.pk) == OutboxStatus.QUEUED
    assert len(mail.outbox) == 0


def test_it_gives_up_after_the_last_attempt(member, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = _send(member)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")):
        outbox_deliver(message_id=message.pk)
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        assert outbox_deliver(message_id=message.pk) == OutboxStatus.FAILED


def test_a_sent_message_is_never_sent_twice(member):
    message = _send(member)
    outbox_deliver(message_id=message.pk)
    outbox_deliver(message_id=message.pk)
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_killed_worker_is_handed_out_again(member):
    message = _send(member)
    long_ago = timezone.now() - timedelta(hours=1)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENDING, claimed_at=long_ago)
    assert outbox_retry_due(at=timezone.now()) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert len(mail.outbox) == 1


def test_staff_can_send_a_failed_message_again(member, staff):
    message = _send(member)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED, attempts=8)
    outbox_requeue(message_id=message.pk, actor=staff)
    message.refresh_from_db()
    assert message.status == OutboxStatus.QUEUED
    assert message.attempts == 0


def test_a_sent_message_cannot_be_requeued(member, staff):
    from propass.core.errors import IllegalTransition

    message = _send(member)
    outbox_deliver(message_id=message.pk)
    with pytest.raises(IllegalTransition):
        outbox_requeue(message_id=message.pk, actor=staff)


def test_the_outbox_command_prints_messages_with_links(member, capsys):
    _send(member)
    call_command("outbox", "--to", "MEMBER@alpha.test", "--last")
    out = capsys.readouterr().out
    assert "To:      member@alpha.test" in out
    assert "http://127.0.0.1:8000/backoffice/outbox/" in out


def test_the_outbox_command_says_when_empty(db, capsys):
    call_command("outbox")
    assert "The outbox is empty." in capsys.readouterr().out


def test_the_outbox_page_is_for_staff_only(client, member, staff):
    message = _send(member)
    client.force_login(member)
    assert client.get("/backoffice/outbox/").status_code == 403
    assert client.get(f"/backoffice/outbox/{message.pk}/").status_code == 403
    client.force_login(staff)
    page = client.get(f"/backoffice/outbox/{message.pk}/").content.decode()
    assert 'href="http://127.0.0.1:8000/backoffice/outbox/"' in page


def test_the_outbox_list_has_a_fixed_number_of_queries(client, staff, member, django_assert_num_queries):
    for _ in range(30):
        _send(member)
    client.force_login(staff)
    # session, user, count, page of messages
    with django_assert_num_queries(5):
        response = client.get("/backoffice/outbox/")
    assert response.content.decode().count("<tr>") == 31


def test_staff_can_send_themselves_a_test_email(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/backoffice/outbox/test/")
    assert mail.outbox[0].to == ["agent@propass.test"]


def test_a_user_reads_only_their_own_notifications(member, outsider):
    notification = notification_create(user=member, kind="test", title="Hello")
    with pytest.raises(NotFound):
        notification_mark_read(user=outsider, notification_id=notification.pk)
    assert notification_mark_read(user=member, notification_id=notification.pk).read_at is not None


def test_the_html_preview_is_sandboxed_and_staff_only(client, staff, member):
    message = _send(member)
    client.force_login(member)
    assert client.get(f"/backoffice/outbox/{message.pk}/html/").status_code == 403
    client.force_login(staff)
    response = client.get(f"/backoffice/outbox/{message.pk}/html/")
    assert response.status_code == 200
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.decode() == message.body_html
