"""Requests at once on service requests: the last maintenance check goes to one request, and one
step of the centre moves a request once. Real threads, each with its own database connection;
meaningful on PostgreSQL."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from propass.core.models import AuditLog
from propass.memberships.models import AllowanceEntry, Subscription
from propass.service.enums import SERVICE_TRANSITIONS
from propass.service.models import MissedPromise, ServiceRequest, ServiceStep
from propass.service.promises import promises_missed_notice, promises_settle
from propass.service.services import (
    service_request_quote,
    service_request_ready,
    service_request_receive,
    service_request_start,
)
from propass.service.tests.helpers import ask, credited
from propass.testing.clients import api_clients
from propass.testing.invariants import assert_moves_along, moves_count, status_moves
from propass.testing.shop import buy
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def _codes(results):
    assert errors_in(results) == []
    return sorted(response.status_code for response in results)


def test_two_requests_at_once_for_the_last_maintenance_check_one_gets_it(shop, owner):
    buy(shop, owner, tier="gold")  # two checks a year
    ask(shop, owner, credited(shop, "012345678900"), kind="maintenance")  # one left
    registrations = [credited(shop, f"01234567890{i + 1}").pk for i in range(2)]
    clients = api_clients(owner, 2)

    def create(i):
        body = {"registration": registrations[i], "kind": ["maintenance", "sensor_clean"][i],
                "description": "Yearly check", "service_centre": "amstelveen"}  # fmt: skip
        return clients[i].post("/api/v1/service-requests/", body, format="json")

    results = run_at_once(2, create)
    assert _codes(results) == [201, 409]
    refused = next(r for r in results if r.status_code == 409).json()["error"]
    assert refused["code"] == "allowance_used_up"
    assert "None is left this membership year" in refused["message"]
    assert ServiceRequest.objects.count() == 2
    assert AllowanceEntry.objects.count() == 2
    references = sorted(ServiceRequest.objects.values_list("reference", flat=True))
    assert [r.rsplit("-", 1)[1] for r in references] == ["000001", "000002"]  # gap-free


def test_twenty_receipts_at_once_move_the_request_once(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    clients = api_clients(agent, THREADS)
    url = f"/api/v1/staff/service-requests/{request.pk}/receive/"
    body = {"received_on": timezone.localdate().isoformat()}
    with status_moves(ServiceRequest) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, body, format="json"))
    assert _codes(results) == [200] + [409] * (THREADS - 1)
    assert moves_count(moves) == {("submitted", "received"): 1}
    assert ServiceStep.objects.filter(request=request, kind="received").count() == 1


def test_twenty_quotes_at_once_quote_once_and_take_the_discount_once(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    service_request_start(agent=agent, request_id=request.pk)
    clients = api_clients(agent, THREADS)
    url = f"/api/v1/staff/service-requests/{request.pk}/quote/"
    with status_moves(ServiceRequest) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url, {"amount": "1000.00"}, format="json"))
    assert _codes(results) == [200] + [409] * (THREADS - 1)
    assert moves_count(moves) == {("in_service", "quote_waiting"): 1}
    assert_moves_along(moves, SERVICE_TRANSITIONS)
    assert list(AllowanceEntry.objects.filter(benefit__kind="repair_discount").values_list("quantity", flat=True)) == [
        150
    ]


def test_twenty_maintenance_requests_at_once_with_two_checks_left_are_granted_twice(shop, owner):
    buy(shop, owner, tier="gold")  # two checks a year, none used
    registrations = [credited(shop, f"0123456789{i:02d}").pk for i in range(THREADS)]
    clients = api_clients(owner, THREADS)

    def create(i):
        body = {"registration": registrations[i], "kind": "maintenance", "description": "Yearly check",
                "service_centre": "amstelveen"}  # fmt: skip
        return clients[i].post("/api/v1/service-requests/", body, format="json")

    results = run_at_once(THREADS, create)
    assert _codes(results) == [201] * 2 + [409] * (THREADS - 2)
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"allowance_used_up"}
    uses = AllowanceEntry.objects.filter(benefit__kind="maintenance_checks")
    assert sum(uses.values_list("quantity", flat=True)) == 2
    assert ServiceRequest.objects.count() == 2


def test_twenty_cancellations_at_once_give_the_check_back_once(shop, owner):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop), kind="sensor_clean")
    clients = api_clients(owner, THREADS)
    url = f"/api/v1/service-requests/{request.pk}/cancel/"
    with status_moves(ServiceRequest) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(url))
    assert _codes(results) == [200] + [409] * (THREADS - 1)
    assert moves_count(moves) == {("submitted", "cancelled"): 1}
    checks = AllowanceEntry.objects.filter(benefit__kind="maintenance_checks")
    assert sorted(checks.values_list("quantity", flat=True)) == [-1, 1]


def test_twenty_decisions_on_one_quote_at_once_decide_once(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    service_request_start(agent=agent, request_id=request.pk)
    service_request_quote(agent=agent, request_id=request.pk, amount="1000.00")
    clients = api_clients(owner, THREADS)
    base = f"/api/v1/service-requests/{request.pk}/quote/"
    with status_moves(ServiceRequest) as moves:
        results = run_at_once(THREADS, lambda i: clients[i].post(base + ("approve/" if i % 2 else "decline/")))
    assert _codes(results) == [200] + [409] * (THREADS - 1)
    [(move, count)] = moves_count(moves).items()
    assert count == 1 and move in {("quote_waiting", "in_service"), ("quote_waiting", "ready")}
    discount = AllowanceEntry.objects.filter(benefit__kind="repair_discount", reference=request.reference)
    # Declined: the discount taken at the quote is given back, once; approved: it stays.
    assert sum(discount.values_list("quantity", flat=True)) == (150 if move[1] == "in_service" else 0)


def test_schedulers_at_once_notice_a_missed_promise_once_and_add_its_days_once(shop, owner, agent):
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        buy(shop, owner, tier="gold")
        request = ask(shop, owner, credited(shop))
        service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
        service_request_start(agent=agent, request_id=request.pk)
    today = timezone.localdate()

    results = run_at_once(THREADS, lambda _index: promises_missed_notice(today=today))
    assert errors_in(results) == []
    assert MissedPromise.objects.filter(request=request).count() == 1
    assert AuditLog.objects.filter(action="service.promise_missed").count() == 1

    expires_before = Subscription.objects.get(business=shop).expires_on
    service_request_ready(agent=agent, request_id=request.pk)
    results = run_at_once(THREADS, lambda _index: promises_settle(today=today))
    assert errors_in(results) == []
    assert AuditLog.objects.filter(action="subscription.extend").count() == 1
    assert Subscription.objects.get(business=shop).expires_on == expires_before + timedelta(days=10)
