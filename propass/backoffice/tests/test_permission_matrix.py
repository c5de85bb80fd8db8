"""Every back-office URL against every staff role, a member and an anonymous visitor.

A page is read with GET; an action (a URL that answers GET with 405) is tried with an empty
POST inside a transaction that is rolled back. "Allowed" is any answer but a refusal; a 404
for a role that gets in counts as allowed. A refusal is a 403 or a redirect to the login, the
two-factor page or the data administration's login. A new back-office URL fails
`test_every_back_office_url_is_in_the_table` until EXPECTED says who may use it."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from propass.accounts.models import Business
from propass.accounts.tests.factories import UserFactory
from propass.billing.bank import bank_statement_import
from propass.billing.models import BankLine
from propass.core.models import AuditLog
from propass.faq.models import FaqCategory, FaqEntry
from propass.notifications.models import OutboxMessage
from propass.onboarding.models import Application
from propass.onboarding.tests.helpers import submit
from propass.products.models import LegacyImport, ProductTransfer
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.service.models import Loan, LoanUnit, ServiceCentre, ServiceRequest
from propass.service.seed import service_seed
from propass.support.models import Ticket
from propass.support.services import ticket_open
from propass.testing.camt import camt053
from propass.testing.files import MINIMAL_PDF
from propass.testing.shop import buy
from propass.testing.staff import backoffice_routes, backoffice_url, staff_session_verify

EXPECTED_GROUPS = ["validation", "support", "finance", "program_admin", "service", "auditor"]
ROLES = [*EXPECTED_GROUPS, "staff", "member", "anonymous"]
EVERY_STAFF = {"validation", "support", "finance", "program_admin", "service", "auditor", "staff"}
WRITERS = EVERY_STAFF - {"auditor"}  # "staff": staff in no group at all

# Who may use each URL besides Django superusers (who may use all). GET for pages; for
# actions (POST only) the auditor is never listed.
EXPECTED: dict[str, set[str]] = {
    "backoffice:dashboard": EVERY_STAFF,
    "backoffice:applications": {"validation", "auditor"},
    "backoffice:application": {"validation", "auditor"},
    "backoffice:application_resend_link": {"validation"},
    "backoffice:application_act": {"validation"},
    "backoffice:application_vies_check": {"validation"},
    "backoffice:document": {"validation", "auditor"},
    "backoffice:conflicts": {"support", "auditor"},
    "backoffice:conflict_resolve": {"support"},
    "backoffice:conflict_suggest_transfer": {"support"},
    "backoffice:transfers": {"support", "auditor"},
    "backoffice:transfer": {"support", "auditor"},
    "backoffice:transfer_reverse": {"support"},
    "backoffice:transfer_proof": {"support", "auditor"},
    "backoffice:businesses": EVERY_STAFF,
    "backoffice:business": EVERY_STAFF,
    "backoffice:business_products": EVERY_STAFF,
    "backoffice:business_points": {"support", "auditor"},
    "backoffice:audit": EVERY_STAFF,
    "backoffice:reports": {"program_admin", "finance", "auditor"},
    "backoffice:report_csv": {"program_admin", "finance", "auditor"},
    "backoffice:legacy": {"support", "auditor"},
    "backoffice:legacy_link": {"support"},
    "backoffice:legacy_upload": {"support"},
    "backoffice:legacy_import": {"support", "auditor"},
    "backoffice:invoices": {"finance", "auditor"},
    "backoffice:invoice": {"finance", "auditor"},
    "backoffice:invoice_pdf": {"finance", "auditor"},
    "backoffice:invoice_xml": {"finance", "auditor"},
    "backoffice:payments": {"finance", "auditor"},
    "backoffice:bank": {"finance", "auditor"},
    "backoffice:bank_statement": {"finance", "auditor"},
    "backoffice:bank_line_confirm": {"finance"},
    "backoffice:bank_line_ignore": {"finance"},
    "backoffice:support": {"support", "auditor"},
    "backoffice:support_ticket": {"support", "auditor"},
    "backoffice:support_assign": {"support"},
    "backoffice:support_close": {"support"},
    "backoffice:service": {"service", "auditor"},
    "backoffice:service_request": {"service", "auditor"},
    "backoffice:service_slip": {"service", "auditor"},
    "backoffice:service_act": {"service"},
    "backoffice:loans": {"service", "auditor"},
    "backoffice:loan_pool": {"service", "auditor"},
    "backoffice:loan_unit_add": {"service"},
    "backoffice:loan_unit": {"service", "auditor"},
    "backoffice:loan_unit_act": {"service"},
    "backoffice:loan": {"service", "auditor"},
    "backoffice:loan_act": {"service"},
    "backoffice:outbox": EVERY_STAFF,
    "backoffice:outbox_test": WRITERS,
    "backoffice:outbox_detail": EVERY_STAFF,
    "backoffice:outbox_html": EVERY_STAFF,
    "backoffice:outbox_retry": WRITERS,
    "backoffice:outbox_resend_link": {"validation", "support", "program_admin"},
    "backoffice:person_erase": {"program_admin", "auditor"},
    "backoffice:faq": {"support", "program_admin", "auditor"},
    "backoffice:faq_entry_new": {"support", "program_admin", "auditor"},
    "backoffice:faq_entry": {"support", "program_admin", "auditor"},
    "backoffice:faq_category_new": {"support", "program_admin", "auditor"},
    "backoffice:faq_category": {"support", "program_admin", "auditor"},
    "backoffice:program": {"program_admin", "auditor"},
    "backoffice:program_tier_new": {"program_admin", "auditor"},
    "backoffice:program_tier": {"program_admin", "auditor"},
    "backoffice:program_price": {"program_admin"},
    "backoffice:program_vat": {"program_admin"},
    "backoffice:program_tier_benefit": {"program_admin"},
    "backoffice:program_benefit_new": {"program_admin", "auditor"},
    "backoffice:program_benefit": {"program_admin", "auditor"},
    "backoffice:legal_texts": {"program_admin", "auditor"},
    "backoffice:email_previews": {"program_admin", "auditor"},
    "backoffice:email_preview": {"program_admin", "auditor"},
    "backoffice:email_preview_html": {"program_admin", "auditor"},
    # The data administration: any staff member, who sees the models their group may view.
    "admin:index": EVERY_STAFF,
}

REFUSAL_PATHS = {"/accounts/login/", "/accounts/two-factor/", "/accounts/two-factor/setup/", "/backoffice/admin/login/"}


def outcome(response) -> str:
    assert response.status_code < 500
    if response.status_code == 403:
        return "refused"
    if response.status_code in (301, 302) and urlsplit(response["Location"]).path in REFUSAL_PATHS:
        return "refused"
    return "allowed"


def request(client, method, url):
    """One request whose changes, if any, are rolled back: an action tried by a role that may
    use it must not change what the next role finds."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


