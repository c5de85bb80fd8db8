"""The loans API: members ask for a loan, see availability and their loans; service agents
dispatch and receive the unit back. Contract shapes, error format and who may call what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from propass.service.tests.loan_helpers import days, pool
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def gold(shop, owner):
    buy(shop, owner, tier="gold")
    return shop


def _ask(api, model, start=1, end=4, **extra):
    starts_on, ends_on = days(start, end)
    body = {"model": model.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
            "accept_terms": True, **extra}  # fmt: skip
    return api.post("/api/v1/loans/", body, format="json")


def test_a_member_asks_for_a_loan_and_staff_dispatch_and_receive_it(gold, owner, agent):
    model = pool()
    api = _api(owner)
    answer = _ask(api, model, 0, 3)
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert {"id", "reference", "status", "starts_on", "ends_on"} <= set(created)
    assert (created["status"], created["deposit"], created["currency"]) == ("reserved", "400.00", "EUR")
    assert created["deposit_method"] == "card_hold"
    assert [loan["reference"] for loan in api.get("/api/v1/loans/").json()["results"]] == [created["reference"]]
    staff = _api(agent)
    sent = staff.post(f"/api/v1/staff/loans/{created['id']}/dispatch/", {"carrier": "DHL", "tracking": "JD1"},
                      format="json")  # fmt: skip
    assert sent.status_code == 200, sent.json()
    assert (sent.json()["status"], sent.json()["tracking"]) == ("out", "JD1")
    returned = {"returned_on": timezone.localdate().isoformat(), "condition": "good"}
    back = staff.post(f"/api/v1/staff/loans/{created['id']}/return/", returned, format="json")
    assert back.status_code == 200, back.json()
    assert (back.json()["status"], back.json()["deposit_released"]) == ("closed", True)
    detail = api.get(f"/api/v1/loans/{created['id']}/").json()
    assert (detail["status"], detail["tracking"], detail["return_condition"]) == ("closed", "JD1", "good")


def test_availability_per_day(gold, owner):
    model = pool(units=2)
    api = _api(owner)
    assert _ask(api, model, 1, 2).status_code == 201
    start, end = days(0, 3)
    answer = api.get(f"/api/v1/loans/availability/?model={model.pk}&from={start}&to={end}")
    assert answer.status_code == 200
    assert [(day["free"], day["total"]) for day in answer.json()] == [(2, 2), (1, 2), (1, 2), (2, 2)]
    bad = api.get(f"/api/v1/loans/availability/?model={model.pk}&from=tomorrow&to={end}")
    assert bad.status_code == 400
    assert "from" in bad.json()["error"]["fields"]


def test_refusals_in_the_error_shape(shop, owner):
    buy(shop, owner, tier="silver")
    model = pool()
    api = _api(owner)
    refused = _ask(api, model)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_included"


def test_more_days_than_the_tier_allows_through_the_api(gold, owner):
    refused = _ask(_api(owner), pool(), 1, 11)
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "too_many_days"


def test_a_loan_of_another_business_is_not_found(gold, owner, outsider):
    created = _ask(_api(owner), pool()).json()
    assert _api(outsider).get(f"/api/v1/loans/{created['id']}/").status_code == 404


def test_members_cannot_use_the_staff_endpoints(gold, owner, member):
    created = _ask(_api(owner), pool()).json()
    for user in (owner, member):
        api = _api(user)
        url = f"/api/v1/staff/loans/{created['id']}/dispatch/"
        assert api.post(url, {"carrier": "DHL", "tracking": "1"}, format="json").status_code == 403
        back = {"returned_on": timezone.localdate().isoformat(), "condition": "good"}
        assert api.post(f"/api/v1/staff/loans/{created['id']}/return/", back, format="json").status_code == 403
    assert APIClient().get("/api/v1/loans/").status_code in (401, 403)


def test_a_late_return_waits_for_the_decision(gold, owner, agent, time_machine):
    created = _ask(_api(owner), pool(), 0, 2).json()
    staff = _api(agent)
    staff.post(f"/api/v1/staff/loans/{created['id']}/dispatch/", {"carrier": "DHL", "tracking": "1"}, format="json")
    back_on = timezone.localdate() + timedelta(days=4)
    time_machine.move_to(timezone.make_aware(timezone.datetime(back_on.year, back_on.month, back_on.day, 10)))
    back = staff.post(f"/api/v1/staff/loans/{created['id']}/return/",
                      {"returned_on": back_on.isoformat(), "condition": "good"}, format="json")  # fmt: skip
    assert (back.json()["status"], back.json()["deposit_released"]) == ("returned", False)
    assert Decimal(back.json()["deposit"]) == Decimal("400.00")
