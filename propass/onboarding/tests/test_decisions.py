import pytest

from propass.accounts.enums import BusinessRole
from propass.accounts.models import Business, BusinessMembership, User
from propass.core.errors import Conflict
from propass.core.models import AuditLog
from propass.notifications.models import OutboxMessage
from propass.onboarding.enums import ApplicationStatus
from propass.onboarding.models import Application
from propass.onboarding.selectors import application_review_facts
from propass.onboarding.services import application_approve, application_reject, application_request_info
from propass.onboarding.tests.helpers import submit
from propass.products.models import LegacyAccount
from propass.program_admin.setup import program_seed
from propass.testing.files import png
from propass.testing.threads import run_at_once


def test_the_queue_is_ordered_by_sla_and_marks_overdue(client, program, validation_agent):
    late = submit(email="late@example.com")
    Application.objects.filter(pk=late.pk).update(sla_deadline=late.sla_deadline.replace(year=2020))
    submit(email="fresh@example.com")
    client.force_login(validation_agent)
    page = client.get("/backoffice/applications/").content.decode()
    assert page.index("late@example.com") < page.index("fresh@example.com")
    assert 'class="overdue"' in page


def test_the_queue_has_a_fixed_number_of_queries(client, program, validation_agent, django_assert_num_queries):
    for n in range(20):
        submit(email=f"a{n}@example.com")
    client.force_login(validation_agent)
    # session, user, groups check, counts per open status, approved and rejected counted up to
    # the cap, overdue count, page count, page, program (country filter)
    with django_assert_num_queries(11):
        response = client.get("/backoffice/applications/")
    assert response.content.decode().count("<tr") == 21


def test_decided_applications_are_counted_up_to_the_cap(client, program, validation_agent, monkeypatch):
    monkeypatch.setattr("propass.onboarding.selectors.COUNT_CAP", 2)
    monkeypatch.setattr("propass.backoffice.applications.COUNT_CAP", 2)
    for n in range(4):
        submit(email=f"r{n}@example.com")
    # Test data only: three applications decided without the review steps.
    Application.objects.filter(email__in=["r0@example.com", "r1@example.com", "r2@example.com"]).update(
        status=ApplicationStatus.REJECTED
    )
    client.force_login(validation_agent)
    page = client.get("/backoffice/applications/").content.decode()
    assert '<a href="?status=rejected"><strong>more than 2</strong>' in page
    assert '<a href="?status=submitted"><strong>1</strong>' in page
    assert '<a href="?status=approved"><strong>0</strong>' in page


def test_the_queue_filters_by_status_and_country(client, program, validation_agent):
    submit(email="it@example.com")
    submit(email="de@example.com", country="DE", vat_number="DE136695976")
    client.force_login(validation_agent)
    page = client.get("/backoffice/applications/?country=DE").content.decode()
    assert "de@example.com" in page
    assert "it@example.com" not in page
    assert "it@example.com" not in client.get("/backoffice/applications/?status=rejected").content.decode()


def test_members_and_other_staff_cannot_see_the_queue(client, program, member, staff):
    client.force_login(member)
    assert client.get("/backoffice/applications/").status_code == 403
    client.force_login(staff)
    assert client.get("/backoffice/applications/").status_code == 403


def test_the_detail_shows_vat_check_legacy_match_and_same_vat(client, program, validation_agent, business):
    LegacyAccount.objects.create(email="old@example.com").registrations.create(product_code="EOS-R5")
    business.vat_number = "IT00743110157"
    business.save()
    application = submit(legacy_email="OLD@example.com")
    client.force_login(validation_agent)
    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()
    assert "format and check digits valid" in page
    assert "matches, 1 product" in page
    assert business.name in page
    assert f"/backoffice/documents/{application.documents.get().pk}/" in page


def test_a_northern_ireland_number_names_the_business_holding_the_same_gb_number(program, business):
    # XI and GB in front of the same digits are one UK registration.
    business.country, business.vat_number = "GB", "GB432525179"
    business.save()
    application = submit(country="GB", vat_number="XI 432 5251 79")
    assert application.vat_number == "XI432525179"
    assert application_review_facts(application=application).same_vat == [business]


