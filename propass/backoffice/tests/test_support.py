"""The support agents' queue and ticket page in the back office."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from propass.core.models import AuditLog
from propass.notifications.models import Notification
from propass.products.tests.helpers import camera, register
from propass.support.models import CannedReply, Ticket
from propass.support.services import ticket_assign, ticket_open, ticket_reply_member, ticket_reply_staff
from propass.support.tests.helpers import member_in, staff_user
from propass.testing.files import pdf
from propass.testing.shop import buy

QUEUE = "/backoffice/support/"


@pytest.fixture
def agent(db):
    return staff_user("sara.support@propass.test", "support")


@pytest.fixture
def colleague(db):
    return staff_user("paolo.support@propass.test", "support", first_name="Paolo", last_name="Help")


def _open(business, author, subject="Help please", category="other", **kwargs):
    return ticket_open(business=business, author=author, category=category, subject=subject,
                       body="Something is wrong.", **kwargs)  # fmt: skip


def _subjects(response):
    return [ticket.subject for ticket in response.context["page"].object_list]


def test_the_queue_is_ordered_by_priority_then_age(client, shop, agent):
    for tier in [None, "silver", "gold", "platinum"]:
        business, owner = member_in(tier, f"Studio-{tier}")
        _open(business, owner, subject=f"From {tier}")
    business, owner = member_in("gold", "Older")
    older = _open(business, owner, subject="Older gold")
    Ticket.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    client.force_login(agent)
    response = client.get(QUEUE)
    assert _subjects(response) == ["From platinum", "Older gold", "From gold", "From silver", "From None"]
    page = response.content.decode()
    assert "Platinum" in page
    assert "No membership" in page


def test_the_queue_shows_the_deadline_and_flags_overdue_tickets(client, shop, agent):
    business, owner = member_in("silver", "Late")
    late = _open(business, owner, subject="Late one")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    _open(business, owner, subject="On time")
    client.force_login(agent)
    page = client.get(QUEUE).content.decode()
    assert page.count('class="overdue"') == 1
    assert page.count("status overdue") == 1


def test_the_queue_filters_by_status_category_and_assignment(client, program, agent, colleague, business, owner):
    mine = _open(business, owner, subject="Mine", category="billing")
    theirs = _open(business, owner, subject="Theirs", category="repair")
    _open(business, owner, subject="Nobody's", category="repair")
    answered = _open(business, owner, subject="Answered", category="repair")
    ticket_assign(agent=agent, ticket_id=mine.pk, assignee=agent)
    ticket_assign(agent=agent, ticket_id=theirs.pk, assignee=colleague)
    ticket_reply_staff(agent=agent, ticket_id=answered.pk, body="Done")
    client.force_login(agent)
    assert set(_subjects(client.get(f"{QUEUE}?assigned=me"))) == {"Mine"}
    assert set(_subjects(client.get(f"{QUEUE}?assigned=none"))) == {"Nobody's", "Answered"}
    assert set(_subjects(client.get(f"{QUEUE}?category=repair"))) == {"Theirs", "Nobody's", "Answered"}
    assert set(_subjects(client.get(f"{QUEUE}?status=waiting_member"))) == {"Answered"}
    assert set(_subjects(client.get(f"{QUEUE}?status=bogus"))) == {"Mine", "Theirs", "Nobody's", "Answered"}


def test_closed_tickets_leave_the_queue_unless_asked_for(client, program, agent, business, owner):
    ticket = _open(business, owner, subject="Done with")
    client.force_login(agent)
    client.post(f"/backoffice/support/{ticket.pk}/close/")
    assert _subjects(client.get(QUEUE)) == []
    assert _subjects(client.get(f"{QUEUE}?status=closed")) == ["Done with"]


def test_the_queue_needs_the_same_queries_for_many_tickets(client, shop, agent, colleague, django_assert_num_queries):
    for n, tier in enumerate(["silver", "gold", "platinum", None, "silver"]):
        business, owner = member_in(tier, f"Business{n}")
        ticket = _open(business, owner)
        ticket_assign(agent=agent, ticket_id=ticket.pk, assignee=colleague)
    client.force_login(agent)
    client.get(QUEUE)
    with django_assert_num_queries(6):
        response = client.get(QUEUE)
    assert len(response.context["page"].object_list) == 5


@pytest.mark.parametrize("path", [QUEUE, "/backoffice/support/{pk}/"])
def test_only_support_staff_open_the_pages(client, program, agent, business, owner, path):
    ticket = _open(business, owner)
    url = path.format(pk=ticket.pk)
    assert client.get(url).status_code == 302  # anonymous: login
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(owner)
    assert client.get(url).status_code == 403
    client.force_login(staff_user("fin@propass.test", "finance"))
    assert client.get(url).status_code == 403
    client.force_login(agent)
    assert client.get(url).status_code == 200


def test_actions_are_refused_to_other_staff(client, program, business, owner):
    ticket = _open(business, owner)
    client.force_login(staff_user("fin@propass.test", "finance"))
    assert client.post(f"/backoffice/support/{ticket.pk}/", {"action": "reply", "body": "x"}).status_code == 403
    assert client.post(f"/backoffice/support/{ticket.pk}/close/").status_code == 403
    assert client.post(f"/backoffice/support/{ticket.pk}/assign/", {"assignee": ""}).status_code == 403
    assert ticket.messages.count() == 1


def test_the_ticket_shows_the_conversation_and_the_member_context(client, shop, agent, django_assert_num_queries):
    business, owner = member_in(None, "Context", email="giulia@context.test")
    subscription, invoice = buy(business, owner, tier="gold")
    register(business, camera())
    ticket = _open(business, owner, subject="Where is my card?", attachment=pdf("scan.pdf"))
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Checked: paid by card.", internal=True)
    ticket_reply_member(business=business, author=owner, ticket_id=ticket.pk, body="Any news?")
    client.force_login(agent)
    client.get(f"/backoffice/support/{ticket.pk}/")
    with django_assert_num_queries(13):
        response = client.get(f"/backoffice/support/{ticket.pk}/")
    page = response.content.decode()
    assert "Where is my card?" in page
    assert "Checked: paid by card." in page
    assert "Internal note" in page
    assert 'class="message staff note"' in page
    assert "scan.pdf" in page
    assert subscription.membership_number in page
    assert "Gold" in page
    assert invoice.number in page
    assert "giulia@context.test" in page
    context = response.context["context"]
    business.refresh_from_db()
    assert (context.products, len(context.latest_products)) == (1, 1)
    assert context.points_balance == business.points_balance > 3000  # the camera's points were credited


def test_a_canned_reply_in_the_member_language_fills_the_answer(client, program, agent, business):
    from propass.accounts.tests.factories import MembershipFactory

    # Data of their own: a transactional test elsewhere may have flushed the seeded replies.
    CannedReply.objects.all().delete()
    CannedReply.objects.create(language="en", title="We are on it", body="We are looking into your request.")
    canned = CannedReply.objects.create(
        language="it", title="Ce ne stiamo occupando", body="Stiamo esaminando la tua richiesta."
    )
    CannedReply.objects.create(language="it", title="Vecchia risposta", body="Non più usata.", active=False)
    italian = MembershipFactory(business=business, role="superuser", user__language="it").user
    ticket = _open(business, italian)
    client.force_login(agent)
    page = client.get(f"/backoffice/support/{ticket.pk}/").content.decode()
    assert "Ce ne stiamo occupando" in page
    assert "We are on it" not in page
    assert "Vecchia risposta" not in page
    page = client.get(f"/backoffice/support/{ticket.pk}/?canned={canned.pk}").content.decode()
    textarea = re.search(r'<textarea name="body"[^>]*id="id_body"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert "Stiamo esaminando la tua richiesta" in textarea.group(1)


def test_english_canned_replies_stand_in_for_a_language_without_any(client, program, agent, business):
    from propass.accounts.tests.factories import MembershipFactory

    CannedReply.objects.all().delete()
    CannedReply.objects.create(language="en", title="We are on it", body="We are looking into your request.")
    dutch = MembershipFactory(business=business, role="superuser", user__language="nl").user
    ticket = _open(business, dutch)
    client.force_login(agent)
    assert "We are on it" in client.get(f"/backoffice/support/{ticket.pk}/").content.decode()


def test_an_answer_notifies_the_member_and_a_note_does_not(client, program, agent, business, owner):
    ticket = _open(business, owner)
    client.force_login(agent)
    response = client.post(
        f"/backoffice/support/{ticket.pk}/", {"action": "note", "note-body": "Looks like a reseller"}
    )
    assert response.status_code == 302
    assert ticket.messages.get(internal=True).body == "Looks like a reseller"
    assert Notification.objects.count() == 0
    response = client.post(
        f"/backoffice/support/{ticket.pk}/",
        {"action": "reply", "body": "We fixed it.", "attachment": pdf("fix.pdf")},
    )
    assert response.status_code == 302
    assert Notification.objects.get(user=owner).kind == "ticket_reply"
    ticket.refresh_from_db()
    assert ticket.status == "waiting_member"
    assert ticket.messages.filter(from_staff=True, internal=False).get().attachments.count() == 1


def test_an_empty_answer_is_shown_again_with_the_error(client, program, agent, business, owner):
    ticket = _open(business, owner)
    client.force_login(agent)
    response = client.post(f"/backoffice/support/{ticket.pk}/", {"action": "reply", "body": ""})
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.content.decode()
    assert ticket.messages.count() == 1


def test_agents_assign_and_close(client, program, agent, colleague, business, owner):
    ticket = _open(business, owner)
    client.force_login(agent)
    client.post(f"/backoffice/support/{ticket.pk}/assign/", {"assignee": str(agent.pk)})
    ticket.refresh_from_db()
    assert ticket.assigned_to == agent
    client.post(f"/backoffice/support/{ticket.pk}/assign/", {"assignee": str(colleague.pk)})
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague
    client.post(f"/backoffice/support/{ticket.pk}/assign/", {"assignee": str(owner.pk)})  # not an agent
    ticket.refresh_from_db()
    assert ticket.assigned_to == colleague
    client.post(f"/backoffice/support/{ticket.pk}/assign/", {"assignee": ""})
    ticket.refresh_from_db()
    assert ticket.assigned_to is None
    client.post(f"/backoffice/support/{ticket.pk}/close/")
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert AuditLog.objects.filter(action="support.assign", actor=agent).count() == 3
    assert AuditLog.objects.filter(action="support.close", actor=agent).count() == 1


def test_an_unknown_ticket_is_404(client, agent):
    client.force_login(agent)
    assert client.get("/backoffice/support/999/").status_code == 404
    assert client.post("/backoffice/support/999/close/").status_code == 404
