"""An application's EU VAT number is asked of VIES; the agent sees the answer and may ask again."""

import pytest
from rest_framework.test import APIClient

from propass.core.models import AuditLog, ViesCheck, ViesCheckStatus
from propass.onboarding.models import Application
from propass.onboarding.services import application_approve, application_vies_check_again
from propass.onboarding.tests.helpers import submit
from propass.testing.vies import NAME


@pytest.fixture
def submitted(program, vies, django_capture_on_commit_callbacks):
    def make(**changes):
        with django_capture_on_commit_callbacks(execute=True):
            application = submit(**changes)
        return Application.objects.select_related("vies_check").get(pk=application.pk)

    return make


def test_an_application_with_an_eu_number_gets_vies_evidence(submitted, vies):
    application = submitted()

    check = application.vies_check
    assert check.status == ViesCheckStatus.VALID
    assert check.vat_number == "IT00743110157"
    assert check.consultation_number
    assert check.name == NAME
    # The European seller, which sells to Italy, asks as requester.
    assert vies.requests[0]["requesterMemberStateCode"] == "NL"


def test_a_uk_application_is_not_asked_of_vies(submitted, vies):
    application = submitted(country="GB", vat_number="GB980780684", phone="+44 20 7946 0958")

    assert application.vies_check is None
    assert vies.requests == []


def test_without_vies_nothing_is_asked(program, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()

    application.refresh_from_db()
    assert application.vies_check is None
    assert not ViesCheck.objects.exists()


def test_the_agent_sees_the_consultation_number_name_and_address(submitted, client, validation_agent):
    application = submitted()
    client.force_login(validation_agent)

    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()

    assert application.vies_check.consultation_number in page
    assert "Valid in VIES" in page
    assert NAME in page
    assert "VIA ROMA 1 <br>20121 MILANO MI" in page


def test_vies_unavailable_is_shown_as_retrying_and_the_agent_can_still_approve(
    submitted, vies, client, validation_agent
):
    vies.answer("00743110157", "unavailable")
    application = submitted()
    client.force_login(validation_agent)

    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()

    assert "VIES unavailable, retrying — you can decide on the documents." in page
    assert "Not valid in VIES" not in page
    approved = application_approve(application_id=application.pk, agent=validation_agent)
    assert approved.business.vies_check_id == application.vies_check_id


def test_the_agent_asks_vies_again(submitted, vies, client, validation_agent, django_capture_on_commit_callbacks):
    vies.answer("00743110157", "unavailable")
    application = submitted()
    vies.answer("00743110157", "valid")
    client.force_login(validation_agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/backoffice/applications/{application.pk}/vies-check/")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.vies_check.status == ViesCheckStatus.VALID
    assert AuditLog.objects.filter(action="application.vies_check", target_id=str(application.pk)).exists()
    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()
    assert "VIES asked again" in page  # in the history


def test_asking_again_after_an_answer_keeps_the_first_as_evidence(
    submitted, validation_agent, django_capture_on_commit_callbacks
):
    application = submitted()
    first = application.vies_check

    with django_capture_on_commit_callbacks(execute=True):
        application_vies_check_again(application_id=application.pk, agent=validation_agent)

    application.refresh_from_db()
    assert application.vies_check_id != first.pk
    assert ViesCheck.objects.filter(pk=first.pk, status=ViesCheckStatus.VALID).exists()


@pytest.mark.parametrize("who", ["member", "support_agent", "anonymous"])
def test_only_validation_agents_ask_vies_again(submitted, vies, client, request, who):
    application = submitted()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.post(f"/backoffice/applications/{application.pk}/vies-check/")

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
    assert len(vies.requests) == 1
    application.refresh_from_db()
    assert not AuditLog.objects.filter(action="application.vies_check").exists()


def test_staff_api_shows_the_vies_answer(submitted, validation_agent):
    application = submitted()
    api = APIClient()
    api.force_authenticate(validation_agent)

    rows = api.get("/api/v1/staff/applications/").json()["results"]

    [row] = [row for row in rows if row["id"] == application.pk]
    assert row["vies_check"]["status"] == "valid"
    assert row["vies_check"]["consultation_number"] == application.vies_check.consultation_number
    assert row["vies_check"]["name"] == NAME
