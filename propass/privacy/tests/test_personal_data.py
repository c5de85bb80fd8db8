import io
import json
import re
import zipfile

import pytest
from django.db.models import Q

from propass.accounts.models import BusinessMembership
from propass.accounts.tests.people import populated_business, staff_member
from propass.billing.models import Invoice, Payment
from propass.core.errors import Forbidden
from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.notifications.models import Notification, OutboxMessage
from propass.onboarding.models import ApplicationDocument
from propass.points.models import LedgerEntry
from propass.privacy.personal_data import EXPORTS_PER_HOUR, business_data_export
from propass.products.models import LegacyAccount, LegacyRegistration, Registration
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.support.models import Ticket, TicketAttachment, TicketMessage


@pytest.fixture
def two(program, validation_agent):
    sellers_seed()
    tiers_seed()
    agent = staff_member("sara.support@propass.test", "support")
    return (
        populated_business("a", validator=validation_agent, agent=agent),
        populated_business("b", validator=validation_agent, agent=agent),
    )


def _open(content: bytes) -> tuple[zipfile.ZipFile, dict[str, dict]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, {name: json.loads(archive.read(name)) for name in archive.namelist() if name.endswith(".json")}


def _ids(rows: list[dict], key: str = "id") -> set:
    return {row[key] for row in rows}


def _pks(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


def test_the_export_holds_every_record_of_the_business_and_none_of_another(two):
    a, b = two
    assert not a.invoice.pdf  # rendered by the export
    export = business_data_export(business=a.business, actor=a.owner)
    content = export.file.read()
    archive, files = _open(content)
    business = a.business

    assert files["business.json"]["business"][0]["name"] == a.values["company_name"]
    assert _ids(files["users.json"]["users"]) == {a.owner.pk, a.admin.pk}
    assert _ids(files["applications.json"]["applications"]) == {a.application.pk}
    assert files["applications.json"]["applications"][0]["phone"] == "+390287654321"
    documents = files["applications.json"]["documents"]
    assert _ids(documents) == _pks(ApplicationDocument.objects.filter(application__business=business))
    stored = ApplicationDocument.objects.get(application=a.application)
    assert archive.read(documents[0]["file"]) == stored.file.open("rb").read()
    assert documents[0]["file"] == f"applications/{a.application.pk}/a-vat-certificate.pdf"
    products = files["products.json"]
    assert _ids(products["registrations"]) == _pks(Registration.objects.filter(business=business))
    assert _ids(products["legacy_accounts"]) == _pks(LegacyAccount.objects.filter(migrated_to=business))
    assert _ids(products["legacy_registrations"]) == _pks(
        LegacyRegistration.objects.filter(account__migrated_to=business)
    )
    ledger = files["points.json"]["ledger"]
    assert ledger and _ids(ledger) == _pks(LedgerEntry.objects.filter(business=business))
    assert _ids(files["memberships.json"]["subscriptions"]) == {a.subscription.pk}
    invoices = files["invoices.json"]["invoices"]
    assert {row["number"] for row in invoices} == set(
        Invoice.objects.filter(business=business).values_list("number", flat=True)
    )
    assert invoices[0]["total"] == str(a.invoice.total)  # decimals as strings
    assert invoices[0]["lines"][0]["net"] == str(a.invoice.net)
    assert archive.read(f"invoices/{a.invoice.number}.pdf").startswith(b"%PDF")
    assert Invoice.objects.get(pk=a.invoice.pk).pdf  # the missing PDF was rendered and kept
    payments = files["payments.json"]["payments"]
    assert payments and _ids(payments) == _pks(Payment.objects.filter(invoice__business=business))
    tickets = files["tickets.json"]
    assert _ids(tickets["tickets"]) == _pks(Ticket.objects.filter(business=business))
    assert _ids(tickets["messages"]) == _pks(TicketMessage.objects.filter(ticket__business=business, internal=False))
    assert len(tickets["messages"]) == 2
    attachment = TicketAttachment.objects.get(message__ticket=a.ticket)
    assert tickets["attachments"][0]["file"] == f"tickets/{a.ticket.pk}/a-photo.pdf"
    assert archive.read(tickets["attachments"][0]["file"]) == attachment.file.open("rb").read()
    notifications = files["notifications.json"]["notifications"]
    users = BusinessMembership.objects.filter(business=business).values("user_id")
    assert notifications and _ids(notifications) == _pks(Notification.objects.filter(user_id__in=users))
    emails = files["emails.json"]["emails"]
    to_a = OutboxMessage.objects.filter(Q(to=a.values["email"]) | Q(to=a.values["admin_email"]))
    assert emails and _ids(emails) == _pks(to_a)
    texts = " ".join(row["text"] for row in emails)
    assert "/accounts/set-password/[link removed]" in texts  # single-use links stay out
    assert not re.search(r"/(set-password|apply/status)/[\w-]{20,}", texts)
    activity = files["activity.json"]["activity"]
    assert {"application.approve", "support.open", "business.user_invite"} <= {row["action"] for row in activity}
    assert "support.note" not in {row["action"] for row in activity}
    readme = archive.read("README.txt").decode()
    assert "invoices.json" in readme and a.values["company_name"] in readme

    everything = b"".join(archive.read(name) for name in archive.namelist()) + "".join(archive.namelist()).encode()
    for text in a.unique_strings():
        assert text.encode() in everything, text
    for text in b.unique_strings():
        assert text.encode() not in everything, text
    assert b"INTERNAL" not in everything
    assert b"customer sounds upset" not in everything
    assert export.filename.startswith("propass-data-aurora-lenses-srl-")
    assert (
        AuditLog.objects.filter(action="personal_data.export", actor=a.owner, target_id=str(business.pk)).count() == 1
    )


def test_the_readme_is_in_the_requesters_language(two):
    a, _b = two
    a.owner.language = "it"
    a.owner.save()
    archive, _files = _open(business_data_export(business=a.business, actor=a.owner).file.read())
    readme = archive.read("README.txt").decode()
    assert a.values["company_name"] in readme
    assert "invoices.json" in readme


def test_an_administrator_may_export_and_a_member_may_not(business, owner, member):
    from propass.accounts.tests.factories import MembershipFactory

    admin = MembershipFactory(business=business, role="admin").user
    assert business_data_export(business=business, actor=admin).file.read()[:2] == b"PK"
    with pytest.raises(Forbidden):
        business_data_export(business=business, actor=member)


def test_someone_elses_business_cannot_be_exported(business, owner, outsider):
    with pytest.raises(Forbidden):
        business_data_export(business=business, actor=outsider)


def test_the_download_streams_a_zip_that_is_never_cached(client, business, owner):
    client.force_login(owner)
    response = client.post("/account/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="propass-data-alpha-studio-')
    assert "no-store" in response["Cache-Control"]
    archive, files = _open(b"".join(response.streaming_content))
    assert files["business.json"]["business"][0]["name"] == "Alpha Studio"
    assert "README.txt" in archive.namelist()


def test_each_user_downloads_only_their_own_business(client, business, owner, outsider):
    client.force_login(outsider)
    _archive, files = _open(b"".join(client.post("/account/export/").streaming_content))
    assert files["business.json"]["business"][0]["name"] == "Beta Films"
    assert _ids(files["users.json"]["users"]) == {outsider.pk}


def test_members_anonymous_visitors_and_get_requests_get_no_download(client, business, owner, member):
    assert client.post("/account/export/").status_code == 302  # to the login page
    client.force_login(member)
    assert client.post("/account/export/").status_code == 403
    client.force_login(owner)
    assert client.get("/account/export/").status_code == 405
    assert not AuditLog.objects.filter(action="personal_data.export").exists()


def test_the_account_page_offers_the_download_to_users_with_billing_rights(client, business, owner, member):
    client.force_login(owner)
    assert "Download my data" in client.get("/account/").content.decode()
    client.force_login(member)
    assert "Download my data" not in client.get("/account/").content.decode()


def test_exports_are_limited_per_business_and_hour(client, business, owner):
    client.force_login(owner)
    for _attempt in range(EXPORTS_PER_HOUR):
        assert client.post("/account/export/").status_code == 200
    response = client.post("/account/export/", follow=True)
    assert "several times in the last hour" in response.content.decode()
    assert AuditLog.objects.filter(action="personal_data.export").count() == EXPORTS_PER_HOUR


def test_a_stored_file_that_went_missing_does_not_stop_the_export(two):
    a, _b = two
    document = ApplicationDocument.objects.get(application=a.application)
    document.file.storage.delete(document.file.name)
    archive, files = _open(business_data_export(business=a.business, actor=a.owner).file.read())
    path = files["applications.json"]["documents"][0]["file"]
    assert f"{path}.missing.txt" in archive.namelist()
    assert files["invoices.json"]["invoices"]
    assert Subscription.objects.filter(business=a.business).exists()
