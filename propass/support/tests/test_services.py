from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from propass.core.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from propass.core.models import AuditLog
from propass.core.statuses import check_transition
from propass.memberships.models import Tier
from propass.notifications.models import Notification, OutboxMessage
from propass.support.enums import TICKET_TRANSITIONS
from propass.support.models import NO_MEMBERSHIP_PRIORITY, SupportSla, Ticket, TicketAttachment
from propass.support.selectors import ticket_queue
from propass.support.services import (
    ticket_assign,
    ticket_close,
    ticket_open,
    ticket_reply_member,
    ticket_reply_staff,
)
from propass.support.tests.helpers import EXE_BYTES, member_in, staff_user
from propass.testing.files import pdf


def _open(business, author, subject="Help", **kwargs):
    return ticket_open(
        business=business, author=author, category="other", subject=subject, body="Please help.", **kwargs
    )


def test_priority_puts_platinum_before_gold_before_silver_before_no_membership(shop, agent):
    # Opened in the reverse order, so that age alone would sort them the other way.
    tickets = {}
    for tier in [None, "silver", "gold", "platinum"]:
        business, owner = member_in(tier, f"Studio-{tier}")
        tickets[tier] = _open(business, owner, subject=f"From {tier}")
    queue = list(ticket_queue(agent=agent))
    assert [t.pk for t in queue] == [tickets[t].pk for t in ["platinum", "gold", "silver", None]]
    assert tickets[None].priority == NO_MEMBERSHIP_PRIORITY
    assert tickets["platinum"].tier.code == "platinum"


def test_tickets_of_the_same_priority_come_oldest_first(shop, agent):
    business, owner = member_in("gold", "Gold")
    other, other_owner = member_in("gold", "Gilded")
    first = _open(other, other_owner)
    second = _open(business, owner)
    Ticket.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert [t.pk for t in ticket_queue(agent=agent)] == [second.pk, first.pk]


def test_corporate_tiers_rank_by_their_data(shop, agent):
    platinum, platinum_owner = member_in("platinum", "Plat")
    corporate, corporate_owner = member_in("corporate_c", "Corp")
    Tier.objects.filter(code="corporate_c").update(position=0, min_points=100)  # moved below Silver
    low = _open(corporate, corporate_owner)
    high = _open(platinum, platinum_owner)
    assert high.priority < low.priority


def test_the_answer_deadline_follows_the_tier_sla(shop):
    platinum, owner = member_in("platinum", "Plat")
    nobody, nobody_owner = member_in(None, "Nobody")
    before = timezone.now()
    ticket = _open(platinum, owner)
    assert before + timedelta(hours=4) <= ticket.due_at <= timezone.now() + timedelta(hours=4)
    loose = _open(nobody, nobody_owner)
    assert loose.due_at >= before + timedelta(hours=72)
    # The tier's row was made with its default, and an edited row is used from then on.
    row = SupportSla.objects.get(tier__code="platinum")
    assert row.response_hours == 4
    row.response_hours = 2
    row.save()
    assert _open(platinum, owner).due_at <= timezone.now() + timedelta(hours=2)


