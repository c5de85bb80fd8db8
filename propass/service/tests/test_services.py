"""Service requests through their services: who may ask, what it uses, the promise, the quote,
every move of the table, and what the member is told."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from propass.accounts.tests.factories import MembershipFactory
from propass.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from propass.core.models import AuditLog
from propass.memberships.benefits import benefits_summary
from propass.memberships.enums import BenefitKind
from propass.memberships.models import AllowanceEntry, Subscription
from propass.notifications.models import Notification, OutboxMessage
from propass.products.tests.helpers import camera, register
from propass.service.enums import SERVICE_TRANSITIONS, ServiceStatus
from propass.service.models import ServiceCentre, ServiceRequest
from propass.service.services import (
    promise_for,
    service_quote_approve,
    service_quote_decline,
    service_request_cancel,
    service_request_close,
    service_request_mark_sent,
    service_request_quote,
    service_request_ready,
    service_request_receive,
    service_request_ship,
    service_request_start,
)
from propass.service.tests.helpers import ask, credited
from propass.testing.files import png
from propass.testing.shop import buy

CHECKS = BenefitKind.MAINTENANCE_CHECKS


def _checks(business):
    return benefits_summary(business=business).line(CHECKS)


def _received(request, agent, day=None):
    return service_request_receive(agent=agent, request_id=request.pk, received_on=day or timezone.localdate())


def _in_service(request, agent):
    _received(request, agent)
    return service_request_start(agent=agent, request_id=request.pk)


# --- Who may ask, and for what ----------------------------------------------------------------------


def test_a_gold_member_gets_a_reference_at_once_and_the_promise_waits_for_receipt(shop, owner):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    year = timezone.localdate().year
    assert request.reference == f"SR-{year}-000001"
    assert (request.status, request.promised_by, request.received_on) == ("submitted", None, None)
    assert (request.tier.code, request.centre.code) == ("gold", "amstelveen")
    # The return address is the business's unless the member gives another.
    assert request.return_address_lines[:3] == ["Alpha Studio", "Keizersgracht 1", "1015 CJ Amsterdam"]
    assert [step.kind for step in request.steps.all()] == ["submitted"]
    assert AuditLog.objects.filter(action="service.create", target_id=str(request.pk)).exists()
    assert ask(shop, owner, credited(shop, "012345678902")).reference == f"SR-{year}-000002"


def test_a_product_of_another_business_is_refused(shop, owner, other_business):
    buy(shop, owner, tier="gold")
    theirs = credited(other_business)
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, theirs)
    assert refused.value.code == "registration_not_found"
    assert refused.value.fields["registration"] == ["Choose one of your business's registered products."]
    assert not ServiceRequest.objects.exists()


def test_a_product_whose_registration_misses_details_is_refused(shop, owner):
    buy(shop, owner, tier="gold")
    incomplete = register(shop, camera(), "012345678901", dealer="")
    assert incomplete.status == "incomplete"
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, incomplete)
    assert refused.value.code == "registration_not_credited"
    assert "missing details" in refused.value.fields["registration"][0]


def test_a_product_under_review_is_refused(shop, owner, other_business):
    buy(shop, owner, tier="gold")
    credited(other_business, "012345678901")
    held = register(shop, camera(), "012345678901")  # the serial is credited to another business
    assert held.status == "under_review"
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, held)
    assert refused.value.code == "registration_not_credited"
    assert "under review" in refused.value.fields["registration"][0]


def test_a_business_without_a_membership_is_refused(shop, owner):
    with pytest.raises(Conflict) as refused:
        ask(shop, owner, credited(shop))
    assert refused.value.code == "no_membership"
    assert "no active membership" in str(refused.value)
    assert not ServiceRequest.objects.exists()


def test_a_suspended_membership_is_refused(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold")
    Subscription.objects.filter(pk=subscription.pk).update(status="suspended")
    registration = credited(shop)
    for kind in ("repair", "maintenance"):
        with pytest.raises(Conflict) as refused:
            ask(shop, owner, registration, kind=kind)
        assert refused.value.code == "membership_suspended"
    assert not ServiceRequest.objects.exists() and not AllowanceEntry.objects.exists()


def test_a_maintenance_check_uses_one_of_the_year_and_none_left_is_refused_with_the_next_day(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="silver")  # one check a year
    first = ask(shop, owner, credited(shop), kind="maintenance")
    assert first.allowance_entry.quantity == 1
    assert first.allowance_entry.reference == first.reference
    assert (_checks(shop).used, _checks(shop).remaining) == (1, 0)
    with pytest.raises(Conflict) as refused:
        ask(shop, owner, credited(shop, "012345678902"), kind="sensor_clean")
    assert refused.value.code == "allowance_used_up"
    next_year = subscription.starts_on.replace(year=subscription.starts_on.year + 1)
    assert next_year.strftime("%d/%m/%Y") in str(refused.value)
    # Nothing of the refused request stays, not even its reference: the next one follows on.
    assert ServiceRequest.objects.count() == 1 and AllowanceEntry.objects.count() == 1
    assert ask(shop, owner, credited(shop, "012345678903")).reference.endswith("000002")


def test_a_repair_uses_no_maintenance_check(shop, owner):
    buy(shop, owner, tier="silver")
    request = ask(shop, owner, credited(shop))
    assert request.allowance_entry is None
    assert _checks(shop).remaining == 1


def test_cancelling_gives_the_check_back_and_only_before_the_product_arrives(shop, owner, agent):
    buy(shop, owner, tier="silver")
    request = ask(shop, owner, credited(shop), kind="maintenance")
    service_request_mark_sent(business=shop, actor=owner, request_id=request.pk, tracking="JJD000390007")
    cancelled = service_request_cancel(business=shop, actor=owner, request_id=request.pk)
    assert cancelled.status == "cancelled"
    assert cancelled.allowance_return.quantity == -1
    assert (_checks(shop).used, _checks(shop).remaining) == (0, 1)
    assert list(AllowanceEntry.objects.values_list("quantity", flat=True)) == [Decimal("1"), Decimal("-1")]
    # The product can be sent in again under a new request; once it has arrived, no cancelling.
    again = ask(shop, owner, request.registration, kind="maintenance")
    _received(again, agent)
    with pytest.raises(Conflict) as refused:
        service_request_cancel(business=shop, actor=owner, request_id=again.pk)
    assert "can no longer be cancelled" in str(refused.value)
    assert _checks(shop).remaining == 0


def test_one_product_has_one_open_request_at_a_time(shop, owner):
    buy(shop, owner, tier="gold")
    registration = credited(shop)
    first = ask(shop, owner, registration)
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, registration)
    assert refused.value.code == "open_request_exists"
    assert first.reference in refused.value.fields["registration"][0]


def test_the_form_fields_are_checked_together(shop, owner):
    buy(shop, owner, tier="gold")
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, credited(shop), kind="polish", centre="atlantis", description=" ", return_city="Utrecht")
    assert set(refused.value.fields) == {"kind", "centre", "description", "return_name", "return_street",
                                         "return_postal_code", "return_country"}  # fmt: skip


def test_photos_are_kept_privately_and_a_disguised_file_is_refused(shop, owner, settings):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop), attachments=[png("front.png")])
    attachment = request.attachments.get()
    assert attachment.original_name == "front.png"
    assert attachment.file.name.startswith("service/") and "front" not in attachment.file.name
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not a picture", content_type="image/png")
    with pytest.raises(InvalidInput) as refused:
        ask(shop, owner, credited(shop, "012345678902"), attachments=[fake])
    assert "attachments" in refused.value.fields
    assert ServiceRequest.objects.count() == 1


# --- The promise --------------------------------------------------------------------------------------


def test_the_promise_skips_the_weekend_and_the_dutch_easter_holidays(shop, owner):
    buy(shop, owner, tier="gold")  # 3 business days
    amstelveen = ServiceCentre.objects.get(code="amstelveen")
    milano = ServiceCentre.objects.get(code="milano")
    thursday = date(2027, 3, 25)  # Good Friday 26 March and Easter Monday 29 March are Dutch holidays
    assert promise_for(business=shop, centre=amstelveen, received_on=thursday) == (3, date(2027, 4, 1))
    # In Milan Good Friday is a working day: the same receipt is promised a day earlier.
    assert promise_for(business=shop, centre=milano, received_on=thursday) == (3, date(2027, 3, 31))


def test_receipt_on_a_thursday_before_a_dutch_holiday_sets_the_promise_and_a_passed_promise_is_late(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=timezone.make_aware(datetime(2026, 3, 30, 9)))
    thursday = date(2026, 4, 2)  # then Good Friday, the weekend and Easter Monday
    received = service_request_receive(agent=agent, request_id=request.pk, received_on=thursday)
    assert (received.status, received.received_on, received.turnaround_days) == ("received", thursday, 3)
    assert received.promised_by == date(2026, 4, 9)
    assert received.late  # it is later than that today, and the product is not ready
    step = received.steps.get(kind="received")
    assert step.detail == {"received_on": thursday, "promised_by": date(2026, 4, 9)}
    service_request_start(agent=agent, request_id=request.pk)
    ready = service_request_ready(agent=agent, request_id=request.pk)
    assert not ready.late


def test_the_turnaround_is_the_tiers(shop, owner, agent):
    buy(shop, owner, tier="platinum")
    request = ask(shop, owner, credited(shop))
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=timezone.make_aware(datetime(2026, 11, 27, 9)))
    request = _received(request, agent, date(2026, 11, 30))  # a Monday
    assert (request.turnaround_days, request.promised_by) == (2, date(2026, 12, 2))
    assert request.late == (timezone.localdate() > date(2026, 12, 2))


def test_receipt_cannot_be_in_the_future_or_before_the_request(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    for day in (timezone.localdate().replace(year=timezone.localdate().year + 1), date(2020, 1, 1)):
        with pytest.raises(InvalidInput) as refused:
            service_request_receive(agent=agent, request_id=request.pk, received_on=day)
        assert "received_on" in refused.value.fields
    assert ServiceRequest.objects.get(pk=request.pk).status == "submitted"


# --- The quote ----------------------------------------------------------------------------------------


def test_the_quote_has_the_gold_discount_within_the_yearly_cap_and_shows_the_cap(shop, owner, agent):
    buy(shop, owner, tier="gold")  # 15 %, up to 300.00 EUR a year
    first = _in_service(ask(shop, owner, credited(shop)), agent)
    quoted = service_request_quote(agent=agent, request_id=first.pk, amount="1000.00", note="Shutter unit.")
    assert (quoted.status, quoted.quote_amount, quoted.quote_discount) == ("quote_waiting", 1000, 150)
    assert (quoted.quote_total, quoted.quote_percent, quoted.quote_cap_left) == (850, 15, 300)
    assert (quoted.quote_currency, quoted.quote_note) == ("EUR", "Shutter unit.")
    second = _in_service(ask(shop, owner, credited(shop, "012345678902")), agent)
    capped = service_request_quote(agent=agent, request_id=second.pk, amount=Decimal("2000"))
    assert (capped.quote_discount, capped.quote_cap_left, capped.quote_total) == (150, 150, 1850)
    discount = benefits_summary(business=shop).line(BenefitKind.REPAIR_DISCOUNT)
    assert (discount.used, discount.remaining) == (300, 0)
    # Declining gives the second quote's discount back to the cap.
    service_quote_decline(business=shop, actor=owner, request_id=second.pk)
    assert benefits_summary(business=shop).line(BenefitKind.REPAIR_DISCOUNT).remaining == 150


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", "abc", "NaN", "1e12"])
def test_a_quote_needs_an_amount_above_zero_in_cents(shop, owner, agent, amount):
    buy(shop, owner, tier="gold")
    request = _in_service(ask(shop, owner, credited(shop)), agent)
    with pytest.raises(InvalidInput) as refused:
        service_request_quote(agent=agent, request_id=request.pk, amount=amount)
    assert "amount" in refused.value.fields


def test_approving_a_quote_takes_billing_rights_and_goes_back_into_service(shop, owner, member, agent):
    buy(shop, owner, tier="gold")
    request = _in_service(ask(shop, owner, credited(shop)), agent)
    service_request_quote(agent=agent, request_id=request.pk, amount="400.00")
    with pytest.raises(Forbidden):
        service_quote_approve(business=shop, actor=member, request_id=request.pk)
    with pytest.raises(Forbidden):
        service_quote_decline(business=shop, actor=member, request_id=request.pk)
    approved = service_quote_approve(business=shop, actor=owner, request_id=request.pk)
    assert approved.status == "in_service"
    with pytest.raises(Conflict):
        service_quote_approve(business=shop, actor=owner, request_id=request.pk)
    assert [s.kind for s in approved.steps.all()][-2:] == ["quoted", "quote_approved"]


def test_only_service_agents_take_the_centres_steps(shop, owner, support_agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    for actor in (owner, support_agent):
        with pytest.raises(Forbidden):
            service_request_receive(agent=actor, request_id=request.pk, received_on=timezone.localdate())


def test_another_business_cannot_act_on_a_request(shop, owner, other_business, outsider):
    from propass.core.errors import NotFound

    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    with pytest.raises(NotFound):
        service_request_cancel(business=other_business, actor=outsider, request_id=request.pk)
    assert ServiceRequest.objects.get(pk=request.pk).status == "submitted"


# --- Every move of the table ---------------------------------------------------------------------------

# What each step does, and the status it moves to.
ACTIONS = {
    "sent": (lambda r, b, o, a: service_request_mark_sent(business=b, actor=o, request_id=r.pk), "awaiting_product"),
    "cancel": (lambda r, b, o, a: service_request_cancel(business=b, actor=o, request_id=r.pk), "cancelled"),
    "receive": (lambda r, b, o, a: _received(r, a), "received"),
    "start": (lambda r, b, o, a: service_request_start(agent=a, request_id=r.pk), "in_service"),
    "quote": (lambda r, b, o, a: service_request_quote(agent=a, request_id=r.pk, amount="100.00"), "quote_waiting"),
    "approve": (lambda r, b, o, a: service_quote_approve(business=b, actor=o, request_id=r.pk), "in_service"),
    "decline": (lambda r, b, o, a: service_quote_decline(business=b, actor=o, request_id=r.pk), "ready"),
    "ready": (lambda r, b, o, a: service_request_ready(agent=a, request_id=r.pk), "ready"),
    "ship": (
        lambda r, b, o, a: service_request_ship(agent=a, request_id=r.pk, carrier="DHL", tracking="1Z9"),
        "shipped",
    ),
    "close": (lambda r, b, o, a: service_request_close(agent=a, request_id=r.pk), "closed"),
}
# How to reach each status, and which steps may be taken from it.
PATHS = {
    "submitted": ([], {"sent", "cancel", "receive"}),
    "awaiting_product": (["sent"], {"cancel", "receive"}),
    "received": (["receive"], {"start"}),
    "in_service": (["receive", "start"], {"quote", "ready"}),
    "quote_waiting": (["receive", "start", "quote"], {"approve", "decline"}),
    "ready": (["receive", "start", "ready"], {"ship"}),
    "shipped": (["receive", "start", "ready", "ship"], {"close"}),
    "closed": (["receive", "start", "ready", "ship", "close"], set()),
    "cancelled": (["cancel"], set()),
}


def test_the_steps_cover_the_table_exactly():
    assert set(PATHS) == set(ServiceStatus.values)
    for status, (_path, allowed) in PATHS.items():
        assert {ACTIONS[name][1] for name in allowed} == set(SERVICE_TRANSITIONS[status]), status


@pytest.mark.parametrize("status", list(PATHS))
def test_from_each_status_only_the_steps_of_the_table_are_taken(shop, owner, agent, status):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    path, allowed = PATHS[status]
    for name in path:
        ACTIONS[name][0](request, shop, owner, agent)
    assert ServiceRequest.objects.get(pk=request.pk).status == status
    for name, (act, target) in ACTIONS.items():
        with transaction.atomic():
            fresh = ServiceRequest.objects.get(pk=request.pk)
            try:
                moved = act(fresh, shop, owner, agent)
            except (IllegalTransition, Conflict) as refused:
                assert name not in allowed, f"{name} from {status}: {refused}"
            else:
                assert name in allowed, f"{name} from {status} should be refused"
                assert ServiceRequest.objects.get(pk=request.pk).status == moved.status == target
            transaction.set_rollback(True)
        assert ServiceRequest.objects.get(pk=request.pk).status == status


# --- What the member is told ----------------------------------------------------------------------------


def test_each_step_is_told_to_every_user_in_their_language_with_the_reference_in_the_subject(shop, owner, agent):
    italian = MembershipFactory(business=shop, role="member", user__email="it@alpha.test", user__language="it").user
    owner.language = "de"
    owner.save()
    buy(shop, owner, tier="gold")
    OutboxMessage.objects.all().delete()
    request = ask(shop, owner, credited(shop))
    _in_service(request, agent)
    service_request_quote(agent=agent, request_id=request.pk, amount="200.00")
    service_quote_approve(business=shop, actor=owner, request_id=request.pk)
    service_request_ready(agent=agent, request_id=request.pk)
    service_request_ship(agent=agent, request_id=request.pk, carrier="PostNL", tracking="3SABCD1234567")
    service_request_close(agent=agent, request_id=request.pk)
    steps = ["submitted", "received", "in_service", "quoted", "quote_approved", "ready", "shipped", "closed"]
    assert [step.kind for step in request.steps.all()] == steps
    for user, hello in ((owner, "Hallo"), (italian, "Ciao")):
        mails = OutboxMessage.objects.filter(to=user.email, subject__startswith=f"{request.reference}: ")
        assert mails.count() == len(steps)
        assert all(mail.language == user.language and hello in mail.body_text for mail in mails)
        bell = Notification.objects.filter(user=user, kind="service_request")
        assert bell.count() == len(steps)
        assert all(n.params["reference"] == request.reference for n in bell)
    shipped = OutboxMessage.objects.filter(to=owner.email, body_text__contains="3SABCD1234567").get()
    assert shipped.subject.startswith(f"{request.reference}: ")
