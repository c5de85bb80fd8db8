"""/backoffice/program/: program admins edit settings, tiers, prices, VAT rates and legal
texts; an inconsistent edit is refused with a clear message and changes nothing."""

import pytest
from django.conf import settings

from propass.backoffice.previews import email_templates
from propass.core.models import AuditLog, LegalText, Program
from propass.memberships.models import Benefit, Tier, TierBenefit, TierPrice
from propass.testing.staff import staff_user

PROGRAM = "/backoffice/program/"
PAGES = [
    PROGRAM,
    "/backoffice/program/tiers/new/",
    "/backoffice/program/tiers/silver/",
    "/backoffice/program/benefits/new/",
    "/backoffice/program/benefits/priority-repair/",
    "/backoffice/program/legal/",
    "/backoffice/program/emails/",
    "/backoffice/program/emails/account_ready/it/",
    "/backoffice/program/emails/account_ready/it/html/",
]


@pytest.fixture
def admin(shop):
    return staff_user("program@propass.test", "program_admin")


@pytest.fixture
def finance(finance_agent):
    return finance_agent


def _settings_form(**changes):
    program = Program.objects.get()
    data = {
        "name": program.name, "short_name": program.short_name, "sender_name": program.sender_name,
        "sender_email": program.sender_email, "operator_country": program.operator_country,
        "validation_sla_days": program.validation_sla_days, "invitation_threshold": program.invitation_threshold,
        "set_password_link_hours": program.set_password_link_hours, "max_upload_mb": program.max_upload_mb,
        "business_invoice_max_age_days": program.business_invoice_max_age_days,
        "payment_grace_days": program.payment_grace_days, "refund_window_days": program.refund_window_days,
        "participating_countries": program.participating_countries,
        "accepted_document_types": program.accepted_document_types,
    }  # fmt: skip
    data.update(changes)
    return data


def _tier_form(code, **changes):
    tier = Tier.objects.get(code=code)
    data = {"name": tier.name, "family": tier.family, "min_points": tier.min_points, "position": tier.position,
            "active": "on" if tier.active else ""}  # fmt: skip
    data.update(changes)
    return data


def test_program_admins_see_every_page(client, admin):
    client.force_login(admin)
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_other_staff_and_members_get_403_and_visitors_the_login(client, admin, finance, member):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
    for user in (finance, member):
        client.force_login(user)
        for path in PAGES:
            assert client.get(path).status_code == 403, (user, path)
        assert client.post(PROGRAM, _settings_form(validation_sla_days=9)).status_code == 403
        assert client.post("/backoffice/program/tiers/silver/prices/", {"currency": "EUR", "term_years": 1,
                                                                         "amount": "1"}).status_code == 403  # fmt: skip
    assert Program.objects.get().validation_sla_days == 2


def test_the_page_shows_the_settings_the_tier_grid_and_the_sellers(client, admin):
    client.force_login(admin)
    page = client.get(PROGRAM).content.decode()
    assert "The program is consistent." in page
    assert 'id="tier-silver"' in page and "Corporate C" in page
    assert "Canon Professional Services Europe B.V." in page
    assert 'value="donotreply@canon-europe.com"' in page


def test_an_inconsistent_settings_edit_is_refused_with_a_clear_message(client, admin):
    client.force_login(admin)
    response = client.post(PROGRAM, _settings_form(invitation_threshold=600))
    assert response.status_code == 200
    assert "Silver starts at 500 points, below the invitation threshold of 600 points." in response.content.decode()
    assert Program.objects.get().invitation_threshold == 500
    assert not AuditLog.objects.filter(action="program.update").exists()


def test_a_settings_error_is_shown_at_its_field(client, admin):
    client.force_login(admin)
    response = client.post(PROGRAM, _settings_form(accepted_document_types=[]))
    form = response.context["form"]
    assert form.errors["accepted_document_types"] == ["At least one document type must be accepted."]
    assert Program.objects.get().accepted_document_types


def test_a_consistent_settings_edit_is_saved(client, admin):
    client.force_login(admin)
    countries = [*Program.objects.get().participating_countries, "JP"]
    response = client.post(PROGRAM, _settings_form(validation_sla_days=3, participating_countries=countries))
    assert response.status_code == 302
    program = Program.objects.get()
    assert program.validation_sla_days == 3 and "JP" in program.participating_countries
    assert AuditLog.objects.get(action="program.update").data["after"]["validation_sla_days"] == 3


def test_a_tier_edit_below_the_threshold_is_refused(client, admin):
    client.force_login(admin)
    response = client.post("/backoffice/program/tiers/silver/", _tier_form("silver", min_points=400))
    assert response.status_code == 200
    assert "Silver starts at 400 points, below the invitation threshold of 500 points." in response.content.decode()
    assert Tier.objects.get(code="silver").min_points == 500


def test_a_tier_is_created_off_sale_then_priced(client, admin):
    client.force_login(admin)
    data = {"code": "titanium", "name": "Titanium", "family": "standard", "min_points": 2000, "position": 3}
    response = client.post("/backoffice/program/tiers/new/", data)
    assert response.status_code == 302
    tier = Tier.objects.get(code="titanium")
    assert not tier.active and not tier.tier_benefits.exists()
    response = client.post("/backoffice/program/tiers/new/", {**data, "code": "gold"})
    assert response.context["form"].errors["code"] == ["Another tier has this code."]
    response = client.post("/backoffice/program/tiers/titanium/", {**data, "active": "on"}, follow=True)
    assert "Titanium has no price in EUR." in response.content.decode()
    assert not Tier.objects.get(code="titanium").active


