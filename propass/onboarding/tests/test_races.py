"""Twenty validation agents deciding one application at once: one decision, one business."""

import pytest

from propass.accounts.models import Business, User
from propass.core.models import AuditLog
from propass.onboarding.enums import APPLICATION_TRANSITIONS, ApplicationStatus
from propass.onboarding.models import Application
from propass.onboarding.tests.helpers import submit
from propass.program_admin.setup import program_seed
from propass.testing.clients import api_clients
from propass.testing.invariants import assert_moves_along, moves_count, status_moves
from propass.testing.threads import errors_in, run_at_once

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def test_twenty_agents_approving_and_rejecting_at_once_make_one_decision(validation_agent):
    program_seed()
    application = submit()
    clients = api_clients(validation_agent, THREADS)
    base = f"/api/v1/staff/applications/{application.pk}"

    def decide(index):
        if index % 2:
            return clients[index].post(f"{base}/approve/")
        return clients[index].post(f"{base}/reject/", {"reason": "No licence"}, format="json")

    with status_moves(Application) as moves:
        results = run_at_once(THREADS, decide)
    assert errors_in(results) == []
    assert sorted(response.status_code for response in results) == [200] + [409] * (THREADS - 1)
    refused = {r.json()["error"]["code"] for r in results if r.status_code == 409}
    assert refused == {"already_decided"}
    decided = Application.objects.get(pk=application.pk).status
    approved = decided == ApplicationStatus.APPROVED
    assert (Business.objects.count(), User.objects.filter(email=application.email).count()) == (approved, approved)
    assert AuditLog.objects.filter(action__in=["application.approve", "application.reject"]).count() == 1
    assert moves_count(moves) == {(ApplicationStatus.SUBMITTED, decided): 1}
    assert_moves_along(moves, APPLICATION_TRANSITIONS)
