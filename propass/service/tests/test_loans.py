"""Loan equipment through its services: who may borrow and for how long, one unit never booked
twice for overlapping days, the deposit held and released, dispatch and return, the staff
decision that invoices a late return or damage, the unit's check, and the reminders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, InvoiceRequest
from propass.core.errors import Conflict, Forbidden, InvalidInput
from propass.core.models import AuditLog, LegalText, LegalTextKind
from propass.notifications.models import Notification, OutboxMessage
from propass.service.enums import LOAN_TRANSITIONS, LOAN_UNIT_TRANSITIONS
from propass.service.loans import (
    loan_cancel,
    loan_dispatch,
    loan_return,
    loan_settle,
    loan_unit_add,
    loan_unit_checked,
    loan_unit_retire,
)
from propass.service.models import Loan, LoanReminder, LoanUnit
from propass.service.selectors import loan_availability
from propass.service.services import service_request_cancel
from propass.service.tests.helpers import ask, credited
from propass.service.tests.loan_helpers import borrow, days, pool
from propass.testing.shop import buy, morning


@pytest.fixture
def gold(shop, owner):
    buy(shop, owner, tier="gold")  # loans of at most 10 days
    return shop


def _out(loan, agent):
    return loan_dispatch(agent=agent, loan_id=loan.pk, carrier="DHL", tracking="JD0001")


# --- Who may borrow, and for how long ---------------------------------------------------------------


def test_a_gold_member_books_a_unit_with_a_reference_and_the_deposit_held_on_the_card(gold, owner):
    model = pool()
    loan = borrow(gold, owner, model, 1, 5)
    year = timezone.localdate().year
    assert loan.reference == f"LN-{year}-000001"
    assert (loan.status, loan.deposit_method, loan.deposit_amount, loan.currency) == (
        "reserved", "card_hold", Decimal("400.00"), "EUR",
    )  # fmt: skip
    assert loan.hold_reference.startswith("hold_")
    assert loan.unit.status == "reserved"
    assert AuditLog.objects.filter(action="loan.request", target_id=str(loan.pk)).exists()
    assert Notification.objects.filter(kind="loan", params__reference=loan.reference).exists()
    assert borrow(gold, owner, pool("EOS-R8"), 1, 5).reference == f"LN-{year}-000002"


def test_the_accepted_loan_terms_version_is_stored(gold, owner):
    LegalText.objects.create(
        kind=LegalTextKind.LOAN_TERMS, version="2026-1", language="en", title="Loan terms", body="…",
        published_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    loan = borrow(gold, owner, pool())
    assert loan.terms_version == "2026-1"
    assert loan.terms_accepted_at is not None
    with pytest.raises(InvalidInput) as refused:
        borrow(gold, owner, pool("EOS-R8"), accept_terms=False)
    assert "accept_terms" in refused.value.fields


def test_a_tier_without_loans_is_refused(shop, owner):
    buy(shop, owner, tier="silver")
    with pytest.raises(Conflict) as refused:
        borrow(shop, owner, pool())
    assert refused.value.code == "not_included"
    assert not Loan.objects.exists()


def test_no_membership_is_refused(shop, owner):
    with pytest.raises(Conflict) as refused:
        borrow(shop, owner, pool())
    assert refused.value.code == "no_membership"


def test_more_days_than_the_tier_allows_are_refused(gold, owner):
    model = pool()
    with pytest.raises(InvalidInput) as refused:
        borrow(gold, owner, model, 1, 11)  # 11 days, gold allows 10
    assert refused.value.code == "too_many_days"
    assert refused.value.fields["ends_on"] == ["Your membership level allows loans of at most 10 days."]
    assert borrow(gold, owner, model, 1, 10).status == "reserved"


def test_a_loan_tied_to_an_open_service_request_of_the_business_only(gold, owner):
    request = ask(gold, owner, credited(gold))
    loan = borrow(gold, owner, pool(), service_request=request)
    assert loan.service_request == request
    service_request_cancel(business=gold, actor=owner, request_id=request.pk)
    with pytest.raises(InvalidInput) as refused:
        borrow(gold, owner, pool("EOS-R8"), service_request=request)
    assert refused.value.fields["service_request"] == ["Choose one of your business's open service requests."]


def test_dates_in_the_past_or_reversed_are_refused(gold, owner):
    model = pool()
    with pytest.raises(InvalidInput) as past:
        borrow(gold, owner, model, -1, 3)
    assert "starts_on" in past.value.fields
    with pytest.raises(InvalidInput) as reversed_dates:
        borrow(gold, owner, model, 5, 3)
    assert "ends_on" in reversed_dates.value.fields


# --- One unit, never booked twice for overlapping days -----------------------------------------------


def test_overlapping_days_take_another_unit_then_none_is_free(gold, owner):
    model = pool(units=2)
    first = borrow(gold, owner, model, 1, 5)
    second = borrow(gold, owner, model, 5, 8)  # overlaps on day 5
    assert first.unit_id != second.unit_id
    with pytest.raises(Conflict) as refused:
        borrow(gold, owner, model, 4, 6)  # both units are out on day 5
    assert refused.value.code == "no_unit_free"
    assert Loan.objects.count() == 2


def test_adjacent_ranges_share_one_unit(gold, owner):
    model = pool(units=1)
    first = borrow(gold, owner, model, 1, 5)
    second = borrow(gold, owner, model, 6, 9)  # starts the day after the first ends
    assert first.unit_id == second.unit_id


def test_a_cancelled_loan_frees_its_days_and_its_unit(gold, owner):
    model = pool(units=1)
    loan = borrow(gold, owner, model, 1, 5)
    loan_cancel(business=gold, actor=owner, loan_id=loan.pk)
    loan.refresh_from_db()
    assert (loan.status, loan.unit.status) == ("cancelled", "available")
    assert loan.deposit_released_at is not None
    assert borrow(gold, owner, model, 1, 5).unit_id == loan.unit_id


def test_availability_counts_free_units_per_day(gold, owner):
    model = pool(units=2)
    borrow(gold, owner, model, 2, 3)
    start, end = days(1, 4)
    shown = [(d.day, d.free, d.total) for d in loan_availability(model_id=model.pk, starts_on=start, ends_on=end)]
    assert [(free, total) for _day, free, total in shown] == [(2, 2), (1, 2), (1, 2), (2, 2)]
    assert shown[0][0] == start


# --- The deposit -------------------------------------------------------------------------------------


def test_a_card_that_cannot_hold_the_deposit_cancels_the_booking(shop, owner):
    from propass.billing.gateways import PaymentDeclined

    buy(shop, owner, tier="gold", token="tok_insufficientFunds")
    model = pool(units=1)
    with pytest.raises(PaymentDeclined):
        borrow(shop, owner, model)
    loan = Loan.objects.get()
    assert (loan.status, loan.unit.status, loan.hold_reference) == ("cancelled", "available", "")


def test_a_bank_transfer_member_gives_the_reference_instead_of_a_hold(shop, owner):
    buy(shop, owner, tier="gold", method="bank_transfer")
    loan = borrow(shop, owner, pool())
    assert (loan.status, loan.deposit_method, loan.hold_reference) == ("reserved", "transfer", "")


# --- Dispatch, return, decision, check ------------------------------------------------------------------


def test_a_good_return_on_time_releases_the_deposit_and_the_unit_waits_for_its_check(gold, owner, agent):
    loan = borrow(gold, owner, pool(), 0, 3)
    _out(loan, agent)
    loan.refresh_from_db()
    assert (loan.status, loan.carrier, loan.tracking, loan.unit.status) == ("out", "DHL", "JD0001", "out")
    loan = loan_return(agent=agent, loan_id=loan.pk, returned_on=timezone.localdate(), condition="good")
    loan.refresh_from_db()
    assert (loan.status, loan.return_condition) == ("closed", "good")
    assert loan.deposit_released_at is not None
    assert not InvoiceRequest.objects.filter(kind="loan_fee").exists()
    unit = LoanUnit.objects.get(pk=loan.unit_id)
    assert unit.status == "returned_check"
    with pytest.raises(Conflict):  # not lent again before its check: dispatch of the next loan refused
        _out(borrow(gold, owner, loan.model, 4, 6), agent)
    unit = loan_unit_checked(agent=agent, unit_id=unit.pk, condition="Light wear on the grip")
    assert (unit.status, unit.condition) == ("reserved", "Light wear on the grip")  # the next loan waits


def test_a_late_return_is_invoiced_after_the_staff_decision_with_the_right_vat(gold, owner, agent, time_machine):
    loan = borrow(gold, owner, pool(), 0, 4)
    _out(loan, agent)
    back = loan.ends_on + timedelta(days=3)
    time_machine.move_to(morning(back), tick=False)
    loan = loan_return(agent=agent, loan_id=loan.pk, returned_on=back, condition="good", note="Late by 3 days")
    assert loan.status == "returned"  # waits for the decision
    loan.refresh_from_db()
    assert loan.deposit_released_at is None
    with pytest.raises(InvalidInput):
        loan_settle(agent=agent, loan_id=loan.pk, charge_late=True, charge_damage=False, note="")
    loan = loan_settle(agent=agent, loan_id=loan.pk, charge_late=True, charge_damage=False, note="3 days late")
    loan.refresh_from_db()
    assert (loan.status, loan.late_fee_charged, loan.damage_fee_charged) == ("closed", Decimal("75.00"), None)
    assert loan.deposit_released_at is not None
    request = InvoiceRequest.objects.get(kind="loan_fee")
    assert (request.net, request.currency) == (Decimal("75.00"), "EUR")
    assert loan.reference in request.description
    invoice = invoice_issue(request_id=request.pk)
    membership = Invoice.objects.exclude(pk=invoice.pk).get(business=gold)
    # The normal invoicing path: a Dutch business without VAT exemption pays the same VAT as on
    # its membership (21 %).
    assert (invoice.vat_rate, invoice.vat_treatment) == (membership.vat_rate, membership.vat_treatment)
    assert invoice.vat_rate == Decimal("21.00")
    assert (invoice.net, invoice.vat, invoice.total) == (Decimal("75.00"), Decimal("15.75"), Decimal("90.75"))
    assert AuditLog.objects.filter(action="loan.settle", target_id=str(loan.pk)).exists()


def test_damage_is_charged_only_when_staff_decide_so(gold, owner, agent):
    loan = borrow(gold, owner, pool(), 0, 3)
    _out(loan, agent)
    loan_return(agent=agent, loan_id=loan.pk, returned_on=timezone.localdate(), condition="damaged", note="Cracked")
    loan_settle(agent=agent, loan_id=loan.pk, charge_late=False, charge_damage=True, note="Cracked LCD")
    assert InvoiceRequest.objects.get(kind="loan_fee").net == Decimal("300.00")
    other = borrow(gold, owner, pool("EOS-R8"), 0, 3)
    _out(other, agent)
    loan_return(agent=agent, loan_id=other.pk, returned_on=timezone.localdate(), condition="damaged")
    loan_settle(agent=agent, loan_id=other.pk, charge_late=False, charge_damage=False, note="Wear, no charge")
    assert InvoiceRequest.objects.filter(kind="loan_fee").count() == 1


def test_only_service_agents_run_the_pool(gold, owner, agent):
    loan = borrow(gold, owner, pool())
    with pytest.raises(Forbidden):
        _out(loan, owner)
    with pytest.raises(Forbidden):
        loan_unit_add(agent=owner, model_id=loan.model_id, serial_number="X1", centre="amstelveen")


def test_units_are_added_and_retired_unless_booked(gold, owner, agent):
    model = pool(units=0)
    unit = loan_unit_add(agent=agent, model_id=model.pk, serial_number="LOAN9", centre="amstelveen")
    with pytest.raises(InvalidInput):
        loan_unit_add(agent=agent, model_id=model.pk, serial_number="LOAN9", centre="amstelveen")
    loan = borrow(gold, owner, model)
    with pytest.raises(Conflict):
        loan_unit_retire(agent=agent, unit_id=unit.pk)
    loan_cancel(business=gold, actor=owner, loan_id=loan.pk)
    assert loan_unit_retire(agent=agent, unit_id=unit.pk).status == "retired"
    with pytest.raises(InvalidInput):  # a retired unit is no longer lent
        borrow(gold, owner, model)


def test_every_status_has_a_table():
    assert set(LOAN_TRANSITIONS) == {"requested", "reserved", "out", "returned", "closed", "cancelled"}
    assert set(LOAN_UNIT_TRANSITIONS) == {"available", "reserved", "out", "returned_check", "maintenance", "retired"}


# --- Reminders --------------------------------------------------------------------------------------------


def test_reminders_two_days_before_and_each_day_late_once_per_day(gold, owner, agent):
    loan = borrow(gold, owner, pool(), 0, 4)
    _out(loan, agent)
    before = morning(loan.ends_on - timedelta(days=2))
    call_command("run-scheduled", "--at", before.isoformat())
    call_command("run-scheduled", "--at", (before + timedelta(days=1, hours=-23)).isoformat())  # same day
    assert list(LoanReminder.objects.values_list("kind", flat=True)) == ["ending"]
    for late in (1, 2):
        at = morning(loan.ends_on + timedelta(days=late))
        call_command("run-scheduled", "--at", at.isoformat())
        call_command("run-scheduled", "--at", (at + timedelta(hours=2)).isoformat())
    assert sorted(LoanReminder.objects.values_list("kind", flat=True)) == ["ending", "late", "late"]
    bells = Notification.objects.filter(kind__in=["loan_ending", "loan_late"], params__reference=loan.reference)
    users = gold.memberships.count()
    assert bells.count() == 3 * users
    assert OutboxMessage.objects.filter(subject__contains=loan.reference, subject__icontains="due back").count() == (
        2 * users
    )
