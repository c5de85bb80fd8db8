"""The loan pool in the back office: units added and shown by model and serial at their centre,
a unit's calendar, the loans list, and a loan through dispatch, return and the decision."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from propass.accounts.models import Business
from propass.billing.models import InvoiceRequest
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.service.models import Loan, LoanUnit
from propass.service.tests.loan_helpers import borrow, pool
from propass.testing.shop import buy, morning
from propass.testing.staff import staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    buy(business, owner, tier="gold")
    return business


@pytest.fixture
def agent(db):
    return staff_user("service@propass.test", "service", first_name="Sam", last_name="Service")


def test_an_agent_adds_a_unit_and_sees_the_pool_and_its_calendar(client, gold, owner, agent):
    model = pool(units=1)
    client.force_login(agent)
    added = client.post("/backoffice/loans/pool/add/", {"model": model.pk, "serial_number": "LOAN0077",
                                                        "centre": "milano", "condition": "New"})  # fmt: skip
    unit = LoanUnit.objects.get(serial_number="LOAN0077")
    assert added.status_code == 302 and added["Location"] == f"/backoffice/loans/units/{unit.pk}/"
    again = client.post("/backoffice/loans/pool/add/", {"model": model.pk, "serial_number": "LOAN0077",
                                                        "centre": "milano"})  # fmt: skip
    assert "This unit is already in the pool." in again.content.decode()
    page = client.get("/backoffice/loans/pool/", {"centre": "milano"}).content.decode()
    assert "LOAN0077" in page and "LOAN0001" not in page
    loan = borrow(gold, owner, model, 1, 3)
    calendar = client.get(f"/backoffice/loans/units/{loan.unit_id}/").content.decode()
    assert loan.reference in calendar and "Alpha Studio" in calendar
    listed = client.get("/backoffice/loans/").content.decode()
    assert loan.reference in listed


def test_a_loan_is_dispatched_returned_late_decided_and_the_unit_checked(client, gold, owner, agent, time_machine):
    loan = borrow(gold, owner, pool(), 0, 2)
    client.force_login(agent)
    url = f"/backoffice/loans/{loan.pk}/"
    refused = client.post(url + "dispatch/", {"carrier": "", "tracking": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    assert client.post(url + "dispatch/", {"carrier": "DHL", "tracking": "JD42"}).status_code == 302
    back = loan.ends_on + timedelta(days=2)
    time_machine.move_to(morning(back), tick=False)
    client.force_login(agent)
    client.post(url + "return/", {"returned_on": back.isoformat(), "condition": "damaged", "note": "Dent"})
    page = client.get(url).content.decode()
    assert "2 days late: 50.00 EUR excl. VAT." in page
    assert "Damage fee: 300.00 EUR excl. VAT." in page
    client.post(url + "settle/", {"charge_late": "on", "note": "Late, the dent was already there"})
    loan.refresh_from_db()
    assert (loan.status, loan.late_fee_charged, loan.damage_fee_charged) == ("closed", Decimal("50.00"), None)
    assert InvoiceRequest.objects.get(kind="loan_fee").net == Decimal("50.00")
    unit_url = f"/backoffice/loans/units/{loan.unit_id}/"
    assert "Returned, to be checked" in client.get(unit_url).content.decode()
    client.post(unit_url + "checked/", {"condition": "Dent on the top plate"})
    assert LoanUnit.objects.get(pk=loan.unit_id).status == "available"


def test_the_auditor_reads_and_changes_nothing(client, gold, owner):
    loan = borrow(gold, owner, pool())
    auditor = staff_user("auditor@propass.test", "auditor")
    client.force_login(auditor)
    page = client.get(f"/backoffice/loans/{loan.pk}/").content.decode()
    assert loan.reference in page and 'id="dispatch-form"' not in page
    assert client.post(f"/backoffice/loans/{loan.pk}/dispatch/", {"carrier": "DHL", "tracking": "1"}).status_code == 403
    assert Loan.objects.get(pk=loan.pk).status == "reserved"
    assert timezone.localdate() >= loan.created_at.date()
