import pytest
from django.core.files.storage import default_storage

from propass.core.errors import InvalidInput
from propass.notifications.models import OutboxMessage
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application, ApplicationDocument
from propass.onboarding.services import application_submit
from propass.onboarding.tests.helpers import FORM, application_input, submit
from propass.testing.files import image_bytes, pdf


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_vat_registered_company_applies_with_a_pdf(client, program, settings):
    response = client.post("/apply/", {**FORM, "document": pdf()})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/status/{application.token}/"
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.vat_number == "IT00743110157"
    assert application.phone == "+390212345678"
    assert application.terms_version == "2026-01"
    assert application.sla_deadline > application.submitted_at
    document = ApplicationDocument.objects.get()
    assert document.content_type == "application/pdf"
    assert not document.file.name.endswith("vat-certificate.pdf")  # random stored name
    assert default_storage.exists(document.file.name)
    message = OutboxMessage.objects.get(template="application_received")
    assert message.to == "giulia@studio-rossi.example"
    assert message.language == "it"
    assert "donotreply@canon-europe.com" in message.sender
    assert f"/apply/status/{application.token}/" in message.body_text


def test_the_status_page_shows_the_status_and_the_sla(client, program):
    application = submit()
    page = client.get(f"/apply/status/{application.token}/").content.decode()
    assert "Submitted" in page
    assert "2 business days" in page


def test_an_unknown_status_token_is_404(client, program):
    assert client.get("/apply/status/not-a-token/").status_code == 404


def test_a_company_without_vat_applies_with_a_chamber_of_commerce_certificate(program):
    application = submit(vat_registered=False, vat_number="", document_type="chamber_of_commerce")
    assert application.vat_number == ""
    assert application.documents.get().document_type == "chamber_of_commerce"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vat_number": "IT00743110158"}, "vat_number"),
        ({"vat_number": "DE136695976"}, "vat_number"),
        ({"country": "US"}, "country"),
        ({"phone": "12"}, "phone"),
        ({"authorised": False}, "authorised"),
        ({"accept_terms": False}, "accept_terms"),
        ({"document_type": "business_licence"}, "document_type"),
        ({"vat_registered": False, "document_type": "vat_certificate"}, "document_type"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(program, settings, changes, field):
    with pytest.raises(InvalidInput) as caught:
        submit(**changes)
    assert field in caught.value.fields
    assert Application.objects.count() == 0
    assert _stored_files(settings) == []


def test_no_document_is_refused(program):
    with pytest.raises(InvalidInput) as caught:
        application_submit(data=application_input(), document=None)
    assert "document" in caught.value.fields


def test_two_documents_when_one_is_required_are_refused(client, program, settings):
    response = client.post("/apply/", {**FORM, "document": [pdf("a.pdf"), pdf("b.pdf")]})
    assert response.status_code == 200
    assert "Please upload exactly one document." in response.content.decode()
    assert Application.objects.count() == 0
    assert _stored_files(settings) == []


def test_a_png_renamed_to_pdf_is_refused_on_the_form(client, program, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("certificate.pdf", image_bytes("PNG"), content_type="application/pdf")
    response = client.post("/apply/", {**FORM, "document": fake})
    assert "does not match its name" in response.content.decode()
    assert Application.objects.count() == 0
    assert _stored_files(settings) == []


def test_a_second_open_application_for_the_same_email_is_refused(client, program):
    submit()
    response = client.post("/apply/", {**FORM, "email": "GIULIA@studio-rossi.example", "document": pdf()})
    assert "An application for this e-mail is already open" in response.content.decode()
    assert Application.objects.count() == 1


def test_a_database_failure_leaves_no_file_behind(program, settings, monkeypatch):
    from propass.onboarding import services

    def refuse(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        submit()
    assert Application.objects.count() == 0
    assert _stored_files(settings) == []


def test_the_form_lists_only_participating_countries(client, program):
    page = client.get("/apply/").content.decode()
    assert 'value="IT"' in page
    assert 'value="US"' not in page


def test_a_flood_of_applications_from_one_address_is_stopped(client, program, settings):
    from propass.onboarding import views

    for n in range(views.APPLY_LIMIT_PER_HOUR):
        client.post("/apply/", {**FORM, "email": f"a{n}@example.com", "document": pdf()})
    response = client.post("/apply/", {**FORM, "email": "late@example.com", "document": pdf()})
    assert "Too many applications from your network" in response.content.decode()
    assert Application.objects.count() == views.APPLY_LIMIT_PER_HOUR


def test_after_a_correction_the_form_asks_for_the_file_again(client, program):
    # Browsers cannot keep a chosen file across a page load: the form says so next to the field.
    response = client.post("/apply/", {**FORM, "phone": "", "document": pdf()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose the file again" in page
    assert 'type="file" name="document"' in page
    field = page.split('id="id_document"')[0].rsplit('<div class="field', 1)[1]
    assert field.startswith(" has-error")
    # A domain refusal (the same e-mail applied already) asks for it too.
    submit()
    response = client.post("/apply/", {**FORM, "document": pdf()})
    assert "Choose the file again" in response.content.decode()
    assert Application.objects.count() == 1


def test_no_file_chosen_is_not_asked_again(client, program):
    page = client.post("/apply/", {**FORM, "phone": ""}).content.decode()
    assert "Choose the file again" not in page
