from django.contrib.auth.models import Group

from propass.accounts.tests.factories import UserFactory
from propass.core.demo import demo_seed


def test_a_program_admin_edits_the_program_in_the_back_office(client, db):
    demo_seed()
    admin = UserFactory(email="program@propass.test", is_staff=True)
    admin.groups.add(Group.objects.get(name="program_admin"))
    client.force_login(admin)
    from propass.core.models import Program

    program = Program.objects.get()
    page = client.get(f"/backoffice/admin/core/program/{program.pk}/change/")
    assert page.status_code == 200
    assert "donotreply@canon-europe.com" in page.content.decode()


def test_seed_demo_is_idempotent(db):
    from propass.accounts.models import Business, User
    from propass.core.models import LegalText, Program
    from propass.products.models import LegacyRegistration

    demo_seed()
    counts = [m.objects.count() for m in (User, Business, Program, LegalText, LegacyRegistration)]
    demo_seed()
    assert [m.objects.count() for m in (User, Business, Program, LegalText, LegacyRegistration)] == counts


def test_the_legal_texts_in_force_are_public(client, db):
    demo_seed()
    page = client.get("/legal/business_terms/")
    assert page.status_code == 200
    assert "Business account terms" in page.content.decode()
    assert client.get("/legal/unknown/").status_code == 404
