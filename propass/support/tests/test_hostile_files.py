"""Hostile attachments are refused on every support channel (the member's pages, the API,
the agents' answers), nothing of them is stored; names survive; downloads are sandboxed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from propass.support.models import Ticket, TicketAttachment, TicketMessage
from propass.support.services import ticket_open
from propass.testing.files import HOSTILE_FILES, hostile, jpeg, pdf, pdf_normal, png

TICKETS = "/api/v1/support/tickets/"
NEW = {"category": "repair", "subject": "Repair", "body": "See the file"}
REASONS = {
    "escaped_open_action": "scripts, attachments or actions",
    "script_in_object_stream": "scripts, attachments or actions",
    "page_uri_action": "scripts, attachments or actions",
    "embedded_file": "scripts, attachments or actions",
    "xfa": "scripts, attachments or actions",
    "encrypted": "protected with a password",
    "truncated": "damaged or incomplete",
    "png_100_megapixels": "100 megapixels",
}


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def ticket(program, business, owner):
    return ticket_open(business=business, author=owner, category="products", subject="Serial refused",
                       body="My serial is refused.")  # fmt: skip


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_attachment_is_refused_when_a_member_opens_a_ticket(client, program, owner, settings, kind):
    client.force_login(owner)
    response = client.post("/support/new/", {**NEW, "attachment": hostile(kind)})
    assert response.status_code == 200
    assert REASONS[kind] in response.content.decode()
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_attachment_is_refused_in_a_member_reply(client, owner, ticket, settings, kind):
    client.force_login(owner)
    response = client.post(f"/support/{ticket.pk}/", {"body": "Here it is", "attachment": hostile(kind)})
    assert REASONS[kind] in response.content.decode()
    assert TicketMessage.objects.count() == 1
    assert TicketAttachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_attachment_is_refused_by_the_api(program, owner, ticket, settings, kind):
    api = _api(owner)
    response = api.post(TICKETS, {**NEW, "attachment": hostile(kind)}, format="multipart")
    assert response.status_code == 400
    assert REASONS[kind] in response.json()["error"]["fields"]["attachment"][0]
    response = api.post(f"{TICKETS}{ticket.pk}/messages/", {"body": "Here", "attachment": hostile(kind)},
                        format="multipart")  # fmt: skip
    assert response.status_code == 400
    assert REASONS[kind] in response.json()["error"]["fields"]["attachment"][0]
    assert Ticket.objects.count() == 1
    assert TicketMessage.objects.count() == 1
    assert TicketAttachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_attachment_is_refused_in_an_agent_answer(client, agent, ticket, settings, kind):
    client.force_login(agent)
    response = client.post(f"/backoffice/support/{ticket.pk}/", {"body": "See this", "attachment": hostile(kind)})
    assert REASONS[kind] in response.content.decode()
    assert TicketMessage.objects.count() == 1
    assert TicketAttachment.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize(
    "upload",
    [SimpleUploadedFile("quote.pdf", pdf_normal()), pdf("quote.pdf"), jpeg("label.jpg"), png("label.png")],
    ids=["office-pdf", "minimal-pdf", "jpeg", "png"],
)
def test_ordinary_attachments_pass_on_every_channel(client, owner, agent, ticket, upload):
    client.force_login(owner)
    upload.seek(0)
    assert client.post("/support/new/", {**NEW, "attachment": upload}).status_code == 302
    upload.seek(0)
    assert client.post(f"/support/{ticket.pk}/", {"body": "Here", "attachment": upload}).status_code == 302
    api = _api(owner)
    upload.seek(0)
    assert api.post(TICKETS, {**NEW, "attachment": upload}, format="multipart").status_code == 201
    upload.seek(0)
    response = api.post(f"{TICKETS}{ticket.pk}/messages/", {"body": "Here", "attachment": upload}, format="multipart")
    assert response.status_code == 201
    client.force_login(agent)
    upload.seek(0)
    assert client.post(f"/backoffice/support/{ticket.pk}/", {"body": "Ok", "attachment": upload}).status_code == 302
    assert TicketAttachment.objects.count() == 5


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Rechnung März.pdf", "Rechnung_März.pdf"),
        ("=?UTF-8?B?UmVjaG51bmcgTcOkcnoucGRm?=", "Rechnung_März.pdf"),
        ("Rechnung%20M%C3%A4rz.pdf", "Rechnung_März.pdf"),
        ("€€€.pdf", "attachment.pdf"),
        ("発票.pdf", "発票.pdf"),
        ("a" * 300 + ".pdf", "a" * 96 + ".pdf"),
    ],
)
def test_attachment_names_are_decoded_or_replaced_never_dropped(client, owner, sent, kept):
    client.force_login(owner)
    response = client.post("/support/new/", {**NEW, "attachment": SimpleUploadedFile(sent, pdf_normal())})
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    assert attachment.original_name == kept
    download = client.get(f"/support/attachments/{attachment.pk}/")
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_jpeg_is_stored_re_encoded_without_its_metadata(client, owner):
    client.force_login(owner)
    image = Image.new("RGB", (64, 48), color=(10, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert b"SecretCam" in buffer.getvalue()
    response = client.post("/support/new/", {**NEW, "attachment": SimpleUploadedFile("p.jpg", buffer.getvalue())})
    assert response.status_code == 302
    attachment = TicketAttachment.objects.get()
    stored = attachment.file.read()
    assert b"SecretCam" not in stored
    with Image.open(io.BytesIO(stored)) as reread:
        assert reread.size == (64, 48)
        assert not reread.getexif()
    assert attachment.size == len(stored)
