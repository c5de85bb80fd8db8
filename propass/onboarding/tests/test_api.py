import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.notifications.models import OutboxMessage
from propass.onboarding.models import Application
from propass.onboarding.tests.helpers import FORM, submit
from propass.testing.files import image_bytes, pdf, png

API_FORM = {**FORM, "authorised": "true", "accept_terms": "true"}


@pytest.fixture
def api():
    return APIClient()


def test_anyone_can_submit_an_application(api, program):
    response = api.post("/api/v1/applications/", {**API_FORM, "document": pdf()}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    application = Application.objects.get()
    assert body == {
        "id": application.pk,
        "status": "submitted",
        "status_url": f"http://testserver/apply/status/{application.token}/",
    }
    status = api.get(f"/api/v1/applications/{application.token}/").json()
    assert status["status"] == "submitted"


def test_a_refused_application_answers_in_the_error_shape(api, program):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.pdf", image_bytes("PNG"))
    response = api.post(
        "/api/v1/applications/", {**API_FORM, "vat_number": "IT00743110158", "document": fake}, format="multipart"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"vat_number", "document"}
    assert Application.objects.count() == 0


def test_missing_fields_are_listed(api, program):
    response = api.post("/api/v1/applications/", {"email": "x@example.com"}, format="multipart")
    assert response.status_code == 400
    assert "company_name" in response.json()["error"]["fields"]


def test_staff_decide_through_the_api(api, program, validation_agent):
    application = submit()
    api.force_authenticate(validation_agent)
    queue = api.get("/api/v1/staff/applications/?status=submitted").json()
    assert queue["count"] == 1
    assert queue["results"][0]["email"] == "giulia@studio-rossi.example"
    response = api.post(f"/api/v1/staff/applications/{application.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert Business.objects.count() == 1
    again = api.post(f"/api/v1/staff/applications/{application.pk}/reject/", {"reason": "late"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_decided"


def test_request_info_and_the_applicants_answer(api, program, validation_agent):
    application = submit()
    api.force_authenticate(validation_agent)
    assert api.post(f"/api/v1/staff/applications/{application.pk}/request-info/", {}, format="json").status_code == 400
    response = api.post(
        f"/api/v1/staff/applications/{application.pk}/request-info/", {"message": "Add a licence"}, format="json"
    )
    assert response.json()["status"] == "information_requested"
    api.force_authenticate(None)
    answer = api.post(
        f"/api/v1/applications/{application.token}/documents/",
        {"document_type": "business_licence", "document": png()},
        format="multipart",
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == "submitted"


def test_members_cannot_use_the_staff_api(api, program, member):
    application = submit()
    api.force_authenticate(member)
    assert api.get("/api/v1/staff/applications/").status_code == 403
    assert api.post(f"/api/v1/staff/applications/{application.pk}/approve/").status_code == 403


def test_password_reset_always_answers_202_the_same(api, program, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post("/api/v1/auth/password/reset/", {"email": member.email}, format="json")
        unknown = api.post("/api/v1/auth/password/reset/", {"email": "ghost@example.com"}, format="json")
        broken = api.post("/api/v1/auth/password/reset/", {"email": "not an email"}, format="json")
    assert known.status_code == unknown.status_code == broken.status_code == 202
    assert known.json() == unknown.json() == broken.json()
    assert OutboxMessage.objects.filter(to=member.email).count() == 1
    assert OutboxMessage.objects.count() == 1


def test_password_set_through_the_api(api, program, owner):
    from datetime import timedelta

    from propass.accounts.enums import TokenPurpose
    from propass.accounts.services import token_issue

    token = token_issue(user=owner, purpose=TokenPurpose.SET_PASSWORD, lifetime=timedelta(hours=1))
    weak = api.post("/api/v1/auth/password/set/", {"token": token, "password": "123"}, format="json")
    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["fields"]
    assert (
        api.post(
            "/api/v1/auth/password/set/", {"token": token, "password": "Quiet-harbour-77x"}, format="json"
        ).status_code
        == 204
    )
    reused = api.post("/api/v1/auth/password/set/", {"token": token, "password": "Quiet-harbour-78x"}, format="json")
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "token_invalid"
    login = api.post("/api/v1/auth/token/", {"email": owner.email, "password": "Quiet-harbour-77x"}, format="json")
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        # Swiss: the business identifier, with or without its language ending, stored without.
        ("CH", "CHE-105.048.256", "CHE105048256"),
        ("CH", "che 105 048 256 tva", "CHE105048256"),
        # Liechtenstein: its five-digit VAT register number, or its Swiss business identifier.
        ("LI", "51 234", "LI51234"),
        ("LI", "CHE-123.456.788", "CHE123456788"),
        # Northern Ireland: the XI prefix is kept; the business is in GB.
        ("GB", "XI 432 5251 79", "XI432525179"),
    ],
)
def test_swiss_liechtenstein_and_northern_ireland_businesses_apply_with_their_numbers(
    api, program, validation_agent, country, typed, stored
):
    response = api.post(
        "/api/v1/applications/", {**API_FORM, "country": country, "vat_number": typed, "document": pdf()},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert (application.country, application.vat_number, application.vat_check["valid"]) == (country, stored, True)
    api.force_authenticate(validation_agent)
    assert api.post(f"/api/v1/staff/applications/{application.pk}/approve/").status_code == 200
    business = Business.objects.get()
    assert (business.country, business.vat_number) == (country, stored)