@pytest.fixture
def world(program, business, owner, other_business, outsider):
    """One real object behind each kind of back-office URL."""
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="NL", currency="EUR")
    business.refresh_from_db()
    _subscription, invoice = buy(business, owner, method="bank_transfer")
    bank_statement_import(
        data=camt053([{"amount": "120.00", "reference": "RF18539007547034", "name": "Mystery Payer Ltd"}]),
        file_name="statement.xml",
        actor=None,
    )
    line = BankLine.objects.get()
    application = submit()
    product = camera()
    register(business, product, "012345678901")
    conflicting = register(other_business, product, "012345678901")
    legacy = LegacyImport.objects.create(original_name="legacy.csv", file="legacy-imports/legacy.csv", status="done")
    ticket = ticket_open(business=business, author=owner, category="other", subject="Help", body="Please help.")
    service_seed()
    repair = ServiceRequest.objects.create(
        reference="SR-2026-000001", business=business, registration=business.registrations.get(), kind="repair",
        description="The shutter jams.", centre=ServiceCentre.objects.get(code="amstelveen"), return_name="Alpha",
        return_street="Keizersgracht 1", return_postal_code="1015 CJ", return_city="Amsterdam", return_country="NL",
    )  # fmt: skip
    unit = LoanUnit.objects.create(model=product, serial_number="LOAN0001", centre=repair.centre)
    loan = Loan.objects.create(
        reference="LN-2026-000001", business=business, unit=unit, model=product, subscription=_subscription,
        starts_on=timezone.localdate(), ends_on=timezone.localdate(), status="reserved",
        terms_accepted_at=timezone.now(), deposit_method="transfer", deposit_amount=0, currency="EUR",
        daily_late_fee=0, damage_fee=0,
    )  # fmt: skip
    transfer = ProductTransfer.objects.create(
        registration=business.registrations.get(), product=product, serial_number="012345678901",
        from_business=business, to_business=other_business, recipient="outsider@beta.test", status="accepted",
        proof_name="proof.pdf", proof_content_type="application/pdf",
    )  # fmt: skip
    transfer.proof.save("proof.pdf", ContentFile(MINIMAL_PDF))
    message = OutboxMessage.objects.order_by("pk").first()
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")  # retried only when failed
    return {
        "backoffice:application": {"pk": application.pk},
        "backoffice:application_resend_link": {"pk": application.pk},
        "backoffice:application_act": {"pk": application.pk, "action": "approve"},
        "backoffice:application_vies_check": {"pk": application.pk},
        "backoffice:document": {"pk": application.documents.get().pk},
        "backoffice:conflict_resolve": {"pk": conflicting.pk},
        "backoffice:conflict_suggest_transfer": {"pk": conflicting.pk},
        "backoffice:transfer": {"pk": transfer.pk},
        "backoffice:transfer_reverse": {"pk": transfer.pk},
        "backoffice:transfer_proof": {"pk": transfer.pk},
        "backoffice:business": {"pk": business.pk},
        "backoffice:business_products": {"pk": business.pk},
        "backoffice:business_points": {"pk": business.pk},
        "backoffice:report_csv": {"report": "applications"},
        "backoffice:legacy_import": {"pk": legacy.pk},
        "backoffice:invoice": {"pk": invoice.pk},
        "backoffice:invoice_pdf": {"pk": invoice.pk},
        "backoffice:invoice_xml": {"pk": invoice.pk},
        "backoffice:bank_statement": {"pk": line.statement_id},
        "backoffice:bank_line_confirm": {"pk": line.pk},
        "backoffice:bank_line_ignore": {"pk": line.pk},
        "backoffice:support_ticket": {"pk": ticket.pk},
        "backoffice:support_assign": {"pk": ticket.pk},
        "backoffice:support_close": {"pk": ticket.pk},
        "backoffice:service_request": {"pk": repair.pk},
        "backoffice:service_slip": {"pk": repair.pk},
        "backoffice:service_act": {"pk": repair.pk, "action": "close"},
        "backoffice:loan_unit": {"pk": unit.pk},
        "backoffice:loan_unit_act": {"pk": unit.pk, "action": "retire"},
        "backoffice:loan": {"pk": loan.pk},
        "backoffice:loan_act": {"pk": loan.pk, "action": "dispatch"},
        "backoffice:outbox_detail": {"pk": message.pk},
        "backoffice:outbox_html": {"pk": message.pk},
        "backoffice:outbox_retry": {"pk": message.pk},
        "backoffice:outbox_resend_link": {"pk": message.pk},  # the application's "received" e-mail
        "backoffice:person_erase": {"user_id": owner.pk},
        "backoffice:faq_entry": {"pk": FaqEntry.objects.order_by("pk").first().pk},
        "backoffice:faq_category": {"pk": FaqCategory.objects.order_by("pk").first().pk},
        "backoffice:program_tier": {"code": "silver"},
        "backoffice:program_price": {"code": "silver"},
        "backoffice:program_tier_benefit": {"code": "silver"},
        "backoffice:program_benefit": {"code": "priority-repair"},
        "backoffice:email_preview": {"template": "account_ready", "language": "en"},
        "backoffice:email_preview_html": {"template": "account_ready", "language": "en"},
    }


