import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propass.support.models import Ticket, TicketAttachment
from propass.support.services import ticket_close, ticket_open, ticket_reply_staff
from propass.support.tests.helpers import EXE_BYTES
from propass.testing.files import MINIMAL_PDF, pdf


def _open(business, author, **kwargs):
    return ticket_open(business=business, author=author, category="products", subject="Serial refused",
                       body="My serial is refused.", **kwargs)  # fmt: skip


@pytest.fixture
def ticket(program, business, owner):
    return _open(business, owner, attachment=pdf("receipt.pdf"))


@pytest.fixture
def foreign(program, other_business, outsider):
    return _open(other_business, outsider, attachment=pdf("secret.pdf"))


def test_the_list_shows_the_business_tickets_with_status_and_activity(client, member, ticket, foreign,
                                                                     django_assert_num_queries):  # fmt: skip
    client.force_login(member)
    client.get("/support/")  # warm the session
    with django_assert_num_queries(6):
        page = client.get("/support/").content.decode()
    assert "Serial refused" in page
    assert f"/support/{ticket.pk}/" in page
    assert f"/support/{foreign.pk}/" not in page
    assert "Sent, waiting for an answer" in page


def test_the_list_needs_the_same_queries_for_many_tickets(client, program, business, owner,
                                                          django_assert_num_queries):  # fmt: skip
    for _ in range(5):
        _open(business, owner)
    client.force_login(owner)
    client.get("/support/")
    with django_assert_num_queries(6):
        client.get("/support/")


def test_contact_priority_support_prefills_the_migration_category(client, program, owner):
    client.force_login(owner)
    form = client.get("/support/new/?category=migration").content.decode()
    assert 'value="migration" selected' in form
    assert "Migrating the products of my old CPS account" in form
    assert 'enctype="multipart/form-data"' in form


def test_a_member_opens_a_ticket_with_an_attachment(client, program, business, owner):
    client.force_login(owner)
    response = client.post(
        "/support/new/",
        {"category": "billing", "subject": "VAT on my invoice", "body": "Please check the VAT.",
         "attachment": pdf("invoice.pdf")},
    )  # fmt: skip
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/support/{ticket.pk}/"
    assert (ticket.business, ticket.category, ticket.created_by) == (business, "billing", owner)
    assert TicketAttachment.objects.get().original_name == "invoice.pdf"


def test_a_renamed_program_is_refused_with_a_clear_message(client, program, owner):
    client.force_login(owner)
    response = client.post(
        "/support/new/",
        {"category": "repair", "subject": "Repair", "body": "See file",
         "attachment": SimpleUploadedFile("quote.pdf", EXE_BYTES, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Only PDF, JPEG and PNG files are accepted." in response.content.decode()
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0


def test_the_ticket_shows_the_conversation_without_internal_notes(client, agent, member, ticket):
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Customer seems confused.", internal=True)
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Please send a photo of the label.")
    client.force_login(member)
    page = client.get(f"/support/{ticket.pk}/").content.decode()
    assert "My serial is refused." in page
    assert "Please send a photo of the label." in page
    assert "Customer seems confused." not in page
    assert "Answered" in page
    assert "receipt.pdf" in page
    assert "Close ticket" in page


def test_another_business_gets_404_for_the_ticket_its_attachment_a_reply_and_closing(client, outsider, ticket):
    client.force_login(outsider)
    attachment = TicketAttachment.objects.get(message__ticket=ticket)
    assert client.get(f"/support/{ticket.pk}/").status_code == 404
    assert client.post(f"/support/{ticket.pk}/", {"body": "Hijack"}).status_code == 404
    assert client.post(f"/support/{ticket.pk}/close/").status_code == 404
    assert client.get(f"/support/attachments/{attachment.pk}/").status_code == 404
    ticket.refresh_from_db()
    assert (ticket.status, ticket.messages.count()) == ("open", 1)


def test_an_attachment_downloads_for_the_business_and_the_agents_only(client, member, agent, ticket,
                                                                     finance_staff):  # fmt: skip
    attachment = TicketAttachment.objects.get(message__ticket=ticket)
    url = f"/support/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (member, agent):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == "attachment; filename=\"receipt.pdf\"; filename*=UTF-8''receipt.pdf"
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == MINIMAL_PDF
    client.force_login(finance_staff)
    assert client.get(url).status_code == 404


def test_an_internal_note_attachment_is_not_for_the_member(client, member, agent, ticket):
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Their old receipt", internal=True,
                       attachment=pdf("old.pdf"))  # fmt: skip
    note_file = TicketAttachment.objects.get(original_name="old.pdf")
    client.force_login(member)
    assert client.get(f"/support/attachments/{note_file.pk}/").status_code == 404
    client.force_login(agent)
    assert client.get(f"/support/attachments/{note_file.pk}/").status_code == 200


def test_a_member_replies_closes_and_reopens_by_replying(client, owner, ticket):
    client.force_login(owner)
    response = client.post(f"/support/{ticket.pk}/", {"body": "A photo of the label", "attachment": pdf("label.pdf")})
    assert response.status_code == 302
    assert ticket.messages.count() == 2
    client.post(f"/support/{ticket.pk}/close/")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    page = client.get(f"/support/{ticket.pk}/").content.decode()
    assert "Close ticket" not in page
    assert "Reply to open the request again" in page
    client.post(f"/support/{ticket.pk}/", {"body": "It happened again"}, follow=True)
    ticket.refresh_from_db()
    assert ticket.status == "waiting_staff"


def test_an_empty_reply_is_refused(client, owner, ticket):
    client.force_login(owner)
    response = client.post(f"/support/{ticket.pk}/", {"body": ""})
    assert response.status_code == 200
    assert ticket.messages.count() == 1


def test_staff_without_a_business_have_no_member_support_pages(client, agent, ticket):
    client.force_login(agent)
    assert client.get("/support/").status_code == 200
    assert client.get("/support/new/").status_code == 404
    assert client.get(f"/support/{ticket.pk}/").status_code == 404


def test_a_closed_ticket_is_closed_once(client, owner, agent, ticket):
    ticket_close(actor=agent, ticket_id=ticket.pk)
    client.force_login(owner)
    client.post(f"/support/{ticket.pk}/close/")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