def test_approval_creates_the_business_and_sends_the_set_password_link(client, program, validation_agent):
    application = submit(legacy_email="old@example.com")
    client.force_login(validation_agent)
    response = client.post(f"/backoffice/applications/{application.pk}/approve/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    business = Business.objects.get()
    assert application.business == business
    assert business.vat_number == "IT00743110157"
    assert business.legacy_email == "old@example.com"
    assert business.currency == "EUR"
    user = User.objects.get(email="giulia@studio-rossi.example")
    assert not user.has_usable_password()
    assert BusinessMembership.objects.get(user=user).role == BusinessRole.SUPERUSER
    message = OutboxMessage.objects.get(template="account_ready")
    assert message.sender == "Canon Professional Services <donotreply@canon-europe.com>"
    assert message.language == "it"
    assert "/accounts/set-password/" in message.body_text
    assert AuditLog.objects.filter(action="application.approve", actor=validation_agent).exists()


def test_a_uk_business_pays_in_pounds(program, validation_agent):
    application = submit(country="GB", vat_number="GB980780684", phone="+44 20 7946 0958")
    application_approve(application_id=application.pk, agent=validation_agent)
    assert Business.objects.get().currency == "GBP"


def test_rejection_tells_the_applicant_why_in_their_language(program, validation_agent):
    application = submit(language="de")
    application_reject(application_id=application.pk, agent=validation_agent, reason="Dokument unleserlich")
    message = OutboxMessage.objects.get(template="application_rejected")
    assert message.language == "de"
    assert "Dokument unleserlich" in message.body_text
    assert User.objects.count() == 1  # only the agent


def test_a_decided_application_cannot_be_decided_again(program, validation_agent):
    application = submit()
    application_reject(application_id=application.pk, agent=validation_agent, reason="No")
    with pytest.raises(Conflict, match="already decided"):
        application_approve(application_id=application.pk, agent=validation_agent)


def test_the_second_agent_clicking_sees_already_decided(client, program, validation_agent):
    application = submit()
    client.force_login(validation_agent)
    client.post(f"/backoffice/applications/{application.pk}/approve/")
    response = client.post(f"/backoffice/applications/{application.pk}/reject/", {"reason": "late"}, follow=True)
    assert "already decided" in response.content.decode()
    assert Application.objects.get().status == ApplicationStatus.APPROVED


def test_a_request_for_information_is_answered_on_the_status_page_and_restarts_the_sla(
    client, program, validation_agent
):
    application = submit(vat_registered=False, vat_number="", document_type="chamber_of_commerce")
    first_deadline = application.sla_deadline
    application_request_info(application_id=application.pk, agent=validation_agent, message="Please add a licence")
    page = client.get(f"/apply/status/{application.token}/").content.decode()
    assert "Please add a licence" in page
    response = client.post(
        f"/apply/status/{application.token}/", {"document_type": "business_licence", "document": png()}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.sla_deadline > first_deadline
    assert application.documents.count() == 2


def test_a_document_cannot_be_added_unless_asked(client, program):
    application = submit()
    response = client.post(
        f"/apply/status/{application.token}/", {"document_type": "business_licence", "document": png()}
    )
    assert "We did not ask for more information" in response.content.decode()
    assert application.documents.count() == 1


def test_staff_can_resend_the_set_password_link(client, program, validation_agent):
    application = submit()
    application_approve(application_id=application.pk, agent=validation_agent)
    client.force_login(validation_agent)
    client.post(f"/backoffice/applications/{application.pk}/resend-link/")
    assert OutboxMessage.objects.filter(template="account_ready").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_agents_deciding_at_once_make_one_decision(validation_agent):
    program_seed()
    application = submit()
    decisions = [
        lambda: application_approve(application_id=application.pk, agent=validation_agent),
        lambda: application_reject(application_id=application.pk, agent=validation_agent, reason="x"),
    ]
    results = run_at_once(2, lambda index: decisions[index]())
    outcomes = [
        "already decided" if isinstance(r, Conflict) else repr(r) if isinstance(r, BaseException) else "done"
        for r in results
    ]
    assert sorted(outcomes) == ["already decided", "done"]
    assert Business.objects.count() == (1 if Application.objects.get().status == ApplicationStatus.APPROVED else 0)


def test_the_application_history_says_each_step_in_the_agents_language(client, program, validation_agent):
    application = submit()
    application_approve(application_id=application.pk, agent=validation_agent)
    User.objects.filter(pk=validation_agent.pk).update(language="es")
    client.force_login(validation_agent)
    page = client.get(f"/backoffice/applications/{application.pk}/").content.decode()
    history = page[page.index('class="history"') :]
    assert "Enviada" in history or "Enviado" in history or "Presentada" in history
    assert "application.submit" not in page and "application.approve" not in page
