"""Delivery through a real SMTP server on this machine (aiosmtpd): a refusal keeps the
message queued; once the server accepts, each message goes out exactly once."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.utils import timezone

from propass.notifications.models import OutboxMessage
from propass.notifications.services import email_send, outbox_deliver, outbox_retry_due


class Mailbox:
    def __init__(self):
        self.refusing = True
        self.received: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "451 4.3.0 Mail server temporarily rejected message"
        self.received.append(envelope)
        return "250 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    yield mailbox
    controller.stop()


def test_a_refusing_server_then_an_accepting_one_sends_each_message_once(smtp_server, member, owner):
    first = email_send(to=member.email, template="test_message", context={"user": member})
    second = email_send(to=owner.email, template="test_message", context={"user": owner})
    for message in (first, second):
        assert outbox_deliver(message_id=message.pk) == "queued"
    assert smtp_server.received == []
    assert OutboxMessage.objects.filter(status="queued").count() == 2
    assert "451" in OutboxMessage.objects.get(pk=first.pk).last_error

    smtp_server.refusing = False
    # The back-off has passed: the retry job hands the messages to the worker again (the
    # immediate task backend of the tests delivers what it is given).
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    outbox_retry_due(at=timezone.now())
    outbox_retry_due(at=timezone.now())
    for message in (first, second):
        outbox_deliver(message_id=message.pk)  # a late duplicate delivery changes nothing
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp_server.received) == sorted([member.email, owner.email])
    assert OutboxMessage.objects.filter(status="sent").count() == 2
    assert b"Content-Type: text/html" in smtp_server.received[0].original_content
