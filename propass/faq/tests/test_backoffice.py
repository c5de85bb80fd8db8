"""/backoffice/faq/: support agents and program admins edit the FAQ; every save is audited."""

import pytest

from propass.core.models import AuditLog
from propass.faq.models import FaqCategory, FaqEntry

pytestmark = pytest.mark.django_db


def _form(entry, **changes):
    data = {
        "category": entry.category_id, "key": entry.key, "language": entry.language, "question": entry.question,
        "answer": entry.answer, "position": entry.position, "published": "on" if entry.published else "",
    }  # fmt: skip
    data.update(changes)
    return data


PAGES = ["/backoffice/faq/", "/backoffice/faq/new/", "/backoffice/faq/categories/new/"]


@pytest.mark.parametrize("agent", ["support_agent", "program_admin"])
def test_support_agents_and_program_admins_may_edit_the_faq(client, agent, request):
    client.force_login(request.getfixturevalue(agent))
    entry = FaqEntry.objects.get(key="payment-options", language="it")
    for path in [*PAGES, f"/backoffice/faq/{entry.pk}/", f"/backoffice/faq/categories/{entry.category_id}/"]:
        assert client.get(path).status_code == 200, path


def test_other_staff_and_members_get_403_and_visitors_the_login(client, finance_agent, staff, member):
    entry = FaqEntry.objects.get(key="payment-options", language="it")
    for user in (finance_agent, staff, member):
        client.force_login(user)
        for path in PAGES:
            assert client.get(path).status_code == 403, (user, path)
        assert client.post(f"/backoffice/faq/{entry.pk}/", _form(entry, question="Hacked?")).status_code == 403
    client.logout()
    response = client.get("/backoffice/faq/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    entry.refresh_from_db()
    assert entry.question != "Hacked?"


def test_an_edit_is_saved_shown_on_the_faq_and_audited(client, support_agent):
    entry = FaqEntry.objects.get(key="payment-options", language="it")
    client.force_login(support_agent)
    response = client.post(
        f"/backoffice/faq/{entry.pk}/",
        _form(entry, question="Come posso pagare?", answer="Con carta.\r\n\r\nOppure con bonifico."),
    )
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/faq/"
    entry.refresh_from_db()
    assert entry.question == "Come posso pagare?"
    assert entry.answer == "Con carta.\n\nOppure con bonifico."
    audit = AuditLog.objects.get(action="faq.save")
    assert audit.actor == support_agent
    assert audit.target_id == str(entry.pk)
    assert audit.data["key"] == "payment-options"
    assert audit.data["changed"] == ["answer", "question"]
    client.logout()
    page = client.get("/faq/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "<p>Con carta.</p>" in page
    assert "Come posso pagare?" in page


def test_a_missing_language_is_added_and_moving_a_question_moves_all_its_languages(client, program_admin):
    support = FaqCategory.objects.get(slug="support")
    FaqEntry.objects.filter(key="payment-options", language="fr").delete()  # not written yet
    client.force_login(program_admin)
    listing = client.get("/backoffice/faq/").content.decode()
    assert "/backoffice/faq/new/?key=payment-options&amp;language=fr" in listing
    form = client.get("/backoffice/faq/new/?key=payment-options&language=fr").content.decode()
    assert "Which payment options are there, and when is my card charged?" in form  # the English version
    response = client.post(
        "/backoffice/faq/new/",
        {"category": support.pk, "key": "payment-options", "language": "fr", "question": "Comment payer ?",
         "answer": "Par carte ou par virement.", "position": 10, "published": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert FaqEntry.objects.get(key="payment-options", language="fr").question == "Comment payer ?"
    assert set(FaqEntry.objects.filter(key="payment-options").values_list("category__slug", flat=True)) == {"support"}
    assert AuditLog.objects.get(action="faq.save").data["created"] is True


def test_a_second_version_in_the_same_language_is_refused(client, support_agent):
    entry = FaqEntry.objects.get(key="payment-options", language="de")
    client.force_login(support_agent)
    other = FaqEntry.objects.get(key="payment-failed", language="de")
    response = client.post(f"/backoffice/faq/{other.pk}/", _form(other, key="payment-options"))
    assert response.status_code == 200
    assert "This question already has a version in this language." in response.content.decode()
    assert FaqEntry.objects.get(pk=entry.pk).key == "payment-options"
    assert FaqEntry.objects.get(pk=other.pk).key == "payment-failed"
    assert not AuditLog.objects.filter(action="faq.save").exists()


def test_a_category_is_renamed_and_audited(client, program_admin):
    category = FaqCategory.objects.get(slug="invoices")
    client.force_login(program_admin)
    names = {f"name_{code}": name for code, name in category.names.items()}
    response = client.post(
        f"/backoffice/faq/categories/{category.pk}/", {"slug": "invoices", "position": 5, **names, "name_en": "Billing"}
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.names["en"] == "Billing"
    assert category.position == 5
    assert AuditLog.objects.get(action="faq.category_save").data["slug"] == "invoices"
    assert "Billing" in client.get("/faq/").content.decode()


def test_the_list_costs_the_same_queries_however_many_questions(client, support_agent, django_assert_num_queries):
    client.force_login(support_agent)
    client.get("/backoffice/faq/")
    # session, user, the staff group check, the entries, the categories
    with django_assert_num_queries(6):
        page = client.get("/backoffice/faq/").content.decode()
    assert "missing-green-check" in page
    FaqEntry.objects.filter(language="de").delete()
    with django_assert_num_queries(6):
        client.get("/backoffice/faq/")
