"""Hostile files are refused on every onboarding channel (the application form and API, the
answer to a request for information on the status page and through the API), nothing of
them is stored, and the documents staff open come as sandboxed downloads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from propass.onboarding.models import Application, ApplicationDocument
from propass.onboarding.services import application_request_info
from propass.onboarding.tests.helpers import FORM, submit
from propass.testing.files import HOSTILE_FILES, hostile, jpeg, pdf, pdf_normal, png

API_FORM = {**FORM, "authorised": "true", "accept_terms": "true"}
# Why each hostile file is refused, as the applicant reads it.
REASONS = {
    "escaped_open_action": "scripts, attachments or actions",
    "script_in_object_stream": "scripts, attachments or actions",
    "page_uri_action": "scripts, attachments or actions",
    "embedded_file": "scripts, attachments or actions",
    "xfa": "scripts, attachments or actions",
    "encrypted": "protected with a password",
    "truncated": "damaged or incomplete",
    "png_100_megapixels": "100 megapixels",
}


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _apply_html(client, upload):
    response = client.post("/apply/", {**FORM, "document": upload})
    assert response.status_code == 200, "the form is shown again with the error"
    return response.content.decode()


def _apply_api(client, upload):
    response = APIClient().post("/api/v1/applications/", {**API_FORM, "document": upload}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert list(error["fields"]) == ["document"]
    return error["fields"]["document"][0]


def _asked(validation_agent) -> Application:
    application = submit(email="asked@example.com")
    application_request_info(application_id=application.pk, agent=validation_agent, message="Add a licence")
    return application


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_refused_on_the_application_form(client, program, settings, kind):
    assert REASONS[kind] in _apply_html(client, hostile(kind))
    assert Application.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_refused_by_the_application_api(program, settings, kind):
    assert REASONS[kind] in _apply_api(None, hostile(kind))
    assert Application.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    assert _stored_files(settings) == []


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_refused_as_the_answer_on_the_status_page(client, program, settings, validation_agent, kind):
    application = _asked(validation_agent)
    before = _stored_files(settings)
    response = client.post(
        f"/apply/status/{application.token}/", {"document_type": "business_licence", "document": hostile(kind)}
    )
    assert response.status_code == 200
    assert REASONS[kind] in response.content.decode()
    application.refresh_from_db()
    assert application.status == "information_requested"
    assert application.documents.count() == 1
    assert _stored_files(settings) == before


@pytest.mark.parametrize("kind", sorted(HOSTILE_FILES))
def test_a_hostile_file_is_refused_as_the_answer_through_the_api(program, settings, validation_agent, kind):
    application = _asked(validation_agent)
    before = _stored_files(settings)
    response = APIClient().post(
        f"/api/v1/applications/{application.token}/documents/",
        {"document_type": "business_licence", "document": hostile(kind)},
        format="multipart",
    )
    assert response.status_code == 400
    assert REASONS[kind] in response.json()["error"]["fields"]["document"][0]
    application.refresh_from_db()
    assert application.status == "information_requested"
    assert application.documents.count() == 1
    assert _stored_files(settings) == before


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("certificate.pdf", pdf_normal(), content_type="application/pdf"),
        pdf(),
        jpeg("certificate.jpg"),
        png("certificate.png"),
    ],
    ids=["office-pdf", "minimal-pdf", "jpeg", "png"],
)
def test_ordinary_documents_pass_on_every_channel(client, program, validation_agent, upload):
    upload.seek(0)
    response = client.post("/apply/", {**FORM, "document": upload})
    assert response.status_code == 302
    upload.seek(0)
    api = APIClient()
    response = api.post(
        "/api/v1/applications/", {**API_FORM, "email": "api@example.com", "document": upload}, format="multipart"
    )
    assert response.status_code == 201
    application = _asked(validation_agent)
    upload.seek(0)
    response = client.post(
        f"/apply/status/{application.token}/", {"document_type": "business_licence", "document": upload}
    )
    assert response.status_code == 302
    application = submit(email="again@example.com")
    application_request_info(application_id=application.pk, agent=validation_agent, message="More")
    upload.seek(0)
    response = api.post(
        f"/api/v1/applications/{application.token}/documents/",
        {"document_type": "business_licence", "document": upload},
        format="multipart",
    )
    assert response.status_code == 201


def test_staff_get_documents_as_sandboxed_downloads(client, program, validation_agent):
    application = submit(document=SimpleUploadedFile("Prüfbericht 2024.pdf", pdf_normal()))
    document = application.documents.get()
    client.force_login(validation_agent)
    response = client.get(f"/backoffice/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Pr%C3%BCfbericht_2024.pdf" in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()
    assert "<iframe" not in page
    assert f"/backoffice/documents/{document.pk}/" in page


def test_an_image_document_is_previewed_as_an_image_and_downloaded_sandboxed(client, program, validation_agent):
    application = submit(document=png("scan.png"), document_type="vat_certificate")
    document = application.documents.get()
    client.force_login(validation_agent)
    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()
    assert f'<img class="document" src="/backoffice/documents/{document.pk}/"' in page
    response = client.get(f"/backoffice/documents/{document.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"].startswith("sandbox")
