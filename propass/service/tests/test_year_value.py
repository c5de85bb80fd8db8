"""The year's value (memberships.value with the service app's repairs): its figures against the
allowance ledger, the benefits page and the renewal reminders that show it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from propass.accounts.models import User
from propass.memberships.enums import BenefitKind
from propass.memberships.models import AllowanceEntry, Subscription
from propass.memberships.renewals import renewals_run
from propass.memberships.services import subscription_cancel
from propass.memberships.value import year_value
from propass.notifications.models import OutboxMessage
from propass.service.loans import loan_cancel
from propass.service.models import ServiceCentre
from propass.service.services import (
    service_quote_approve,
    service_quote_decline,
    service_request_cancel,
    service_request_quote,
    service_request_receive,
    service_request_start,
)
from propass.service.tests.helpers import ask, credited
from propass.service.tests.loan_helpers import borrow, pool
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


def _in_service(request, agent):
    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    return service_request_start(agent=agent, request_id=request.pk)


def _ledger(subscription, kind):
    return AllowanceEntry.objects.filter(subscription=subscription, benefit__kind=kind).aggregate(
        total=Sum("quantity")
    )["total"]


@pytest.fixture
def used_year(shop, owner, agent):
    """A Gold year (3-day turnaround, 15 % off repairs up to 300.00 EUR, 2 checks): two repairs
    received at Amstelveen (standard 10 days) and Krefeld (standard 12 days), one quote
    approved, one declined (its discount given back), one check used and one given back."""
    ServiceCentre.objects.filter(code="krefeld").update(standard_turnaround_days=12)
    subscription, _invoice = buy(shop, owner, tier="gold")
    first = _in_service(ask(shop, owner, credited(shop)), agent)
    service_request_quote(agent=agent, request_id=first.pk, amount="1000.00")  # 150.00 off
    service_quote_approve(business=shop, actor=owner, request_id=first.pk)
    second = _in_service(ask(shop, owner, credited(shop, "012345678902"), centre="krefeld"), agent)
    service_request_quote(agent=agent, request_id=second.pk, amount="400.00")  # 60.00 off, then given back
    service_quote_decline(business=shop, actor=owner, request_id=second.pk)
    ask(shop, owner, credited(shop, "012345678903"), kind="maintenance")
    cancelled = ask(shop, owner, credited(shop, "012345678904"), kind="sensor_clean")
    service_request_cancel(business=shop, actor=owner, request_id=cancelled.pk)
    ask(shop, owner, credited(shop, "012345678905"))  # a repair not received yet: no promise, not counted
    return subscription


def test_the_figures_match_the_allowance_ledger_and_the_days_saved_the_centres_standard(shop, used_year):
    value = year_value(business=shop)
    assert value.year_starts_on == used_year.starts_on
    checks = value.line("maintenance_checks").params["count"]
    discounts = value.line("repair_discounts").params["amount"]
    assert checks == _ledger(used_year, BenefitKind.MAINTENANCE_CHECKS) == 1
    assert discounts == _ledger(used_year, BenefitKind.REPAIR_DISCOUNT) == Decimal("150.00")
    # Amstelveen: 10 - 3 days; Krefeld: 12 - 3 days.
    assert value.line("repairs").params == {"count": 2, "days": 7 + 9}
    assert (value.fee, value.currency) == (used_year.price, "EUR")
    assert [line.text for line in value.lines] == [
        "Repairs: 2, promised 16 business days sooner than the standard turnaround",
        "Maintenance checks and sensor cleans used: 1",
        "Repair discounts received: €150.00",
    ]
    assert value.fee_line.text == f"Membership fee for this year: €{used_year.price:.2f} excl. VAT"


def test_a_multi_year_term_shows_the_fee_of_one_year_and_a_new_year_starts_from_nothing(shop, used_year):
    Subscription.objects.filter(pk=used_year.pk).update(
        term_years=2, price=Decimal("399.99"), expires_on=used_year.starts_on.replace(year=used_year.starts_on.year + 2)
    )
    assert year_value(business=shop).fee == Decimal("200.00")
    next_year = year_value(business=shop, day=used_year.starts_on.replace(year=used_year.starts_on.year + 1))
    assert next_year.year_starts_on.year == used_year.starts_on.year + 1
    assert [line.params.get("count", line.params.get("amount")) for line in next_year.lines] == [0, 0, Decimal("0.00")]


def test_without_a_live_membership_there_is_no_statement(shop):
    assert year_value(business=shop) is None


def test_the_benefits_page_shows_the_statement_in_the_members_language(shop, owner, used_year, client):
    User.objects.filter(pk=owner.pk).update(language="it")
    client.force_login(owner)
    page = client.get("/subscriptions/benefits/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert 'id="year-value"' in page
    assert "150,00" in page  # Italian money
    assert 'id="value-repairs"' in page and "16" in page


def test_the_renewal_reminder_e_mail_contains_the_statement(shop, owner, used_year):
    subscription_cancel(business=shop, actor=owner)
    used_year.refresh_from_db()
    renewals_run(today=used_year.expires_on - timedelta(days=60))
    mail = OutboxMessage.objects.get(to=owner.email, template="notice", subject__contains="expires in 60 days")
    assert "What your membership gave you this membership year" in mail.body_text
    assert "- Repairs: 2, promised 16 business days sooner than the standard turnaround" in mail.body_text
    assert "- Repair discounts received: €150.00" in mail.body_text
    assert "- Maintenance checks and sensor cleans used: 1" in mail.body_text
    assert f"Membership fee for this year: €{used_year.price:.2f} excl. VAT" in mail.body_text
    assert "<li>Repair discounts received: €150.00</li>" in mail.body_html


def test_loans_of_the_year_and_their_days_are_in_the_statement(shop, owner):
    buy(shop, owner, tier="gold")
    model = pool("EOS-R6", units=2)
    borrow(shop, owner, model, start=1, end=5)
    borrow(shop, owner, model, start=10, end=12)
    cancelled = borrow(shop, owner, model, start=20, end=21)
    loan_cancel(business=shop, actor=owner, loan_id=cancelled.pk)

    assert year_value(business=shop).line("loans").params == {"count": 2, "days": 5 + 3}
