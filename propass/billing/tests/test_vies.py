"""A reverse-charge invoice keeps a VIES check of the buyer's number; issuing never waits on VIES."""

from datetime import date
from decimal import Decimal

import pytest

from propass.accounts.tests.factories import BusinessFactory
from propass.billing.invoicing import invoice_issue, invoice_request_create, invoice_requests_create, invoices_issue
from propass.billing.models import Invoice
from propass.core.models import ViesCheck, ViesCheckStatus
from propass.memberships.models import Subscription, Tier
from propass.testing.vies import NAME


def _request(business):
    tier = Tier.objects.get(code="silver")
    subscription = Subscription.objects.create(
        business=business, tier=tier, membership_number=f"{200000000 + Subscription.objects.count():09d}",
        term_years=1, starts_on=date(2026, 11, 22), expires_on=date(2027, 11, 22), price=Decimal("100.00"),
        currency=business.currency, payment_method="bank_transfer", terms_version="2026-01",
        terms_accepted_at="2026-11-22T10:00:00Z",
    )  # fmt: skip
    return {
        "subscription": subscription, "kind": "membership", "description": "Canon Professional Services : Silver",
        "period_start": subscription.starts_on, "period_end": subscription.expires_on, "net": Decimal("100.00"),
        "currency": subscription.currency,
    }  # fmt: skip


def issued(capture, business) -> Invoice:
    with capture(execute=True):
        request = invoice_request_create(**_request(business))
    with capture(execute=True):
        invoice = invoice_issue(request_id=request.pk)
    return Invoice.objects.select_related("vies_check").get(pk=invoice.pk)


@pytest.fixture
def german(program):
    return BusinessFactory(name="Kamera GmbH", country="DE", vat_number="DE136695976")


def test_a_reverse_charge_invoice_holds_the_vies_consultation(german, vies, django_capture_on_commit_callbacks):
    invoice = issued(django_capture_on_commit_callbacks, german)

    assert invoice.vat_treatment == "reverse_charge"
    check = invoice.vies_check
    assert (check.status, check.vat_number) == (ViesCheckStatus.VALID, "DE136695976")
    assert check.consultation_number.startswith("WAPIAAAAY")
    assert check.name == NAME
    # The seller that issued the invoice asked.
    assert vies.requests == [
        {
            "countryCode": "DE",
            "vatNumber": "136695976",
            "requesterMemberStateCode": "NL",
            "requesterNumber": invoice.seller.vat_number[2:],
        }
    ]


@pytest.mark.parametrize(
    ("country", "vat_number", "currency"),
    [("NL", "NL004495445B01", "EUR"), ("GB", "GB980780684", "GBP"), ("CH", "CHE105048256", "EUR"), ("DE", "", "EUR")],
)
def test_other_invoices_ask_nothing(program, vies, django_capture_on_commit_callbacks, country, vat_number, currency):
    business = BusinessFactory(country=country, vat_number=vat_number, currency=currency)

    invoice = issued(django_capture_on_commit_callbacks, business)

    assert invoice.vat_treatment != "reverse_charge"
    assert invoice.vies_check is None
    assert vies.requests == []


def test_a_reverse_charge_invoice_is_issued_when_vies_is_down(german, vies, django_capture_on_commit_callbacks):
    vies.answer("136695976", "unavailable")

    invoice = issued(django_capture_on_commit_callbacks, german)

    assert invoice.status == "issued"
    assert invoice.number
    assert invoice.vies_check.status == ViesCheckStatus.PENDING
    assert invoice.vies_check.last_error == "MS_UNAVAILABLE"


def test_a_reverse_charge_invoice_is_issued_when_vies_cannot_be_reached(
    german, vies, settings, django_capture_on_commit_callbacks
):
    vies.stop()  # nobody listens on its port any more

    invoice = issued(django_capture_on_commit_callbacks, german)

    assert invoice.status == "issued"
    assert invoice.vies_check.status == ViesCheckStatus.PENDING
    assert invoice.vies_check.last_error.startswith("NETWORK")


def test_a_slow_vies_does_not_hold_up_the_invoice(german, vies, django_capture_on_commit_callbacks):
    vies.answer("136695976", "slow")

    invoice = issued(django_capture_on_commit_callbacks, german)

    assert invoice.status == "issued"
    assert invoice.vies_check.status == ViesCheckStatus.PENDING
    assert invoice.vies_check.last_error == "TIMEOUT"


def test_a_renewal_batch_asks_once_per_reverse_charge_invoice(program, vies, django_capture_on_commit_callbacks):
    buyers = [
        BusinessFactory(country="DE", vat_number="DE136695976"),
        BusinessFactory(country="NL", vat_number="NL004495445B01"),
        BusinessFactory(country="IE", vat_number="IE6388047V"),
    ]
    requests = invoice_requests_create([_request(business) for business in buyers])

    with django_capture_on_commit_callbacks(execute=True):
        invoices = invoices_issue(request_ids=[request.pk for request in requests])

    by_buyer = {invoice.business_id: invoice for invoice in Invoice.objects.filter(pk__in=[i.pk for i in invoices])}
    assert by_buyer[buyers[1].pk].vies_check_id is None
    german, irish = by_buyer[buyers[0].pk].vies_check, by_buyer[buyers[2].pk].vies_check
    assert (german.vat_number, german.status) == ("DE136695976", ViesCheckStatus.VALID)
    assert (irish.vat_number, irish.status) == ("IE6388047V", ViesCheckStatus.VALID)
    assert ViesCheck.objects.count() == 2


def test_without_vies_the_invoice_has_no_check(german, django_capture_on_commit_callbacks):
    invoice = issued(django_capture_on_commit_callbacks, german)

    assert invoice.vat_treatment == "reverse_charge"
    assert invoice.vies_check is None