def staff_client(email, *groups, superuser=False):
    user = UserFactory(email=email, is_staff=True, is_superuser=superuser)
    user.groups.add(*(Group.objects.get(name=group) for group in groups))
    client = Client()
    client.force_login(user)
    staff_session_verify(client, user)
    return client


@pytest.fixture
def clients(member):
    clients = {role: staff_client(f"{role}@propass.test", role) for role in EXPECTED_GROUPS}
    clients["staff"] = staff_client("nogroup@propass.test")
    clients["superuser"] = staff_client("root@propass.test", superuser=True)
    clients["member"] = Client()
    clients["member"].force_login(member)
    clients["anonymous"] = Client()
    return clients


def urls(world):
    routes = {
        name: backoffice_url(name, parameters, world.get(name)) for name, parameters in backoffice_routes().items()
    }
    return {**routes, "admin:index": "/backoffice/admin/"}


def test_every_back_office_url_is_in_the_table():
    listed = set(EXPECTED) - {"admin:index"}
    assert sorted(set(backoffice_routes()) - listed) == [], "new back-office URLs: say who may use them in EXPECTED"
    assert sorted(listed - set(backoffice_routes())) == [], "EXPECTED lists URLs that no longer exist"


def test_the_staff_groups_are_the_roles_of_the_table(db):
    from propass.accounts.enums import StaffGroup

    assert set(EXPECTED_GROUPS) == set(StaffGroup.values)
    assert set(Group.objects.values_list("name", flat=True)) >= set(StaffGroup.values)


