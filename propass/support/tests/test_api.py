import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from propass.support.models import Ticket, TicketAttachment
from propass.support.services import ticket_open, ticket_reply_staff
from propass.support.tests.helpers import EXE_BYTES
from propass.testing.files import MINIMAL_PDF, pdf

TICKETS = "/api/v1/support/tickets/"


@pytest.fixture
def api():
    return APIClient()


def _open(business, author, subject="Serial refused", **kwargs):
    return ticket_open(business=business, author=author, category="products", subject=subject,
                       body="My serial is refused.", **kwargs)  # fmt: skip


@pytest.fixture
def foreign(program, other_business, outsider):
    return _open(other_business, outsider, subject="Beta's secret", attachment=pdf("secret.pdf"))


def test_the_list_is_paginated_and_holds_only_the_business_tickets(api, program, business, owner, foreign):
    for n in range(3):
        _open(business, owner, subject=f"Question {n}")
    api.force_authenticate(owner)
    body = api.get(f"{TICKETS}?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert set(body["results"][0]) == {"id", "category", "subject", "status", "created_at", "last_message_at",
                                       "closed_at"}  # fmt: skip
    assert "Beta's secret" not in str(body)


def test_a_ticket_is_opened_with_json(api, program, business, owner):
    api.force_authenticate(owner)
    response = api.post(TICKETS, {"category": "membership", "subject": "Upgrade", "body": "Can I upgrade?"},
                        format="json")  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["category"], body["subject"]) == ("open", "membership", "Upgrade")
    assert [m["body"] for m in body["messages"]] == ["Can I upgrade?"]
    assert Ticket.objects.get().business == business


def test_a_ticket_is_opened_with_an_attachment_in_multipart(api, program, owner):
    api.force_authenticate(owner)
    response = api.post(TICKETS, {"category": "repair", "subject": "Repair", "body": "Quote attached",
                                  "attachment": pdf("quote.pdf")}, format="multipart")  # fmt: skip
    assert response.status_code == 201
    attachment = response.json()["messages"][0]["attachments"][0]
    assert (attachment["name"], attachment["content_type"]) == ("quote.pdf", "application/pdf")
    download = api.get(attachment["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == MINIMAL_PDF
    # What download clients send: the file's type, or anything.
    for accept in ("application/pdf", "application/octet-stream", "*/*"):
        again = api.get(attachment["url"], HTTP_ACCEPT=accept)
        assert (again.status_code, again["Content-Type"]) == (200, "application/pdf"), accept


def test_a_renamed_program_is_refused_in_the_error_shape(api, program, owner):
    api.force_authenticate(owner)
    fake = SimpleUploadedFile("quote.pdf", EXE_BYTES, content_type="application/pdf")
    response = api.post(TICKETS, {"category": "repair", "subject": "Repair", "body": "x", "attachment": fake},
                        format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"attachment": ["Only PDF, JPEG and PNG files are accepted."]}
    assert Ticket.objects.count() == 0


def test_another_business_ticket_and_attachment_are_not_found(api, program, owner, foreign):
    api.force_authenticate(owner)
    attachment = TicketAttachment.objects.get(message__ticket=foreign)
    assert api.get(f"{TICKETS}{foreign.pk}/").status_code == 404
    assert api.post(f"{TICKETS}{foreign.pk}/messages/", {"body": "Hi"}, format="json").status_code == 404
    assert api.post(f"{TICKETS}{foreign.pk}/close/").status_code == 404
    assert api.get(f"{TICKETS}{foreign.pk}/attachments/{attachment.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.status, foreign.messages.count()) == ("open", 1)


def test_an_attachment_is_reached_only_through_its_own_ticket(api, program, business, owner, foreign):
    mine = _open(business, owner)
    attachment = TicketAttachment.objects.get(message__ticket=foreign)
    api.force_authenticate(owner)
    assert api.get(f"{TICKETS}{mine.pk}/attachments/{attachment.pk}/").status_code == 404


def test_internal_notes_never_reach_the_api(api, program, agent, business, owner):
    ticket = _open(business, owner)
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Reseller, be careful", internal=True,
                       attachment=pdf("note.pdf"))  # fmt: skip
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Please send the label.")
    api.force_authenticate(owner)
    body = api.get(f"{TICKETS}{ticket.pk}/").json()
    assert [m["body"] for m in body["messages"]] == ["My serial is refused.", "Please send the label."]
    assert body["messages"][1]["from_staff"] is True
    assert body["messages"][1]["author"] == "Sara"
    assert "note.pdf" not in str(body)
    note = TicketAttachment.objects.get(original_name="note.pdf")
    assert api.get(f"{TICKETS}{ticket.pk}/attachments/{note.pk}/").status_code == 404


def test_a_reply_reopens_a_closed_ticket_and_close_closes_it(api, program, business, owner):
    ticket = _open(business, owner)
    api.force_authenticate(owner)
    closed = api.post(f"{TICKETS}{ticket.pk}/close/")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert closed.json()["closed_at"] is not None
    response = api.post(f"{TICKETS}{ticket.pk}/messages/", {"body": "Still broken", "attachment": pdf("more.pdf")},
                        format="multipart")  # fmt: skip
    assert response.status_code == 201
    assert response.json()["status"] == "waiting_staff"
    assert response.json()["messages"][-1]["attachments"][0]["name"] == "more.pdf"


def test_token_auth_works_and_callers_without_a_business_get_404(api, program, business, owner, agent):
    from propass.accounts.services import api_token_issue

    _open(business, owner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=owner)}")
    assert api.get(TICKETS).json()["count"] == 1
    api.credentials()
    api.force_authenticate(agent)
    assert api.get(TICKETS).status_code == 404
    api.force_authenticate(None)
    assert api.get(TICKETS).status_code == 401


def test_the_list_needs_the_same_queries_for_many_tickets(api, program, business, owner, agent,
                                                          django_assert_num_queries):  # fmt: skip
    for n in range(4):
        ticket = _open(business, owner, subject=f"Q{n}", attachment=pdf())
        ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Answer")
    api.force_authenticate(owner)
    with django_assert_num_queries(3):
        assert api.get(TICKETS).json()["count"] == 4
