import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from propass.accounts.enums import TokenPurpose
from propass.accounts.models import BusinessMembership, SecureToken, User
from propass.accounts.services import api_token_issue, password_link_send
from propass.accounts.tests.factories import PASSWORD, MembershipFactory
from propass.accounts.tests.people import populated_business, staff_member
from propass.billing.models import Invoice, InvoiceLine
from propass.core.models import AuditLog, IdempotencyKey
from propass.notifications.models import Notification, OutboxMessage
from propass.notifications.services import outbox_retry_due
from propass.onboarding.models import Application
from propass.privacy.erasure import erased_email
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.support.models import TicketMessage


@pytest.fixture
def program_admin(db):
    return staff_member("pat.admin@propass.test", "program_admin")


@pytest.fixture
def populated(program, validation_agent):
    sellers_seed()
    tiers_seed()
    return populated_business("a", validator=validation_agent, agent=staff_member("sara@propass.test", "support"))


def _url(user) -> str:
    return f"/backoffice/people/{user.pk}/erase/"


def _invoices(business) -> list[dict]:
    invoices = Invoice.objects.filter(business=business).order_by("pk")
    lines = InvoiceLine.objects.filter(invoice__business=business).order_by("pk")
    return [model_to_dict(row) for row in [*invoices, *lines]]


def _log_in(client, email, password=PASSWORD) -> bool:
    client.post("/accounts/login/", {"username": email, "password": password})
    return "_auth_user_id" in client.session


