import io

import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory
from propass.core.errors import Conflict
from propass.notifications.models import Notification, OutboxMessage
from propass.points.models import LedgerEntry
from propass.products.enums import RegistrationStatus
from propass.products.legacy import legacy_import
from propass.products.migration import migration_available, migration_perform, migration_preview
from propass.products.models import LegacyAccount, Registration
from propass.products.tests.helpers import register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.testing.threads import run_at_once


@pytest.fixture
def legacy_business(business, other_business):
    products = cameras()
    register(other_business, products[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products()))
    business.legacy_email = "OLD@example.com"
    business.save()
    return business


def test_the_preview_counts_complete_incomplete_and_elsewhere(legacy_business):
    preview = migration_preview(business=legacy_business)
    assert preview.available
    assert (preview.products, preview.complete, preview.incomplete, preview.under_review) == (12, 8, 3, 1)


def test_migrating_brings_every_product_over_once(legacy_business, owner):
    result = migration_perform(business=legacy_business, actor=owner)
    assert (result.products, result.complete, result.incomplete, result.under_review) == (12, 8, 3, 1)
    assert result.points == 800
    statuses = list(Registration.objects.filter(business=legacy_business).values_list("status", flat=True))
    assert statuses.count(RegistrationStatus.COMPLETE) == 8
    assert statuses.count(RegistrationStatus.INCOMPLETE) == 3
    assert statuses.count(RegistrationStatus.UNDER_REVIEW) == 1
    assert Business.objects.get(pk=legacy_business.pk).points_balance == 800
    assert LedgerEntry.objects.filter(business=legacy_business, reason="migration").count() == 8
    account = LegacyAccount.objects.get()
    assert account.migrated_to == legacy_business
    assert account.migrated_at is not None
    assert not migration_available(business=legacy_business)
    with pytest.raises(Conflict, match="already migrated"):
        migration_perform(business=legacy_business, actor=owner)


def test_the_button_shows_only_when_there_is_something_to_migrate(client, legacy_business, owner):
    client.force_login(owner)
    assert "Migrate products" in client.get("/products/").content.decode()
    client.post("/products/migrate/")
    page = client.get("/products/").content.decode()
    assert "Migrate products" not in page
    assert page.count("status ok") == 8


def test_without_an_old_email_there_is_no_button_but_the_support_path(client, owner, business):
    client.force_login(owner)
    page = client.get("/products/").content.decode()
    assert "Migrate products" not in page
    assert "/support/new/?category=migration" in page
    form = client.get("/support/new/?category=migration").content.decode()
    assert 'value="migration" selected' in form
    client.post(
        "/support/new/",
        {"category": "migration", "subject": "Old account", "body": "My old e-mail was studio@old.example"},
    )
    from propass.support.models import Ticket

    assert Ticket.objects.get().category == "migration"


def test_staff_link_an_old_email_and_the_button_appears(client, owner, business):
    from django.contrib.auth.models import Group

    from propass.accounts.tests.factories import UserFactory
    from propass.core.models import AuditLog

    cameras()
    legacy_import(stream=io.BytesIO(twelve_products("later@example.com")))
    agent = UserFactory(email="support@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    client.force_login(agent)
    assert "later@example.com" in client.get("/backoffice/legacy/?email=later").content.decode()
    client.post("/backoffice/legacy/link/", {"email": "later@example.com", "business": business.pk})
    assert AuditLog.objects.filter(action="legacy.link").exists()
    client.force_login(owner)
    assert "Migrate products" in client.get("/products/").content.decode()


def test_the_migration_api(legacy_business, owner):
    api = APIClient()
    api.force_authenticate(owner)
    preview = api.get("/api/v1/migration/").json()
    assert preview == {"available": True, "products": 12, "complete": 8, "incomplete": 3, "under_review": 1}
    first = api.post("/api/v1/migration/", headers={"Idempotency-Key": "abc"})
    replayed = api.post("/api/v1/migration/", headers={"Idempotency-Key": "abc"})
    again = api.post("/api/v1/migration/")
    assert first.status_code == 201
    assert first.json()["points"] == 800
    assert (replayed.status_code, replayed.json()) == (201, first.json())
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_migrated"
    assert Registration.objects.filter(business=legacy_business).count() == 12


@pytest.mark.django_db(transaction=True)
def test_ten_clicks_at_once_migrate_once():
    business, other = BusinessFactory(legacy_email="old@example.com"), BusinessFactory()
    products = cameras()
    register(other, products[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products()))
    results = run_at_once(10, lambda _index: migration_perform(business=business, actor=None))
    outcomes = ["already" if isinstance(r, Conflict) else repr(r) if isinstance(r, BaseException) else "migrated"
                for r in results]  # fmt: skip
    assert sorted(outcomes) == ["already"] * 9 + ["migrated"]
    assert Registration.objects.filter(business=business).count() == 12
    assert Business.objects.get(pk=business.pk).points_balance == 800


def test_linking_an_old_email_tells_the_business_by_bell_and_email(client, owner, business, support_agent):
    cameras()
    legacy_import(stream=io.BytesIO(twelve_products("later@example.com")))
    client.force_login(support_agent)
    client.post("/backoffice/legacy/link/", {"email": "later@example.com", "business": business.pk})
    notification = Notification.objects.get(user=owner, kind="migration_available")
    assert notification.url == "/products/"
    assert "Migrate products" in notification.title or "MIGRATE PRODUCTS" in notification.body
    mail = OutboxMessage.objects.get(to=owner.email)
    assert "MIGRATE PRODUCTS" in mail.body_text or "MIGRATE PRODUCTS" in mail.staff_html


def test_the_explanation_shows_whenever_the_button_is_absent(client, owner, business):
    register(business, cameras()[0])  # the business already has products
    client.force_login(owner)
    page = client.get("/products/").content.decode()
    assert "Migrate products" not in page
    assert 'id="no-migration"' in page
    assert "/support/new/?category=migration" in page


def test_after_migrating_the_page_says_there_is_nothing_left(client, legacy_business, owner):
    client.force_login(owner)
    client.post("/products/migrate/")
    page = client.get("/products/").content.decode()
    assert "Migrate products" not in page
    assert "nothing left to migrate" in page
