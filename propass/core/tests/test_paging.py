"""Back-office lists count at most a cap of rows, unordered, so a page costs the same over a
table of millions; past the cap they say "more than"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from propass.core.models import AuditLog
from propass.core.paging import CappedPaginator
from propass.testing.staff import staff_user

pytestmark = pytest.mark.django_db


def _entries(count):
    AuditLog.objects.bulk_create(AuditLog(action=f"test.{i}", actor_repr="system") for i in range(count))


def test_below_the_cap_the_count_and_pages_are_exact():
    _entries(7)
    paginator = CappedPaginator(AuditLog.objects.filter(action__startswith="test."), 3, cap=10)
    assert (paginator.count, paginator.num_pages, paginator.more) == (7, 3, False)
    assert [entry.action for entry in paginator.get_page(3).object_list] == ["test.0"]


def test_past_the_cap_the_count_stops_and_says_more():
    _entries(12)
    paginator = CappedPaginator(AuditLog.objects.filter(action__startswith="test.").order_by("-id"), 5, cap=10)
    with CaptureQueriesContext(connection) as queries:
        assert (paginator.count, paginator.num_pages, paginator.more) == (10, 2, True)
    [count] = [query["sql"] for query in queries.captured_queries]
    assert "LIMIT 11" in count
    assert "ORDER BY" not in count
    assert len(paginator.get_page(2).object_list) == 5


def test_the_audit_log_page_says_more_than_past_the_cap(client, monkeypatch):
    monkeypatch.setattr("propass.core.paging.COUNT_CAP", 10)
    monkeypatch.setattr("propass.backoffice.audit.PAGE_SIZE", 5)
    _entries(12)
    client.force_login(staff_user("auditor@propass.test", "auditor"))
    page = client.get("/backoffice/audit/", {"action": "test."}).content.decode()
    assert "More than 10 entries" in page
    assert "Page 1 of more than 2" in page
