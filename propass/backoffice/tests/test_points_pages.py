from propass.products.enums import RegistrationStatus
from propass.products.models import Registration
from propass.products.tests.helpers import camera, register


def test_support_resolves_a_serial_conflict_from_the_back_office(client, support_agent, business, other_business):
    register(business, camera())
    held = register(other_business, camera())
    client.force_login(support_agent)
    page = client.get("/backoffice/registrations/conflicts/").content.decode()
    assert "Beta Films" in page
    assert "Alpha Studio" in page
    response = client.post(f"/backoffice/registrations/{held.pk}/resolve/", {"keep": "other", "note": "No invoice"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.REJECTED


def test_a_resolution_without_a_note_is_refused(client, support_agent, business, other_business):
    register(business, camera())
    held = register(other_business, camera())
    client.force_login(support_agent)
    response = client.post(f"/backoffice/registrations/{held.pk}/resolve/", {"keep": "this", "note": ""}, follow=True)
    assert "Write a note for the businesses." in response.content.decode()
    assert Registration.objects.get(pk=held.pk).status == RegistrationStatus.UNDER_REVIEW


def test_support_adjusts_points_with_a_note(client, support_agent, business):
    client.force_login(support_agent)
    client.post(f"/backoffice/businesses/{business.pk}/points/", {"amount": "40", "note": "Goodwill"})
    business.refresh_from_db()
    assert business.points_balance == 40
    page = client.get(f"/backoffice/businesses/{business.pk}/points/").content.decode()
    assert "Goodwill" in page


def test_other_staff_and_members_cannot_use_these_pages(client, staff, member, business):
    for user in (staff, member):
        client.force_login(user)
        assert client.get("/backoffice/registrations/conflicts/").status_code == 403
        assert (
            client.post(f"/backoffice/businesses/{business.pk}/points/", {"amount": 5, "note": "x"}).status_code == 403
        )
    business.refresh_from_db()
    assert business.points_balance == 0


def test_the_business_page_shows_the_migration_status(client, support_agent, business):
    import io

    from propass.products.legacy import legacy_import
    from propass.products.tests.legacy_data import legacy_csv

    legacy_import(stream=io.BytesIO(legacy_csv("old@example.com,Old,IT,1,Gold,,,,,,")))
    business.legacy_email = "old@example.com"
    business.save()
    client.force_login(support_agent)
    page = client.get(f"/backoffice/businesses/{business.pk}/points/").content.decode()
    assert "old@example.com" in page
    assert "not migrated yet" in page