def test_deleting_the_only_eur_price_is_refused_and_the_message_shown(client, admin):
    client.force_login(admin)
    TierPrice.objects.filter(tier__code="silver", currency="EUR", term_years__in=[2, 3]).delete()
    response = client.post(
        "/backoffice/program/tiers/silver/prices/", {"currency": "EUR", "term_years": 1, "delete": "1"}, follow=True
    )
    assert "Silver has no price in EUR." in response.content.decode()
    assert TierPrice.objects.filter(tier__code="silver", currency="EUR").exists()


def test_a_price_is_changed_from_the_tier_page(client, admin):
    client.force_login(admin)
    response = client.post(
        "/backoffice/program/tiers/gold/prices/", {"currency": "GBP", "term_years": 2, "amount": "330"}, follow=True
    )
    assert "The 2-year price in GBP is saved." in response.content.decode()
    assert str(TierPrice.objects.get(tier__code="gold", currency="GBP", term_years=2).amount) == "330.00"


def test_a_needed_vat_rate_cannot_be_deleted(client, admin):
    client.force_login(admin)
    response = client.post("/backoffice/program/vat/", {"country": "IT", "delete": "1"}, follow=True)
    assert "Italy (IT) has no VAT rate" in response.content.decode()
    response = client.post("/backoffice/program/vat/", {"country": "IT", "rate": "23"}, follow=True)
    assert "The VAT rate of IT is saved." in response.content.decode()


def test_the_problems_of_the_stored_program_are_shown_on_top(client, admin):
    client.force_login(admin)
    TierPrice.objects.filter(tier__code="gold", currency="GBP", term_years=1).delete()
    page = client.get(PROGRAM).content.decode()
    assert 'id="program-problems"' in page
    assert "The program has 1 problem" in page
    assert "Gold has no 1-year price in GBP." in page


def test_a_legal_text_is_published_as_a_new_version(client, admin):
    client.force_login(admin)
    data = {"kind": "privacy_notice", "language": "en", "version": "2026-07", "title": "Privacy notice",
            "body": "New privacy notice."}  # fmt: skip
    assert client.post("/backoffice/program/legal/", data).status_code == 302
    assert list(
        LegalText.objects.filter(kind="privacy_notice", language="en").order_by("published_at").values_list(
            "version", flat=True)
    ) == ["2026-01", "2026-07"]  # fmt: skip
    response = client.post("/backoffice/program/legal/", {**data, "language": "de", "version": "2026-08"})
    assert "Privacy notice version 2026-08 has no English text." in response.content.decode()
    response = client.post("/backoffice/program/legal/", data)
    assert "already published" in response.content.decode()


@pytest.mark.parametrize("template", email_templates())
def test_every_email_preview_page_renders_in_every_language(client, admin, template):
    client.force_login(admin)
    for language, _name in settings.LANGUAGES:
        page = client.get(f"/backoffice/program/emails/{template}/{language}/")
        assert page.status_code == 200, language
        assert f'src="/backoffice/program/emails/{template}/{language}/html/"' in page.content.decode()
        html = client.get(f"/backoffice/program/emails/{template}/{language}/html/")
        assert html.status_code == 200
        assert "style-src 'unsafe-inline'" in html["Content-Security-Policy"]
        assert "sandbox" in html["Content-Security-Policy"]


def test_an_unknown_email_or_language_is_not_found(client, admin):
    client.force_login(admin)
    assert client.get("/backoffice/program/emails/nothing/en/").status_code == 404
    assert client.get("/backoffice/program/emails/account_ready/xx/html/").status_code == 404


# session, user, authenticator, groups; then the program, tiers, prices, sellers, VAT rates,
# legal texts, benefits and what the tiers give (for the problems) and support SLAs.
QUERIES = {
    PROGRAM: 13,
    "/backoffice/program/tiers/silver/": 12,
    "/backoffice/program/benefits/loan-equipment/": 12,
    "/backoffice/program/legal/": 5,
}


def test_the_pages_make_a_fixed_number_of_queries(client, admin, django_assert_num_queries):
    client.force_login(admin)
    for more_data in (False, True):
        if more_data:
            titanium = Tier.objects.create(code="titanium", name="Titanium", min_points=3000, position=9, active=False)
            hotline = Benefit.objects.create(code="hotline", kind="hotline", names={"en": "Hotline"}, position=9)
            TierBenefit.objects.create(tier=titanium, benefit=hotline)
            TierBenefit.objects.create(tier=titanium, benefit=Benefit.objects.get(code="loan-equipment"), days=30)
            LegalText.objects.create(kind="privacy_notice", version="2026-07", language="fr", title="Avis", body="…",
                                     published_at=LegalText.objects.first().published_at)  # fmt: skip
        for path, count in QUERIES.items():
            with django_assert_num_queries(count):
                client.get(path)


def test_a_new_version_starts_from_the_text_in_force(client, admin):
    client.force_login(admin)
    form = client.get("/backoffice/program/legal/?kind=program_terms&language=it").context["form"]
    assert form.initial["kind"] == "program_terms" and form.initial["language"] == "it"
    assert form.initial["title"] == "Termini e condizioni CPS"
    form = client.get("/backoffice/program/legal/?kind=program_terms&language=fr").context["form"]
    assert form.initial["title"] == "CPS Terms & Conditions"
