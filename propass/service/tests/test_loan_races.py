"""Requests at once for loans: twenty members' requests for the last free unit on overlapping
days book it once. Real threads, each with its own database connection; meaningful on
PostgreSQL (the row lock and the exclusion constraint)."""

import pytest

from propass.service.models import Loan
from propass.service.tests.loan_helpers import days, pool
from propass.testing.clients import api_clients
from propass.testing.shop import buy
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def test_twenty_requests_for_the_last_free_unit_on_overlapping_days_book_it_once(shop, owner):
    buy(shop, owner, tier="gold")
    model = pool(units=2)
    clients = api_clients(owner, THREADS)
    first_start, first_end = days(1, 10)
    taken = clients[0].post("/api/v1/loans/", {"model": model.pk, "starts_on": first_start, "ends_on": first_end,
                                               "accept_terms": True}, format="json")  # fmt: skip
    assert taken.status_code == 201  # one unit left

    def ask(i):
        start, end = days(1 + i % 5, 5 + i % 5)  # all overlapping on day 5
        body = {"model": model.pk, "starts_on": start, "ends_on": end, "accept_terms": True}
        return clients[i].post("/api/v1/loans/", body, format="json")

    results = run_at_once(THREADS, ask)
    assert errors_in(results) == []
    codes = sorted(response.status_code for response in results)
    assert codes == [201] + [409] * (THREADS - 1)
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"no_unit_free"}
    live = Loan.objects.filter(status="reserved")
    assert live.count() == 2
    assert live.values("unit").distinct().count() == 2
    references = sorted(Loan.objects.values_list("reference", flat=True))
    assert [r.rsplit("-", 1)[1] for r in references] == ["000001", "000002"]  # gap-free


def test_adjacent_requests_at_once_both_get_the_one_unit(shop, owner):
    buy(shop, owner, tier="gold")
    model = pool(units=1)
    clients = api_clients(owner, 2)
    ranges = [days(1, 5), days(6, 9)]

    def ask(i):
        start, end = ranges[i]
        body = {"model": model.pk, "starts_on": start, "ends_on": end, "accept_terms": True}
        return clients[i].post("/api/v1/loans/", body, format="json")

    results = run_at_once(2, ask)
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [201, 201]
    assert Loan.objects.filter(status="reserved").values("unit").distinct().count() == 1


def test_twenty_requests_with_one_idempotency_key_book_once_and_all_see_the_first_201(shop, owner):
    buy(shop, owner, tier="gold")
    model = pool(units=3)
    clients = api_clients(owner, THREADS)
    start, end = days(1, 4)
    body = {"model": model.pk, "starts_on": start, "ends_on": end, "accept_terms": True}

    def post(client):
        return client.post("/api/v1/loans/", body, format="json", headers={"Idempotency-Key": "loan-1"})

    results = run_at_once(THREADS, lambda i: post(clients[i]))
    assert errors_in(results) == []
    final = []
    for client, response in zip(clients, results, strict=True):
        if response.status_code == 409:  # the first is still running: a retry replays it
            assert response.json()["error"]["code"] == "idempotency_key_in_progress"
            response = post(client)
        final.append(response)
    assert {response.status_code for response in final} == {201}
    assert len({response.content for response in final}) == 1
    assert Loan.objects.count() == 1
