"""The member 360 page and the business search of the back office."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from propass.accounts.models import Business
from propass.billing.finance import invoice_mark_paid_manually
from propass.billing.invoicing import invoice_issue
from propass.billing.models import Invoice, Payment
from propass.core.models import AuditLog
from propass.memberships.services import CheckoutInput, subscription_checkout
from propass.notifications.models import Notification
from propass.onboarding.models import Application
from propass.onboarding.tests.helpers import submit
from propass.points.models import LedgerEntry
from propass.products.models import Registration
from propass.products.tests.helpers import camera, register
from propass.support.models import Ticket
from propass.support.services import ticket_open
from propass.testing.staff import staff_user


def _buy(business, owner):
    subscription = subscription_checkout(
        business=business, actor=owner,
        data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="bank_transfer"),
    )  # fmt: skip
    return subscription, invoice_issue(request_id=subscription.invoice_requests.get().pk)


@pytest.fixture
def alpha(shop, business, owner, member, finance_agent):
    """Alpha Studio with a bit of everything: an application with its document, a product,
    a paid membership, a ticket, notifications and e-mails."""
    Business.objects.filter(pk=business.pk).update(vat_number="IT00743110157", points_balance=600)
    business.refresh_from_db()
    application = submit(email="owner@alpha.test", company_name="Alpha Studio S.r.l.")
    Application.objects.filter(pk=application.pk).update(business=business)
    product = camera("EOS-A1", serial_pattern="[A-Z0-9]{8}")
    register(business, product, serial="ab12cd34")
    subscription, invoice = _buy(business, owner)
    invoice_mark_paid_manually(
        invoice_id=invoice.pk, actor=finance_agent, paid_on=timezone.localdate(), note="Seen on the bank"
    )
    ticket_open(business=business, author=owner, category="other", subject="Alpha lens question", body="Hello")
    business.refresh_from_db()
    return {"business": business, "subscription": subscription, "invoice": invoice, "application": application}


@pytest.fixture
def beta(shop, other_business, outsider):
    Business.objects.filter(pk=other_business.pk).update(vat_number="DE136695976", points_balance=600)
    other_business.refresh_from_db()
    register(other_business, camera("EOS-B2", serial_pattern="[A-Z0-9]{8}"), serial="ZZ99YY88")
    subscription, invoice = _buy(other_business, outsider)
    ticket_open(
        business=other_business, author=outsider, category="other", subject="Beta tripod question", body="Hallo"
    )
    other_business.refresh_from_db()
    return {"business": other_business, "subscription": subscription, "invoice": invoice}


# --- Search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["00743110157", "IT00743110157", "it 007.431.101.57", "owner@alpha.test", "AB12CD34", " ab12cd34 "],
)
def test_a_key_that_names_one_business_opens_its_page(client, staff, alpha, beta, query):
    client.force_login(staff)
    response = client.get("/backoffice/businesses/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/businesses/{alpha['business'].pk}/"


def test_the_membership_number_finds_the_business_also_after_the_membership_ended(client, staff, alpha, beta):
    number = alpha["subscription"].membership_number
    alpha["subscription"].__class__.objects.filter(pk=alpha["subscription"].pk).update(status="expired")
    client.force_login(staff)
    response = client.get("/backoffice/businesses/", {"q": f" {number} "})
    assert response["Location"] == f"/backoffice/businesses/{alpha['business'].pk}/"


def test_a_name_lists_the_matching_businesses_and_says_why(client, staff, alpha, beta):
    client.force_login(staff)
    response = client.get("/backoffice/businesses/", {"q": "alpha"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Studio" in page
    assert "Beta Films" not in page
    assert "company name" in page
    assert "user member@alpha.test" in page


def test_part_of_an_e_mail_lists_every_business_with_such_a_user(client, staff, alpha, beta):
    client.force_login(staff)
    page = client.get("/backoffice/businesses/", {"q": "beta.test"}).content.decode()
    assert "Beta Films" in page
    assert "user outsider@beta.test" in page
    assert "Alpha Studio" not in page
    page = client.get("/backoffice/businesses/", {"q": ".test"}).content.decode()
    assert "Alpha Studio" in page
    assert "Beta Films" in page


def test_a_vat_number_of_another_country_or_a_short_number_finds_nothing(client, staff, alpha, beta):
    client.force_login(staff)
    for query in ("DE00743110157", "3110157"):
        page = client.get("/backoffice/businesses/", {"q": query}).content.decode()
        assert "No business matches." in page


@pytest.mark.parametrize(
    ("stored", "queries"),
    [
        # A Swiss number, with or without its language ending, with or without CHE.
        (
            "CHE105048256",
            ["CHE-105.048.256", "CHE-105.048.256 MWST", "che105048256tva", "105.048.256", "105048256 IVA"],
        ),
        # A Northern Ireland number, by XI, by GB (one registration) or by its digits.
        ("XI432525179", ["XI 432 5251 79", "xi432525179", "GB 432 5251 79", "432525179"]),
        # One stored as GB before XI was kept: found by its XI number too.
        ("GB432525179", ["XI 432525179"]),
        # Liechtenstein's own five-digit number.
        ("LI51234", ["LI 51234", "51 234"]),
        # Norway's, typed without its MVA ending.
        ("NO995525828MVA", ["995 525 828", "NO 995525828"]),
    ],
)
def test_swiss_northern_ireland_liechtenstein_and_norwegian_numbers_are_found_however_typed(
    client, staff, alpha, beta, stored, queries
):
    Business.objects.filter(pk=alpha["business"].pk).update(vat_number=stored)
    client.force_login(staff)
    for query in queries:
        response = client.get("/backoffice/businesses/", {"q": query})
        assert response.status_code == 302, query
        assert response["Location"] == f"/backoffice/businesses/{alpha['business'].pk}/", query


def test_the_search_list_is_paginated_in_a_fixed_number_of_queries(client, staff, shop, django_assert_num_queries):
    Business.objects.bulk_create(Business(name=f"Studio {n:03d}", country="IT") for n in range(60))
    client.force_login(staff)
    client.get("/backoffice/businesses/", {"q": "studio"})
    with CaptureQueriesContext(connection) as first:
        page = client.get("/backoffice/businesses/", {"q": "studio"}).content.decode()
    assert "Studio 049" in page
    assert "Studio 050" not in page
    assert "Page 1 of 2" in page
    with django_assert_num_queries(len(first)):
        assert "Studio 059" in client.get("/backoffice/businesses/", {"q": "studio", "page": 2}).content.decode()


def test_past_the_cap_the_search_says_more_than_and_lists_the_first_names_in_order(client, staff, shop, monkeypatch):
    monkeypatch.setattr("propass.backoffice.selectors.SEARCH_CAP", 3)
    monkeypatch.setattr("propass.backoffice.businesses.SEARCH_CAP", 3)
    monkeypatch.setattr("propass.backoffice.businesses.PAGE_SIZE", 2)
    Business.objects.bulk_create(Business(name=f"Lumen {letter}", country="IT") for letter in "EDCBA")
    client.force_login(staff)
    page = client.get("/backoffice/businesses/", {"q": "lumen"}).content.decode()
    assert page.index("Lumen A") < page.index("Lumen B")
    assert "Lumen C" not in page
    assert "Page 1 of more than 2" in page
    second = client.get("/backoffice/businesses/", {"q": "lumen", "page": 2}).content.decode()
    assert "Lumen C" in second and "Lumen D" not in second  # the first SEARCH_CAP results, in name order


# --- The 360 page ----------------------------------------------------------------------------


SECTIONS = [
    "details", "documents", "users", "applications", "products", "points", "membership", "invoices", "tickets",
    "notifications", "audit",
]  # fmt: skip


def test_the_360_page_shows_the_business_and_nothing_of_another(client, staff, alpha, beta):
    client.force_login(staff)
    page = client.get(f"/backoffice/businesses/{alpha['business'].pk}/").content.decode()
    for section in SECTIONS:
        assert f'<section class="card" id="{section}"' in page
    invoice = alpha["invoice"]
    for text in (
        "IT00743110157",  # details
        "Alpha Studio S.r.l.",  # application
        "owner@alpha.test", "member@alpha.test",  # users
        "AB12CD34", "EOS A1",  # products
        alpha["subscription"].membership_number, "Silver",  # membership
        invoice.number, "Seen on the bank",  # invoice and payment
        "Alpha lens question",  # ticket
        "subscription.checkout", "invoice.mark_paid_manually",  # audit
    ):  # fmt: skip
        assert text in page, text
    notification = Notification.objects.filter(user__email="owner@alpha.test").first()
    assert escape(notification.title_text) in page
    for text in (
        "outsider@beta.test", "ZZ99YY88", beta["subscription"].membership_number, beta["invoice"].number,
        "Beta tripod question", "DE136695976",
    ):  # fmt: skip
        assert text not in page, text


def test_the_360_page_lists_the_documents_of_the_application(client, staff, alpha):
    client.force_login(staff)
    page = client.get(f"/backoffice/businesses/{alpha['business'].pk}/").content.decode()
    document = alpha["application"].documents.get()
    assert f"/backoffice/documents/{document.pk}/" in page
    assert document.original_name in page


def test_the_360_page_takes_the_same_queries_for_3_products_as_for_60(client, staff, alpha, django_assert_num_queries):
    business = alpha["business"]
    product = camera("EOS-C3", serial_pattern="[A-Z0-9]{8}")
    Registration.objects.bulk_create(
        Registration(business=business, product=product, serial_number=f"S{n:07d}", status="incomplete")
        for n in range(2)
    )
    url = f"/backoffice/businesses/{business.pk}/"
    client.force_login(staff)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    assert Registration.objects.filter(business=business).count() == 3
    Registration.objects.bulk_create(
        Registration(business=business, product=product, serial_number=f"T{n:07d}", status="incomplete")
        for n in range(57)
    )
    invoice = Invoice.objects.get(pk=alpha["invoice"].pk)
    for n in range(5):
        invoice.pk, invoice.number, invoice.reference, invoice.request = None, f"COPY-{n}", f"RF-COPY-{n}", None
        invoice.save()
        Payment.objects.create(
            invoice=invoice, method="manual", amount=invoice.total, currency=invoice.currency, status="succeeded",
            idempotency_key=f"copy-{n}",
        )  # fmt: skip
    LedgerEntry.objects.bulk_create(LedgerEntry(business=business, amount=1, reason="adjustment") for _ in range(20))
    for n in range(5):
        Ticket.objects.create(business=business, category="other", subject=f"More {n}")
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "All 60 products" in page
    assert "COPY-4" in page


def test_every_staff_role_reads_the_page_and_members_do_not(client, staff, member, business):
    auditor = staff_user("auditor@propass.test", "auditor")
    for user in (
        staff,
        auditor,
        staff_user("validator@propass.test", "validation"),
        staff_user("f@propass.test", "finance"),
    ):
        client.force_login(user)
        assert client.get(f"/backoffice/businesses/{business.pk}/").status_code == 200
        assert client.get("/backoffice/businesses/").status_code == 200
    client.force_login(member)
    assert client.get(f"/backoffice/businesses/{business.pk}/").status_code == 403
    assert client.get("/backoffice/businesses/").status_code == 403


def test_the_full_product_list_is_paginated(client, staff, business):
    product = camera("EOS-C3", serial_pattern="[A-Z0-9]{8}")
    Registration.objects.bulk_create(
        Registration(business=business, product=product, serial_number=f"S{n:07d}", status="incomplete")
        for n in range(55)
    )
    client.force_login(staff)
    page = client.get(f"/backoffice/businesses/{business.pk}/products/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in page
    assert page.count("EOS C3") == 5


# --- Points adjustment -----------------------------------------------------------------------


def test_an_adjustment_without_a_note_is_refused_and_changes_nothing(client, support_agent, business):
    client.force_login(support_agent)
    response = client.post(f"/backoffice/businesses/{business.pk}/", {"amount": "25", "note": "  "})
    assert response.status_code == 200
    assert "Say why the points change." in response.content.decode()
    business.refresh_from_db()
    assert business.points_balance == 0
    assert not LedgerEntry.objects.filter(business=business).exists()
    assert not AuditLog.objects.filter(action="points.adjust").exists()


def test_an_adjustment_is_recorded_with_the_balance_before_and_after(client, support_agent, business):
    Business.objects.filter(pk=business.pk).update(points_balance=100)
    client.force_login(support_agent)
    response = client.post(f"/backoffice/businesses/{business.pk}/", {"amount": "-30", "note": "Duplicate credit"})
    assert response.status_code == 302
    assert response["Location"] == f"/backoffice/businesses/{business.pk}/#points"
    business.refresh_from_db()
    assert business.points_balance == 70
    entry = AuditLog.objects.get(action="points.adjust")
    assert (entry.actor, entry.target_id) == (support_agent, str(business.pk))
    assert entry.data == {"before": 100, "after": 70, "amount": -30, "note": "Duplicate credit"}
    page = client.get(f"/backoffice/businesses/{business.pk}/").content.decode()
    assert "Duplicate credit" in page
    assert "The points were adjusted." in page


def test_staff_outside_support_see_no_form_and_cannot_adjust(client, staff, business):
    for user in (
        staff,
        staff_user("auditor@propass.test", "auditor"),
        staff_user("admin@propass.test", "program_admin"),
    ):
        client.force_login(user)
        page = client.get(f"/backoffice/businesses/{business.pk}/").content.decode()
        assert "Adjust points" not in page
        response = client.post(f"/backoffice/businesses/{business.pk}/", {"amount": "5", "note": "x"})
        assert response.status_code == 403
    business.refresh_from_db()
    assert business.points_balance == 0


def test_program_admins_find_the_erasure_page_of_each_user(client, staff, owner, business):
    erase = f"/backoffice/people/{owner.pk}/erase/"
    client.force_login(staff_user("admin@propass.test", "program_admin"))
    assert erase in client.get(f"/backoffice/businesses/{business.pk}/").content.decode()
    client.force_login(staff)
    assert erase not in client.get(f"/backoffice/businesses/{business.pk}/").content.decode()


def test_another_business_with_the_same_vat_number_is_named_as_such(client, staff, alpha, beta):
    # Beta applied with Alpha's VAT number: its application and document show on Alpha's page
    # (the same company, maybe), labelled as another business's, and its audit entries do not.
    Business.objects.filter(pk=beta["business"].pk).update(vat_number="IT00743110157")
    foreign = submit(email="outsider@beta.test", company_name="Beta Films GmbH")
    Application.objects.filter(pk=foreign.pk).update(business=beta["business"])
    AuditLog.objects.create(action="application.approve", target_type="onboarding.application",
                            target_id=str(foreign.pk), target_repr="Beta approved")  # fmt: skip
    client.force_login(staff)
    page = client.get(f"/backoffice/businesses/{alpha['business'].pk}/").content.decode()
    applications = page.split('id="applications"')[1].split("</section>")[0]
    assert "Beta Films GmbH" in applications
    assert "Another business with this VAT number: Beta Films" in applications
    documents = page.split('id="documents"')[1].split("</section>")[0]
    assert "Another business with this VAT number: Beta Films" in documents
    own_row = next(row for row in applications.split("<tr>") if "Alpha Studio S.r.l." in row)
    assert "Another business" not in own_row
    assert "Beta approved" not in page.split('id="audit"')[1]