def test_every_role_gets_exactly_the_pages_and_actions_of_the_table(world, clients):
    wrong = []
    for name, url in urls(world).items():
        method = "post" if request(clients["superuser"], "get", url).status_code == 405 else "get"
        assert outcome(request(clients["superuser"], method, url)) == "allowed", name
        if method == "get":
            assert "auditor" in EXPECTED[name], f"{name}: the auditor reads every page"
        else:
            assert "auditor" not in EXPECTED[name], f"{name}: the auditor changes nothing"
        for role in ROLES:
            got = outcome(request(clients[role], method, url))
            want = "allowed" if role in EXPECTED[name] else "refused"
            if got != want:
                wrong.append(f"{method.upper()} {name} as {role}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_an_auditor_may_not_act_and_nothing_changes(world, clients):
    auditor = clients["auditor"]
    audit_entries = AuditLog.objects.count()
    ticket = Ticket.objects.get()
    message = OutboxMessage.objects.get(pk=world["backoffice:outbox_retry"]["pk"])
    faq_entry = FaqEntry.objects.get(pk=world["backoffice:faq_entry"]["pk"])
    attempts = [
        ("backoffice:application_act", {"reason": "", "message": ""}),
        ("backoffice:support_close", {}),
        ("backoffice:support_assign", {"assignee": ""}),
        ("backoffice:outbox_retry", {}),
        ("backoffice:outbox_resend_link", {}),
        ("backoffice:outbox_test", {}),
        ("backoffice:bank_line_ignore", {"note": "auditor was here"}),
        ("backoffice:faq_entry", {"question": "Changed?", "answer": "Changed.", "language": "en"}),
        ("backoffice:program_vat", {}),
        ("backoffice:program_tier_benefit", {"benefit": "loan-equipment", "days": "30"}),
        ("backoffice:program_benefit", {"kind": "loans", "position": "1", "name_en": "Changed?"}),
    ]
    for name, data in attempts:
        url = backoffice_url(name, backoffice_routes()[name], world.get(name))
        assert auditor.post(url, data).status_code == 403, name
    assert AuditLog.objects.count() == audit_entries
    assert Ticket.objects.get().status == ticket.status
    assert OutboxMessage.objects.get(pk=message.pk).attempts == message.attempts
    assert FaqEntry.objects.get(pk=faq_entry.pk).question == faq_entry.question
    assert BankLine.objects.get().status == "unmatched"
    assert Application.objects.get().status == "submitted"


def test_an_auditor_with_a_second_role_acts_in_that_role_only(world, clients):
    both = staff_client("both@propass.test", "auditor", "support")
    close = backoffice_url("backoffice:support_close", {"pk": "int"}, world["backoffice:support_close"])
    ignore = backoffice_url("backoffice:bank_line_ignore", {"pk": "int"}, world["backoffice:bank_line_ignore"])
    assert both.get(backoffice_url("backoffice:invoices", {})).status_code == 200
    assert both.post(ignore, {"note": "not mine"}).status_code == 403
    assert both.post(close).status_code == 302
    assert Ticket.objects.get().status == "closed"


def test_the_auditor_group_views_every_model_but_no_secrets(db):
    from django.contrib.auth.models import Permission

    auditor = Group.objects.get(name="auditor")
    granted = set(auditor.permissions.values_list("codename", flat=True))
    assert {"view_invoice", "view_auditlog", "view_application", "view_ticket", "view_user"} <= granted
    assert not [codename for codename in granted if not codename.startswith("view_")]
    assert "view_totpdevice" not in granted
    assert "view_token" not in granted and "view_authtoken" not in granted
    views = Permission.objects.filter(codename__startswith="view_").exclude(
        content_type__app_label__in=["otp_totp", "knox", "sessions"]
    )
    assert set(views.values_list("codename", flat=True)) == granted


def test_in_the_data_administration_an_auditor_reads_and_a_program_admin_edits(program):
    auditor = staff_client("auditor@propass.test", "auditor")
    admin = staff_client("program@propass.test", "program_admin")
    change = f"/backoffice/admin/core/program/{program.pk}/change/"
    assert auditor.get(change).status_code == 200
    assert auditor.post(change, {"name": "Renamed"}).status_code == 403
    assert admin.get(change).status_code == 200
    assert auditor.get("/backoffice/admin/otp_totp/totpdevice/").status_code == 403
