"""The service centre's back office: the queue by promised date with the overdue highlighted and
filters, and one request with the centre's steps beside the member's context. Refused forms
say why and change nothing; the auditor reads and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from propass.accounts.models import Business
from propass.core.models import AuditLog
from propass.memberships.models import AllowanceEntry
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.service.models import ServiceRequest
from propass.service.services import service_request_receive
from propass.service.tests.helpers import ask, credited
from propass.testing.shop import buy
from propass.testing.staff import staff_user

pytestmark = pytest.mark.django_db

QUEUE = "/backoffice/service/"


@pytest.fixture
def gold(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(
        points_balance=3000, country="NL", currency="EUR", street="Keizersgracht 1", postal_code="1015 CJ",
        city="Amsterdam",
    )  # fmt: skip
    business.refresh_from_db()
    buy(business, owner, tier="gold")
    return business


@pytest.fixture
def agent(db):
    return staff_user("service@propass.test", "service", first_name="Sam", last_name="Service")


def _url(request, action=""):
    return f"{QUEUE}{request.pk}/{action + '/' if action else ''}"


def _references(response):
    return [item.reference for item in response.context["page"].object_list]


def test_the_queue_runs_by_promise_highlights_the_overdue_and_filters(client, gold, owner, agent):
    late = ask(gold, owner, credited(gold, "012345678901"))
    soon = ask(gold, owner, credited(gold, "012345678902"), centre="milano")
    waiting = ask(gold, owner, credited(gold, "012345678903"))
    today = timezone.localdate()
    ServiceRequest.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(days=20))
    service_request_receive(agent=agent, request_id=late.pk, received_on=today - timedelta(days=14))
    service_request_receive(agent=agent, request_id=soon.pk, received_on=today)
    client.force_login(agent)
    response = client.get(QUEUE)
    assert _references(response) == [late.reference, soon.reference, waiting.reference]
    page = response.content.decode()
    assert page.count('<tr class="overdue">') == 1
    assert "1 request is past its promised date." in page
    assert _references(client.get(QUEUE, {"centre": "milano"})) == [soon.reference]
    assert _references(client.get(QUEUE, {"status": "submitted"})) == [waiting.reference]
    assert _references(client.get(QUEUE, {"tier": "silver"})) == []
    assert len(_references(client.get(QUEUE, {"tier": "gold", "centre": "nowhere"}))) == 3  # unknown: ignored
    dashboard = client.get("/backoffice/").content.decode()
    assert 'href="/backoffice/service/"' in dashboard


def test_the_agent_sees_the_registration_the_tier_and_the_allowances(client, gold, owner, agent):
    request = ask(gold, owner, credited(gold), kind="maintenance")
    client.force_login(agent)
    page = client.get(_url(request)).content.decode()
    assert request.reference in page
    assert "012345678901" in page
    assert "Gold" in page
    assert "1 used, 1 left" in page  # Gold's two maintenance checks, one taken by this request
    assert 'id="receive-form"' in page


def test_the_centres_steps_from_receipt_to_closed(client, gold, owner, agent):
    request = ask(gold, owner, credited(gold))
    client.force_login(agent)
    today = timezone.localdate()
    response = client.post(_url(request, "receive"), {"received_on": today.isoformat()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.received_on, request.turnaround_days) == ("received", today, 3)
    assert client.post(_url(request, "start"), {"diagnosis": "Shutter unit worn."}).status_code == 302
    assert request.steps.get(kind="in_service").params == {"diagnosis": "Shutter unit worn."}

    # The preview shows the discount and the cap and records nothing.
    preview = client.post(_url(request, "preview"), {"amount": "400"})
    assert preview.status_code == 200
    assert preview.context["preview"]["discount"].amount == 60
    assert preview.context["preview"]["total"] == 340
    assert not AllowanceEntry.objects.filter(benefit__kind="repair_discount").exists()
    assert client.post(_url(request, "quote"), {"amount": "400", "note": "New shutter."}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.quote_discount) == ("quote_waiting", 60)

    ServiceRequest.objects.filter(pk=request.pk).update(status="in_service")  # as if the member approved
    assert client.post(_url(request, "ready")).status_code == 302
    refused = client.post(_url(request, "ship"), {"carrier": "PostNL", "tracking": ""})
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert client.post(_url(request, "ship"), {"carrier": "PostNL", "tracking": "3S123"}).status_code == 302
    assert client.post(_url(request, "close")).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.carrier, request.tracking) == ("closed", "PostNL", "3S123")
    actions = set(AuditLog.objects.filter(target_id=str(request.pk)).values_list("action", flat=True))
    assert {"service.receive", "service.start", "service.quote", "service.ready", "service.ship"} <= actions


def test_a_refused_step_says_why_in_the_agents_language_and_changes_nothing(client, gold, owner, agent):
    request = ask(gold, owner, credited(gold))
    agent.language = "it"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(_url(request, "receive"), {"received_on": tomorrow.isoformat()}, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    assert "Il giorno di ricevimento non può essere nel futuro." in response.content.decode()
    request.refresh_from_db()
    assert (request.status, request.received_on) == ("submitted", None)
    # A step the table does not allow from here: a message, no change.
    response = client.post(_url(request, "close"), follow=True)
    assert [str(m) for m in response.context["messages"]]
    request.refresh_from_db()
    assert request.status == "submitted"


def test_the_auditor_reads_the_pages_but_takes_no_step(client, gold, owner):
    request = ask(gold, owner, credited(gold))
    service_request_receive(
        agent=staff_user("s@propass.test", "service"), request_id=request.pk, received_on=timezone.localdate()
    )
    auditor = staff_user("auditor@propass.test", "auditor")
    client.force_login(auditor)
    page = client.get(_url(request)).content.decode()
    assert request.reference in page
    assert 'id="start-form"' not in page
    assert client.post(_url(request, "start")).status_code == 403
    assert client.get(QUEUE).status_code == 200
    slip = client.get(_url(request, "slip.pdf").rstrip("/"))
    assert slip["Content-Type"] == "application/pdf"


def test_an_unknown_request_or_step_is_404(client, gold, owner, agent):
    request = ask(gold, owner, credited(gold))
    client.force_login(agent)
    assert client.get(f"{QUEUE}999999/").status_code == 404
    assert client.post(_url(request, "teleport")).status_code == 404
    assert client.post(f"{QUEUE}999999/close/").status_code == 404