def test_erasure_leaves_invoices_intact_and_the_person_unidentifiable(client, populated, program_admin):
    owner, values = populated.owner, populated.values
    person = [values["email"], values["first_name"], values["last_name"], values["phone"], "+390287654321"]
    their_browser = Client()
    assert _log_in(their_browser, owner.email)
    assert not _log_in(Client(), owner.email, "wrong password")  # a login record with their e-mail
    api_token_issue(user=owner)
    IdempotencyKey.objects.create(  # a stored API answer, which may carry personal data
        user=owner,
        key="k1",
        method="POST",
        path="/api/v1/subscriptions/",
        fingerprint="0" * 64,
        created_at=timezone.now(),
        claimed_at=timezone.now(),
        response_code=201,
        response_body='{"a": 1}',
    )
    TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)
    outbox_retry_due(at=timezone.now())  # the e-mails so far are sent ...
    password_link_send(user=owner, purpose=TokenPurpose.RESET_PASSWORD)  # ... and one waits
    waiting = OutboxMessage.objects.get(to=owner.email, status="queued")
    invoices_before = _invoices(populated.business)
    messages_before = TicketMessage.objects.filter(author=owner).count()
    assert Notification.objects.filter(user=owner).exists()

    client.force_login(program_admin)
    page = client.get(_url(owner)).content.decode()
    assert values["email"] in page and values["company_name"] in page
    assert "Ada Admin, the longest-standing administrator, becomes the business superuser." in page
    response = client.post(_url(owner), {"reason": "Request by e-mail of 3 March", "confirm": values["email"].upper()})
    assert response.status_code == 302
    assert "data has already been erased" in client.get(response["Location"]).content.decode()

    owner.refresh_from_db()
    assert (owner.email, owner.first_name, owner.last_name) == (erased_email(owner.pk), "", "")
    assert not owner.is_active and not owner.has_usable_password()
    assert owner.language == "it"
    for text in person:
        assert not User.objects.filter(email__icontains=text).exists()
        assert not User.objects.filter(first_name__icontains=text).exists()
        assert not User.objects.filter(last_name__icontains=text).exists()
        for field in ("first_name", "last_name", "email", "phone"):
            assert not Application.objects.filter(**{f"{field}__icontains": text}).exists(), (field, text)
        for field in ("to", "subject", "body_text", "body_html"):
            assert not OutboxMessage.objects.filter(**{f"{field}__icontains": text}).exists(), (field, text)
        assert not AccessAttempt.objects.filter(username__icontains=text).exists()
        assert not AccessLog.objects.filter(username__icontains=text).exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.to, waiting.body_text) == ("failed", erased_email(owner.pk), "")
    assert OutboxMessage.objects.filter(to=erased_email(owner.pk), status="sent").exists()
    application = Application.objects.get(pk=populated.application.pk)
    assert application.company_name == values["company_name"]  # the business's data is kept
    assert application.email == erased_email(owner.pk)
    assert not Notification.objects.filter(user=owner).exists()
    assert not BusinessMembership.objects.filter(user=owner).exists()
    assert not SecureToken.objects.filter(user=owner).exists()
    assert not AuthToken.objects.filter(user=owner).exists()
    assert not IdempotencyKey.objects.filter(user=owner).exists()
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(owner.pk)]
    assert their_browser.get("/account/").status_code == 302  # logged out
    assert not _log_in(Client(), values["email"])
    assert not _log_in(Client(), erased_email(owner.pk))

    assert _invoices(populated.business) == invoices_before
    assert TicketMessage.objects.filter(author=owner).count() == messages_before
    assert BusinessMembership.objects.get(user=populated.admin).role == "superuser"
    entry = AuditLog.objects.get(action="person.erase")
    assert entry.actor == program_admin
    assert entry.data["user_id"] == owner.pk and entry.data["reason"] == "Request by e-mail of 3 March"
    assert entry.data["new_superuser"] == populated.admin.pk
    assert values["email"] not in str(entry.data) and values["email"] not in entry.target_repr


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"reason": "Asked by phone", "confirm": "someone@else.example"}, "Type the person&#x27;s e-mail address"),
        ({"reason": "  ", "confirm": "member@alpha.test"}, "Say why this person is erased"),
    ],
)
def test_a_wrong_confirmation_or_no_reason_changes_nothing(client, program_admin, owner, member, form, message):
    client.force_login(program_admin)
    response = client.post(_url(member), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert (member.email, member.first_name, member.is_active) == ("member@alpha.test", "Anna", True)
    assert BusinessMembership.objects.filter(user=member).exists()
    assert not AuditLog.objects.filter(action="person.erase").exists()


def test_a_superuser_nobody_can_replace_is_not_erased(client, program_admin, owner, member):
    client.force_login(program_admin)
    assert "has no administrator to take over" in client.get(_url(owner)).content.decode()
    response = client.post(_url(owner), {"reason": "Request", "confirm": owner.email})
    assert "has no administrator to take over" in response.content.decode()
    owner.refresh_from_db()
    assert owner.email == "owner@alpha.test" and owner.is_active


def test_the_only_user_of_a_business_can_be_erased(client, program_admin, business, owner):
    client.force_login(program_admin)
    client.post(_url(owner), {"reason": "Request", "confirm": owner.email})
    owner.refresh_from_db()
    assert owner.email == erased_email(owner.pk)
    assert not business.memberships.exists()


def test_staff_accounts_are_not_erased_here(client, program_admin, staff):
    client.force_login(program_admin)
    response = client.post(_url(staff), {"reason": "Left", "confirm": staff.email})
    assert "Staff accounts are not erased here" in response.content.decode()
    staff.refresh_from_db()
    assert staff.is_active and staff.email == "agent@propass.test"


def test_only_program_admins_may_erase(client, business, owner, member):
    finance = staff_member("fin@propass.test", "finance")
    admin_of_business = MembershipFactory(business=business, role="admin").user
    assert client.get(_url(member)).status_code == 302
    assert "/accounts/login/" in client.get(_url(member))["Location"]
    for user in (finance, owner, admin_of_business):
        client.force_login(user)
        assert client.get(_url(member)).status_code == 403
        assert client.post(_url(member), {"reason": "x", "confirm": member.email}).status_code == 403
    member.refresh_from_db()
    assert member.is_active and member.email == "member@alpha.test"


def test_an_unknown_person_is_404(client, program_admin):
    client.force_login(program_admin)
    assert client.get("/backoffice/people/999999/erase/").status_code == 404
