from propass.accounts.tests.factories import MembershipFactory
from propass.onboarding.services import application_approve
from propass.onboarding.tests.helpers import submit


def _approved(agent, **changes):
    application = submit(**changes)
    application_approve(application_id=application.pk, agent=agent)
    application.refresh_from_db()
    return application


def test_a_business_downloads_its_own_documents_sandboxed(client, program, validation_agent):
    application = _approved(validation_agent)
    owner = application.business.memberships.get().user
    client.force_login(owner)
    document = application.documents.get()
    response = client.get(f"/account/documents/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert document.original_name in client.get("/account/").content.decode()


def test_a_member_of_business_a_cannot_fetch_business_b_documents(client, program, validation_agent):
    application_b = _approved(validation_agent, email="b@example.com")
    member_a = MembershipFactory(user__email="a@example.com").user
    client.force_login(member_a)
    assert client.get(f"/account/documents/{application_b.documents.get().pk}/").status_code == 404


def test_staff_of_the_validation_team_see_every_document(client, program, validation_agent, staff):
    document = submit().documents.get()
    client.force_login(validation_agent)
    assert client.get(f"/backoffice/documents/{document.pk}/").status_code == 200
    client.force_login(staff)
    assert client.get(f"/backoffice/documents/{document.pk}/").status_code == 403


def test_anonymous_visitors_get_no_document(client, program):
    document = submit().documents.get()
    assert client.get(f"/backoffice/documents/{document.pk}/").status_code == 302
    assert client.get(f"/account/documents/{document.pk}/").status_code == 302


def test_uploads_are_not_reachable_by_a_media_url(client, program):
    document = submit().documents.get()
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/{document.file.name}").status_code == 404
