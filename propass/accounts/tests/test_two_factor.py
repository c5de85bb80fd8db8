"""Staff confirm their login with a code from an authenticator app (TOTP); members never do.

These tests log in through the pages (the `client` fixture's force_login would skip the code)."""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from propass.accounts.tests.factories import PASSWORD, UserFactory
from propass.core.models import AuditLog
from propass.testing.staff import backoffice_routes, backoffice_url

LOGIN = "/accounts/login/"
CODE_PAGE = "/accounts/two-factor/"
SETUP_PAGE = "/accounts/two-factor/setup/"


@pytest.fixture(autouse=True)
def _no_pause_after_a_wrong_code(settings):
    # django-otp makes a device wait 1, 2, 4 … seconds after each wrong code; these tests
    # follow a wrong code with the right one at once (the rate limit is tested on its own).
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.fixture
def agent(db):
    agent = UserFactory(email="agent@propass.test", is_staff=True)
    agent.groups.add(Group.objects.get(name="finance"))
    return agent


@pytest.fixture
def device(agent):
    return TOTPDevice.objects.create(user=agent, name="phone", confirmed=True)


def code(device):
    """The code the staff member's app shows now."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def other_code(device):
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def path(response):
    return urlsplit(response["Location"]).path


def log_in(client, email, next_url=""):
    data = {"username": email, "password": PASSWORD, "next": next_url}
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""), data)


def test_a_staff_login_asks_for_the_code_and_then_opens_the_page_asked_for(client, agent, device):
    response = log_in(client, agent.email, "/backoffice/finance/invoices/")
    assert response.status_code == 302
    assert response["Location"] == f"{CODE_PAGE}?next=%2Fbackoffice%2Ffinance%2Finvoices%2F"
    assert client.get("/backoffice/finance/invoices/")["Location"].startswith(CODE_PAGE)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    session_before = client.session.session_key
    done = client.post(CODE_PAGE, {"code": code(device), "next": "/backoffice/finance/invoices/"})
    assert done["Location"] == "/backoffice/finance/invoices/"
    assert client.session.session_key != session_before
    assert client.get("/backoffice/finance/invoices/").status_code == 200


def test_without_a_next_page_staff_land_in_the_back_office(client, agent, device):
    assert log_in(client, agent.email)["Location"] == CODE_PAGE
    assert client.post(CODE_PAGE, {"code": code(device)})["Location"] == "/backoffice/"


def test_a_next_page_elsewhere_is_not_followed(client, agent, device):
    log_in(client, agent.email)
    response = client.post(CODE_PAGE, {"code": code(device), "next": "https://evil.example/backoffice/"})
    assert response["Location"] == "/backoffice/"


def test_a_wrong_code_is_refused_and_audited(client, agent, device):
    log_in(client, agent.email)
    response = client.post(CODE_PAGE, {"code": other_code(device)})
    assert response.status_code == 200
    assert "This code is not correct." in response.content.decode()
    assert client.get("/backoffice/")["Location"].startswith(CODE_PAGE)
    assert AuditLog.objects.filter(action="staff.2fa_failed", actor=agent, data__step="login").count() == 1
    assert client.post(CODE_PAGE, {"code": "12ab56"}).context["form"].errors["code"] == [
        "Enter the six digits your app shows."
    ]
    assert client.post(CODE_PAGE, {"code": code(device)}).status_code == 302


def test_a_code_works_only_once(client, agent, device):
    log_in(client, agent.email)
    used = code(device)
    assert client.post(CODE_PAGE, {"code": used}).status_code == 302
    client.post("/accounts/logout/")
    log_in(client, agent.email)
    again = client.post(CODE_PAGE, {"code": used})
    assert again.status_code == 200
    assert "This code is not correct." in again.content.decode()


def test_codes_are_rate_limited(client, agent, device):
    log_in(client, agent.email)
    for _ in range(10):
        client.post(CODE_PAGE, {"code": other_code(device)})
    response = client.post(CODE_PAGE, {"code": code(device)})
    assert response.status_code == 200
    assert "Too many codes were tried." in response.content.decode()
    assert client.get("/backoffice/")["Location"].startswith(CODE_PAGE)
    assert AuditLog.objects.filter(action="staff.2fa_failed", data__reason="rate_limited").count() == 1


def test_staff_without_an_authenticator_set_one_up_at_their_first_login(client, agent):
    log_in(client, agent.email, "/backoffice/finance/payments/")
    response = client.get(f"{CODE_PAGE}?next=/backoffice/finance/payments/")
    assert response["Location"] == f"{SETUP_PAGE}?next=%2Fbackoffice%2Ffinance%2Fpayments%2F"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")
    pending = TOTPDevice.objects.get(user=agent)
    assert not pending.confirmed
    assert client.get(SETUP_PAGE).context["secret"] == page.context["secret"]  # the same until confirmed

    wrong = client.post(SETUP_PAGE, {"code": other_code(pending)})
    assert "This code is not correct." in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=agent).confirmed
    assert AuditLog.objects.filter(action="staff.2fa_failed", data__step="setup").count() == 1

    done = client.post(SETUP_PAGE, {"code": code(pending), "next": "/backoffice/finance/payments/"})
    assert done["Location"] == "/backoffice/finance/payments/"
    assert TOTPDevice.objects.get(user=agent).confirmed
    assert AuditLog.objects.filter(action="staff.2fa_setup", actor=agent).count() == 1
    assert client.get("/backoffice/finance/payments/").status_code == 200
    assert client.get(SETUP_PAGE)["Location"] == "/backoffice/"


def test_a_confirmed_authenticator_cannot_be_replaced_from_the_setup_page(client, agent, device):
    log_in(client, agent.email)
    assert client.get(SETUP_PAGE)["Location"] == CODE_PAGE + "?next=%2Fbackoffice%2F"
    assert client.post(SETUP_PAGE, {"code": code(device)})["Location"].startswith(CODE_PAGE)
    assert TOTPDevice.objects.filter(user=agent).count() == 1
    assert not AuditLog.objects.filter(action="staff.2fa_setup").exists()


def test_a_member_never_sees_the_code_step(client, member):
    response = log_in(client, member.email)
    assert path(response) == "/"
    assert client.get("/").status_code == 200
    assert path(client.get(CODE_PAGE)) == "/backoffice/"  # nothing to do there: sent on
    assert not TOTPDevice.objects.exists()
    assert client.get("/backoffice/").status_code == 403


def test_unverified_staff_are_sent_to_the_code_page_from_every_back_office_page(client, agent, device):
    log_in(client, agent.email)
    for name, parameters in backoffice_routes().items():
        url = backoffice_url(name, parameters)
        response = client.get(url)
        if response.status_code == 405:  # an action: POST only
            response = client.post(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(CODE_PAGE + "?next="), name


def test_the_data_administration_needs_the_code_too(client, db):
    admin = UserFactory(email="root@propass.test", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    log_in(client, admin.email)
    response = client.get("/backoffice/admin/core/program/")
    assert path(response) == "/backoffice/admin/login/"
    assert path(client.get(response["Location"])) == CODE_PAGE
    client.post(CODE_PAGE, {"code": code(device)})
    assert client.get("/backoffice/admin/core/program/").status_code == 200


def test_the_data_administration_has_no_login_form_of_its_own(client, member):
    response = client.get("/backoffice/admin/login/?next=/backoffice/admin/")
    assert path(response) == LOGIN
    client.force_login(member)
    assert client.get("/backoffice/admin/").status_code == 302
    assert client.get("/backoffice/admin/login/?next=/backoffice/admin/").status_code == 403


def test_the_staff_api_refuses_a_session_without_the_code(client, program, agent, device):
    agent.groups.add(Group.objects.get(name="validation"))
    log_in(client, agent.email)
    # Not logged in for the API until the code is typed: the same answer as no session at all.
    refused = client.get("/api/v1/staff/applications/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (401, "not_authenticated")
    assert client.get("/api/v1/me/").status_code == 401
    client.post(CODE_PAGE, {"code": code(device)})
    assert client.get("/api/v1/staff/applications/").status_code == 200


def test_the_demo_staff_log_in_with_the_code_the_command_prints(client, settings, db):
    from propass.demo.demo import DEMO_PASSWORD, demo_seed

    demo_seed()
    settings.DEBUG = True
    out = StringIO()
    call_command("two-factor-code", "staff@propass.test", stdout=out)
    client.post(LOGIN, {"username": "staff@propass.test", "password": DEMO_PASSWORD})
    assert client.post(CODE_PAGE, {"code": out.getvalue().strip()})["Location"] == "/backoffice/"
    assert client.get("/backoffice/applications/").status_code == 200


def test_the_code_command_works_only_in_debug_mode(settings, db):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("two-factor-code", "staff@propass.test", stdout=StringIO())