def test_a_conversation_moves_through_the_statuses(shop, agent, business, owner):
    ticket = _open(business, owner)
    assert ticket.status == "open"
    ticket_reply_member(business=business, author=owner, ticket_id=ticket.pk, body="More details.")
    ticket.refresh_from_db()
    assert ticket.status == "open"  # still unanswered
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Here is the answer.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.due_at) == ("waiting_member", None)
    ticket_reply_member(business=business, author=owner, ticket_id=ticket.pk, body="Thanks, one more thing.")
    ticket.refresh_from_db()
    assert ticket.status == "waiting_staff"
    assert ticket.due_at is not None
    ticket_close(business=business, actor=owner, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ticket.closed_at is not None
    actions = list(AuditLog.objects.filter(target_type="support.ticket").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["support.open", "support.reply", "support.answer", "support.reply", "support.close"]
    )


def test_replying_to_a_closed_ticket_reopens_it(shop, agent, business, owner):
    ticket = _open(business, owner)
    ticket_close(actor=agent, ticket_id=ticket.pk)
    ticket_reply_member(business=business, author=owner, ticket_id=ticket.pk, body="It broke again.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == ("waiting_staff", None)
    assert ticket.due_at > timezone.now()
    assert AuditLog.objects.filter(action="support.reopen").count() == 1


def test_the_transition_table_refuses_moves_it_does_not_list():
    with pytest.raises(IllegalTransition):
        check_transition(TICKET_TRANSITIONS, "open", "waiting_staff")
    with pytest.raises(IllegalTransition):
        check_transition(TICKET_TRANSITIONS, "waiting_member", "open")
    check_transition(TICKET_TRANSITIONS, "closed", "waiting_staff")


def test_the_priority_is_taken_again_at_each_member_message(shop, business, owner):
    ticket = _open(business, owner)
    assert ticket.tier is None
    from propass.memberships.services import CheckoutInput, subscription_checkout

    business.points_balance = 2000
    business.country = "NL"
    business.save()
    subscription_checkout(
        business=business,
        actor=owner,
        data=CheckoutInput(tier="platinum", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="card", payment_token="tok_visa"),
    )  # fmt: skip
    ticket_reply_member(business=business, author=owner, ticket_id=ticket.pk, body="We are Platinum now.")
    ticket.refresh_from_db()
    assert ticket.tier.code == "platinum"
    assert ticket.priority < NO_MEMBERSHIP_PRIORITY


def test_an_agent_answer_reaches_every_user_of_the_business(shop, agent, business, owner, member):
    ticket = _open(business, owner, subject="Broken shutter")
    assert Notification.objects.count() == 0
    ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Send it to us.")
    notes = Notification.objects.filter(kind="ticket_reply")
    assert {n.user for n in notes} == {owner, member}
    note = notes.get(user=owner)
    assert note.title_text == "CPS Priority Support answered: Broken shutter"
    assert note.url == f"/support/{ticket.pk}/"
    assert OutboxMessage.objects.filter(to=owner.email).exists()


def test_an_internal_note_changes_nothing_for_the_member(shop, agent, business, owner):
    ticket = _open(business, owner)
    due = ticket.due_at
    message = ticket_reply_staff(agent=agent, ticket_id=ticket.pk, body="Customer is a reseller.", internal=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.due_at) == ("open", due)
    assert (message.internal, message.from_staff) == (True, True)
    assert Notification.objects.count() == 0
    assert AuditLog.objects.filter(action="support.note").count() == 1


def test_members_opening_and_replying_notify_no_member(shop, business, owner, member):
    ticket = _open(business, owner)
    ticket_reply_member(business=business, author=member, ticket_id=ticket.pk, body="Adding to this.")
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_another_business_cannot_reply_to_or_close_a_ticket(shop, business, owner, other_business, outsider):
    ticket = _open(business, owner)
    with pytest.raises(NotFound):
        ticket_reply_member(business=other_business, author=outsider, ticket_id=ticket.pk, body="Hello")
    with pytest.raises(NotFound):
        ticket_close(business=other_business, actor=outsider, ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.messages.count() == 1


def test_only_support_agents_answer_assign_and_close(shop, business, owner, finance_staff):
    ticket = _open(business, owner)
    with pytest.raises(Forbidden):
        ticket_reply_staff(agent=finance_staff, ticket_id=ticket.pk, body="Hi")
    with pytest.raises(Forbidden):
        ticket_assign(agent=finance_staff, ticket_id=ticket.pk, assignee=finance_staff)
    with pytest.raises(Forbidden):
        ticket_close(actor=owner, ticket_id=ticket.pk)  # a member without their business: not as an agent


def test_tickets_are_assigned_to_support_agents_only(shop, agent, finance_staff, business, owner):
    ticket = _open(business, owner)
    ticket = ticket_assign(agent=agent, ticket_id=ticket.pk, assignee=agent)
    assert ticket.assigned_to == agent
    with pytest.raises(InvalidInput):
        ticket_assign(agent=agent, ticket_id=ticket.pk, assignee=finance_staff)
    ticket = ticket_assign(agent=agent, ticket_id=ticket.pk, assignee=None)
    assert ticket.assigned_to is None
    assert AuditLog.objects.filter(action="support.assign").count() == 2


def test_an_attachment_is_stored_privately_under_a_random_name(shop, business, owner, settings):
    ticket = _open(business, owner, attachment=pdf("Invoice March.pdf"))
    attachment = TicketAttachment.objects.get()
    assert attachment.message.ticket == ticket
    assert attachment.original_name == "Invoice_March.pdf"
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(pdf().read()))
    assert "Invoice" not in attachment.file.name
    assert attachment.file.name.startswith("support/")
    assert (Path(settings.MEDIA_ROOT) / attachment.file.name).exists()


def test_a_program_renamed_to_pdf_is_refused_and_nothing_is_stored(shop, business, owner, settings):
    fake = SimpleUploadedFile("invoice.pdf", EXE_BYTES, content_type="application/pdf")
    with pytest.raises(InvalidInput) as refused:
        _open(business, owner, attachment=fake)
    assert refused.value.fields == {"attachment": ["Only PDF, JPEG and PNG files are accepted."]}
    assert Ticket.objects.count() == 0
    assert TicketAttachment.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_failed_write_removes_the_file_it_stored(shop, business, owner, settings, monkeypatch):
    import propass.support.services as services

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _open(business, owner, attachment=pdf())
    assert Ticket.objects.count() == 0
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_message_needs_text(shop, business, owner):
    with pytest.raises(InvalidInput) as refused:
        ticket_open(business=business, author=owner, category="billing", subject="", body="  ")
    assert set(refused.value.fields) == {"subject", "body"}
    with pytest.raises(InvalidInput) as refused:
        ticket_open(business=business, author=owner, category="unknown", subject="x", body="y")
    assert set(refused.value.fields) == {"category"}


def test_tickets_past_their_deadline_alert_the_agents_once(shop, agent, business, owner):
    from propass.support.services import tickets_alert_overdue

    other_agent = staff_user("olaf@propass.test", "support", first_name="Olaf")
    late = _open(business, owner, subject="Late one")
    on_time = _open(business, owner, subject="Still fine")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Ticket.objects.filter(pk=on_time.pk).update(due_at=timezone.now() + timedelta(hours=1))
    assert tickets_alert_overdue(at=timezone.now()) == 1
    assert tickets_alert_overdue(at=timezone.now()) == 0
    for person in (agent, other_agent):
        mail = OutboxMessage.objects.get(to=person.email)
        assert "Late one" in mail.body_text and "Still fine" not in mail.body_text
    ticket_assign(agent=agent, ticket_id=late.pk, assignee=other_agent)
    ticket_reply_member(business=business, author=owner, ticket_id=late.pk, body="Any news?")
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert tickets_alert_overdue(at=timezone.now()) == 1  # a new deadline passed: the assignee only
    assert OutboxMessage.objects.filter(to=other_agent.email).count() == 2
    assert OutboxMessage.objects.filter(to=agent.email).count() == 1
