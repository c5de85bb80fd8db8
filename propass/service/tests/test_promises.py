"""Promises kept (issue 19): a request past its promise is told at once, once; when the product
is ready, the days it was late are added to the membership up to the tier's days, once."""

from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.utils import timezone

from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.notifications.models import Notification
from propass.service.models import Loan, MissedPromise
from propass.service.promises import promises_missed_notice, promises_settle
from propass.service.services import service_request_ready, service_request_receive, service_request_start
from propass.service.tests.helpers import ask, credited
from propass.service.tests.loan_helpers import pool
from propass.testing.shop import buy


def _late_request(business, owner, agent, *, tier="gold", days_ago=20):
    """A request made, received and started `days_ago` days ago, still in service."""
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        buy(business, owner, tier=tier)
        request = ask(business, owner, credited(business))
        service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
        service_request_start(agent=agent, request_id=request.pk)
    request.refresh_from_db()
    assert request.promised_by < timezone.localdate()
    return request


def _run_scheduler_twice(at):
    for _ in range(2):
        call_command("run-scheduled", "--at", at.isoformat())


def test_a_late_request_is_told_once_and_its_late_days_are_added_once_up_to_the_tiers_days(shop, owner, agent):
    request = _late_request(shop, owner, agent)
    _run_scheduler_twice(timezone.now())

    missed = MissedPromise.objects.get(request=request)
    assert missed.promised_by == request.promised_by and missed.settled_at is None
    late_bells = Notification.objects.filter(user=owner, title__contains="missed our promised date")
    assert late_bells.count() == 1
    assert AuditLog.objects.filter(action="service.promise_missed", target_id=str(request.pk)).count() == 1
    expires_before = Subscription.objects.get(business=shop).expires_on

    service_request_ready(agent=agent, request_id=request.pk)
    _run_scheduler_twice(timezone.now() + timedelta(hours=1))  # the job's next hour

    missed.refresh_from_db()
    days_late = (timezone.localdate() - request.promised_by).days
    assert missed.days_late == days_late > 10
    assert missed.days_added == 10  # Gold adds the days lost, up to 10
    assert Subscription.objects.get(business=shop).expires_on == expires_before + timedelta(days=10)
    extension = AuditLog.objects.get(action="subscription.extend")
    assert extension.data["days"] == 10 and extension.data["reference"] == request.reference
    assert Notification.objects.filter(user=owner, title__contains="days added to your membership").count() == 1


def test_a_tier_without_compensation_is_told_but_nothing_is_added(shop, owner, agent):
    request = _late_request(shop, owner, agent, tier="silver")
    promises_missed_notice(today=timezone.localdate())
    expires_before = Subscription.objects.get(business=shop).expires_on
    service_request_ready(agent=agent, request_id=request.pk)

    promises_settle(today=timezone.localdate())

    missed = MissedPromise.objects.get(request=request)
    assert missed.days_added == 0 and missed.settled_at is not None
    assert Subscription.objects.get(business=shop).expires_on == expires_before
    assert not AuditLog.objects.filter(action="subscription.extend").exists()


def test_a_request_ready_within_its_promise_is_never_noticed(shop, owner, agent):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop))
    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    service_request_start(agent=agent, request_id=request.pk)
    service_request_ready(agent=agent, request_id=request.pk)

    assert promises_missed_notice(today=timezone.localdate() + timedelta(days=30)) == []
    assert not MissedPromise.objects.exists()


def test_the_member_sees_the_days_added_on_the_request(client, shop, owner, agent):
    request = _late_request(shop, owner, agent, days_ago=12)
    promises_missed_notice(today=timezone.localdate())
    service_request_ready(agent=agent, request_id=request.pk)
    promises_settle(today=timezone.localdate())
    days = MissedPromise.objects.get(request=request).days_added
    assert days > 0
    client.force_login(owner)
    page = client.get(f"/service/{request.pk}/").content.decode()
    assert f"{days} days were added to your membership for the delay." in page


def test_a_late_request_offers_a_free_unit_of_its_model_and_the_member_accepts_in_one_click(client, shop, owner, agent):
    model = pool("EOS-R5", units=1)
    request = _late_request(shop, owner, agent)

    promises_missed_notice(today=timezone.localdate())

    missed = MissedPromise.objects.get(request=request)
    today = timezone.localdate()
    assert (missed.loan_offer_starts_on, missed.loan_offer_ends_on) == (today, today + timedelta(days=6))
    bell = Notification.objects.get(user=owner, title__contains="missed our promised date")
    assert bell.url.startswith("/loans/new/?") and f"service_request={request.pk}" in bell.url
    client.force_login(owner)
    form = client.get(bell.url)
    assert form.status_code == 200
    # The form comes filled in: the member only confirms the terms.
    fields = form.context["form"].initial
    assert (fields["model"], fields["starts_on"]) == (str(model.pk), today.isoformat())
    confirmed = client.post(bell.url, {**fields, "accept_terms": "on"})
    assert confirmed.status_code == 302
    loan = Loan.objects.get(business=shop)
    assert (loan.service_request_id, loan.model_id, loan.starts_on) == (request.pk, model.pk, today)


def test_no_loan_is_offered_when_no_unit_is_free_or_the_tier_lends_nothing(shop, owner, agent):
    request = _late_request(shop, owner, agent, tier="silver")
    pool("EOS-R5", units=1)
    promises_missed_notice(today=timezone.localdate())
    assert MissedPromise.objects.get(request=request).loan_offer_starts_on is None
    assert Notification.objects.get(user=owner, title__contains="missed our promised date").url == (
        f"/service/{request.pk}/"
    )
