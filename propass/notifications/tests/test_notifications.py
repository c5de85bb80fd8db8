"""The bell, the notification list and rendering in the reader's language."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy as _

from propass.accounts.models import User
from propass.notifications.models import Notification, OutboxMessage
from propass.notifications.selectors import notification_unread_count
from propass.notifications.services import business_notify, notification_create


def _notify(user, n=1):
    for index in range(n):
        notification_create(
            user=user,
            kind="payment_received",
            title=_("Payment received for invoice %(number)s"),
            body=_("Thank you: %(total)s %(currency)s."),
            params={"number": f"EU-2026-{index:06d}", "total": "102.85", "currency": "EUR"},
        )


@pytest.mark.parametrize("count", [1, 60])
def test_the_bells_count_is_one_query_whatever_the_number_of_notifications(member, count):
    _notify(member, count)
    with CaptureQueriesContext(connection) as queries:
        assert notification_unread_count(user=member) == count
    assert len(queries) == 1


def test_the_page_shell_counts_with_one_query(client, member, django_assert_num_queries):
    _notify(member, 30)
    client.force_login(member)
    client.get("/notifications/")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get("/account/")
    _notify(member, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/account/")
    assert len(many) == len(few)
    assert '<span class="badge" aria-hidden="true">60</span>' in response.content.decode()


def test_a_notification_stored_in_english_is_shown_in_german_after_the_user_switches(client, member):
    User.objects.filter(pk=member.pk).update(language="en")
    _notify(member)
    client.force_login(member)
    assert "Payment received for invoice EU-2026-000000" in client.get("/notifications/").content.decode()
    client.post("/account/", {"action": "language", "language": "de"})
    page = client.get("/notifications/").content.decode()
    assert "Zahlung für Rechnung EU-2026-000000 erhalten" in page
    api = client.get("/api/v1/notifications/").json()
    assert api["results"][0]["title"] == "Zahlung für Rechnung EU-2026-000000 erhalten"


def test_dates_in_a_notification_are_written_the_readers_way(member):
    notification_create(
        user=member, kind="renewal_reminder", title=_("Your %(tier)s membership expires in %(days)s days"),
        body=_("It ends on %(expires)s and will not renew. To keep your benefits, switch Auto-Renewal on under "
               "Manage Subscription."),
        params={"tier": "Silver", "days": 30, "expires": "2027-09-19"},
    )  # fmt: skip
    assert "19/09/2027" in Notification.objects.get().body_text


def test_mark_read_and_mark_all_read_touch_only_the_callers_notifications(client, member, outsider):
    _notify(member, 3)
    _notify(outsider, 2)
    client.force_login(member)
    first = Notification.objects.filter(user=member).first()
    client.post(f"/notifications/{first.pk}/read/")
    assert notification_unread_count(user=member) == 2
    theirs = Notification.objects.filter(user=outsider).first()
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    assert notification_unread_count(user=member) == 0
    assert notification_unread_count(user=outsider) == 2


def test_the_bell_dropdown_lists_the_latest(client, member):
    _notify(member, 10)
    client.force_login(member)
    page = client.get("/notifications/latest/").content.decode()
    assert page.count("<li") == 8
    assert "Mark all as read" in page


def test_optional_emails_can_be_switched_off_but_essential_ones_cannot(client, owner, business):
    client.force_login(owner)
    client.post("/account/", {"action": "emails", "emails": ["end_of_support"]})
    owner.refresh_from_db()
    assert "ticket_reply" in owner.email_opt_out and "end_of_support" not in owner.email_opt_out
    business_notify(
        business=business, kind="ticket_reply", title=_("Invoice %(number)s is ready"), params={"number": "1"}
    )
    business_notify(
        business=business, kind="invoice_issued", title=_("Invoice %(number)s is ready"), params={"number": "2"}
    )
    assert list(OutboxMessage.objects.filter(to=owner.email).values_list("subject", flat=True)) == [
        "Invoice 2 is ready"
    ]
    assert Notification.objects.filter(user=owner).count() == 2  # the bell shows both
