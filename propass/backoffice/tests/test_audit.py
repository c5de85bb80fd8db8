"""The audit trail: append-only in the application and the database, and its viewer."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from propass.accounts.tests.factories import UserFactory
from propass.core.models import AuditLog, AuditLogIsAppendOnly
from propass.core.services import audit_record


@pytest.fixture
def entries(business, other_business, staff):
    finance = UserFactory(email="finance@propass.test", is_staff=True)
    return [
        audit_record(actor=staff, action="points.adjust", target=business, data={"before": 0, "after": 40}),
        audit_record(actor=finance, action="invoice.paid", target=other_business, data={"via": "manual"}),
        audit_record(actor=None, action="subscription.suspend", target=business, data={"invoice": "EU-1"}),
    ]


def _listed(client, **filters):
    """The actions the viewer lists for these filters."""
    page = client.get("/backoffice/audit/", filters).content.decode()
    return [action for action in ("points.adjust", "invoice.paid", "subscription.suspend") if action in page]


# --- Append-only -----------------------------------------------------------------------------


def test_an_entry_cannot_be_saved_again_or_deleted(entries):
    entry = AuditLog.objects.get(pk=entries[0].pk)
    entry.action = "points.forged"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    assert AuditLog.objects.get(pk=entry.pk).action == "points.adjust"


def test_querysets_cannot_update_or_delete_entries(entries):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.filter(pk=entries[0].pk).update(data={"before": 0, "after": 1})
    with pytest.raises(AuditLogIsAppendOnly):
        AuditLog.objects.all().delete()
    entry = entries[0]
    entry.data = {}
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditLog.objects.bulk_update([entry], ["data"])
    assert AuditLog.objects.count() == 3
    assert AuditLog.objects.get(pk=entry.pk).data == {"before": 0, "after": 40}


def test_the_database_refuses_raw_changes(entries):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET action = 'forged' WHERE id = %s", [entries[0].pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET actor_id = NULL, actor_repr = '' WHERE id = %s", [entries[0].pk])
    if connection.vendor == "postgresql":
        # On SQLite the application alone refuses deletes (see the migration for why).
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [entries[0].pk])
    assert AuditLog.objects.get(pk=entries[0].pk).action == "points.adjust"
    assert AuditLog.objects.count() == 3


def test_deleting_a_user_keeps_their_entries_and_who_they_were(entries, staff):
    staff.delete()
    entry = AuditLog.objects.get(pk=entries[0].pk)
    assert (entry.actor_id, entry.actor_repr, entry.action) == (None, "agent@propass.test", "points.adjust")


def test_the_data_administration_cannot_change_entries():
    from django.contrib import admin

    model_admin = admin.site._registry[AuditLog]
    request = mock.Mock()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


# --- Viewer ----------------------------------------------------------------------------------


def test_any_staff_reads_the_audit_log_newest_first_with_before_and_after(client, staff, entries):
    client.force_login(staff)
    page = client.get("/backoffice/audit/").content.decode()
    assert page.index("subscription.suspend") < page.index("invoice.paid") < page.index("points.adjust")
    assert '<span class="before">0</span> → <span class="after">40</span>' in page


def test_members_cannot_read_it(client, member):
    client.force_login(member)
    assert client.get("/backoffice/audit/").status_code == 403


def test_the_filters_narrow_the_list(client, staff, entries, business):
    client.force_login(staff)
    assert _listed(client, actor="FINANCE@") == ["invoice.paid"]
    assert _listed(client, action="points") == ["points.adjust"]
    assert _listed(client, action="adjust") == []  # a prefix, not any part
    assert _listed(client, target_type="accounts.business", target_id=str(business.pk)) == [
        "points.adjust",
        "subscription.suspend",
    ]
    assert _listed(client, q="beta films") == ["invoice.paid"]
    assert _listed(client, q="suspend") == ["subscription.suspend"]
    today = timezone.localdate()
    assert _listed(client, date_from=today.isoformat(), date_to=today.isoformat()) == [
        "points.adjust",
        "invoice.paid",
        "subscription.suspend",
    ]
    assert _listed(client, date_from=(today + timedelta(days=1)).isoformat()) == []


def test_the_date_filter_uses_the_day_the_entry_was_written(client, staff, business):
    last_week = timezone.now() - timedelta(days=7)
    with mock.patch("django.utils.timezone.now", return_value=last_week):
        audit_record(actor=staff, action="points.adjust", target=business)
    audit_record(actor=staff, action="invoice.paid", target=business)
    client.force_login(staff)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _listed(client, date_to=yesterday) == ["points.adjust"]
    assert _listed(client, date_from=yesterday) == ["invoice.paid"]


def test_the_filtered_list_exports_as_csv(client, staff, entries, business):
    client.force_login(staff)
    response = client.get("/backoffice/audit/", {"target_id": str(business.pk), "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["created_at", "actor", "action", "target_type", "target_id", "target", "data"]
    assert [row[2] for row in rows[1:]] == ["subscription.suspend", "points.adjust"]
    assert rows[2][1] == "agent@propass.test"
    assert rows[2][6] == '{"after": 40, "before": 0}'


def test_the_viewer_takes_the_same_queries_for_3_entries_as_for_60(
    client, staff, entries, business, django_assert_num_queries
):
    client.force_login(staff)
    client.get("/backoffice/audit/")
    with CaptureQueriesContext(connection) as few:
        client.get("/backoffice/audit/")
    for n in range(57):
        audit_record(actor=staff, action="points.adjust", target=business, data={"before": n, "after": n + 1})
    with django_assert_num_queries(len(few)):
        page = client.get("/backoffice/audit/").content.decode()
    assert "Page 1 of 2" in page
    assert "60 entries" in page


def test_a_points_adjustment_appears_with_before_and_after(client, staff, business):
    from propass.points.services import points_adjust

    points_adjust(business=business, amount=15, note="Goodwill", agent=staff)
    points_adjust(business=business, amount=-5, note="Typo", agent=staff)
    client.force_login(staff)
    page = client.get("/backoffice/audit/", {"action": "points.adjust"}).content.decode()
    assert '<span class="before">15</span> → <span class="after">10</span>' in page
    assert '<span class="before">0</span> → <span class="after">15</span>' in page
