"""The reads the back office builds on: the queue by promised date with the overdue flag, and
what an agent sees beside a request."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from propass.memberships.enums import BenefitKind
from propass.service.models import ServiceRequest
from propass.service.selectors import service_agent_context, service_overdue_count, service_queue
from propass.service.services import service_request_cancel, service_request_receive
from propass.service.tests.helpers import ask, credited
from propass.testing.shop import buy

pytestmark = pytest.mark.django_db


def _received(request, agent, day):
    ServiceRequest.objects.filter(pk=request.pk).update(created_at=timezone.make_aware(datetime(2026, 3, 1, 9)))
    return service_request_receive(agent=agent, request_id=request.pk, received_on=day)


def test_the_queue_runs_by_promised_date_flags_the_overdue_and_leaves_out_finished_requests(shop, owner, agent):
    buy(shop, owner, tier="gold")
    waiting = ask(shop, owner, credited(shop, "012345678901"))
    later = _received(ask(shop, owner, credited(shop, "012345678902")), agent, date(2026, 6, 1))
    sooner = _received(ask(shop, owner, credited(shop, "012345678903"), centre="milano"), agent, date(2026, 5, 4))
    cancelled = ask(shop, owner, credited(shop, "012345678904"))
    service_request_cancel(business=shop, actor=owner, request_id=cancelled.pk)
    queue = list(service_queue(today=date(2026, 6, 2)))
    assert [r.pk for r in queue] == [sooner.pk, later.pk, waiting.pk]
    assert [r.overdue for r in queue] == [True, False, False]  # promised by 7 May and 4 June
    assert service_overdue_count(today=date(2026, 6, 2)) == 1
    assert [r.pk for r in service_queue(centre="milano")] == [sooner.pk]
    assert [r.pk for r in service_queue(status="cancelled")] == [cancelled.pk]
    assert [r.pk for r in service_queue(tier="platinum")] == []


def test_an_agent_sees_the_registration_the_tier_and_the_allowances_beside_a_request(shop, owner):
    buy(shop, owner, tier="gold")
    request = ask(shop, owner, credited(shop), kind="maintenance")
    context = service_agent_context(request=request)
    assert context.registration.serial_number == "012345678901"
    assert context.membership.tier.code == "gold"
    checks = context.benefits.line(BenefitKind.MAINTENANCE_CHECKS)
    assert (checks.used, checks.remaining) == (1, 1)
