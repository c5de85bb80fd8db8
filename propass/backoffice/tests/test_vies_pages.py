"""VIES evidence on the back-office pages: finance's invoice, the business, the data administration."""

from datetime import date
from decimal import Decimal

import pytest

from propass.accounts.models import Business
from propass.accounts.services import business_vies_check_request
from propass.accounts.tests.factories import BusinessFactory
from propass.billing.invoicing import invoice_issue, invoice_request_create
from propass.core.models import AuditLog, ViesCheckStatus
from propass.memberships.models import Subscription, Tier
from propass.testing.staff import staff_user
from propass.testing.vies import NAME


@pytest.fixture
def german(program):
    return BusinessFactory(name="Kamera GmbH", country="DE", vat_number="DE136695976")


@pytest.fixture
def finance(db):
    return staff_user("finance@propass.test", "finance")


def _issue(business, capture):
    subscription = Subscription.objects.create(
        business=business, tier=Tier.objects.get(code="silver"), membership_number="300000001", term_years=1,
        starts_on=date(2026, 11, 22), expires_on=date(2027, 11, 22), price=Decimal("100.00"), currency="EUR",
        payment_method="bank_transfer", terms_version="2026-01", terms_accepted_at="2026-11-22T10:00:00Z",
    )  # fmt: skip
    request = invoice_request_create(
        subscription=subscription, kind="membership", description="Silver", period_start=subscription.starts_on,
        period_end=subscription.expires_on, net=Decimal("100.00"), currency="EUR",
    )  # fmt: skip
    with capture(execute=True):
        return invoice_issue(request_id=request.pk)


def test_finance_sees_the_consultation_number_on_a_reverse_charge_invoice(
    client, finance, german, vies, django_capture_on_commit_callbacks
):
    invoice = _issue(german, django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    client.force_login(finance)

    page = client.get(f"/backoffice/finance/invoices/{invoice.pk}/").content.decode()

    assert invoice.vies_check.consultation_number in page
    assert "Valid in VIES" in page
    assert "DE136695976" in page


def test_finance_sees_that_vies_is_still_being_asked(client, finance, german, vies, django_capture_on_commit_callbacks):
    vies.answer("136695976", "unavailable")
    invoice = _issue(german, django_capture_on_commit_callbacks)
    client.force_login(finance)

    page = client.get(f"/backoffice/finance/invoices/{invoice.pk}/").content.decode()

    assert "Waiting for VIES" in page
    assert "MS_UNAVAILABLE" in page


def test_the_business_page_shows_its_vies_check(client, staff, german, vies, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        business_vies_check_request(business_id=german.pk, actor=staff)
    client.force_login(staff)

    page = client.get(f"/backoffice/businesses/{german.pk}/").content.decode()

    assert "Valid in VIES" in page
    assert NAME in page


def test_a_vat_number_changed_in_the_data_administration_is_asked_of_vies(
    client, german, vies, django_capture_on_commit_callbacks
):
    admin = staff_user("root@propass.test", "program_admin", is_superuser=True)
    client.force_login(admin)
    url = f"/backoffice/admin/accounts/business/{german.pk}/change/"
    form = {
        "name": german.name, "street": german.street, "postal_code": german.postal_code, "city": german.city,
        "country": "DE", "vat_number": "DE813495425", "language": "en", "currency": "EUR", "legacy_email": "",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    german.refresh_from_db()
    assert german.vat_number == "DE813495425"
    assert (german.vies_check.vat_number, german.vies_check.status) == ("DE813495425", ViesCheckStatus.VALID)
    assert AuditLog.objects.filter(action="business.vies_check", target_id=str(german.pk)).exists()


def test_a_business_without_an_eu_number_gets_no_check(staff, vies, django_capture_on_commit_callbacks):
    swiss = BusinessFactory(country="CH", vat_number="CHE105048256")

    with django_capture_on_commit_callbacks(execute=True):
        business_vies_check_request(business_id=swiss.pk, actor=staff)

    assert Business.objects.get(pk=swiss.pk).vies_check is None
    assert vies.requests == []
