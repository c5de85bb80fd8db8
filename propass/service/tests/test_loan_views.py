"""The member's loan pages: the list, asking for a loan with availability shown, one loan."""

import pytest

from propass.service.models import Loan
from propass.service.tests.helpers import ask, credited
from propass.service.tests.loan_helpers import borrow, days, pool
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def gold(shop, owner):
    buy(shop, owner, tier="gold")
    return shop


def test_a_member_asks_for_a_loan_on_the_page_tied_to_a_service_request(client, gold, owner):
    model = pool(units=2)
    request = ask(gold, owner, credited(gold))
    client.force_login(owner)
    offer = client.get(f"/service/{request.pk}/").content.decode()
    assert f'href="/loans/new/?service_request={request.pk}"' in offer
    assert 'id="loans-link"' in client.get("/subscriptions/benefits/").content.decode()
    page = client.get("/loans/new/", {"service_request": request.pk}).content.decode()
    assert "Your membership lends equipment for up to 10 days." in page
    assert "2 / 2" in page  # availability per day
    assert request.reference in page
    start, end = days(1, 3)
    refused = client.post("/loans/new/", {"model": model.pk, "starts_on": start, "ends_on": end,
                                          "service_request": request.pk})  # fmt: skip
    assert "Please accept the loan terms." in refused.content.decode()
    done = client.post("/loans/new/", {"model": model.pk, "starts_on": start, "ends_on": end,
                                       "service_request": request.pk, "accept_terms": "on"})  # fmt: skip
    loan = Loan.objects.get()
    assert done["Location"] == f"/loans/{loan.pk}/"
    detail = client.get(done["Location"]).content.decode()
    assert loan.reference in detail and request.reference in detail and "400.00 EUR" in detail
    assert loan.reference in client.get("/loans/").content.decode()


def test_a_tier_without_loans_is_told_so(client, shop, owner):
    buy(shop, owner, tier="silver")
    pool()
    client.force_login(owner)
    assert 'id="loans-link"' not in client.get("/subscriptions/benefits/").content.decode()
    assert "Your membership level does not include loan equipment." in client.get("/loans/new/").content.decode()


def test_a_member_cancels_a_reserved_loan_and_others_do_not_see_it(client, gold, owner, outsider):
    loan = borrow(gold, owner, pool())
    client.force_login(outsider)
    assert client.get(f"/loans/{loan.pk}/").status_code == 404
    client.force_login(owner)
    client.post(f"/loans/{loan.pk}/cancel/")
    loan.refresh_from_db()
    assert loan.status == "cancelled"
