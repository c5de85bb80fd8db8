"""/backoffice/program/: the benefits section (what each tier gives), a benefit's page (names and
descriptions per language, kind, order) and a tier's benefits (days, count, percent, caps per
currency, per body); refused edits show their reason and change nothing."""

import pytest
from django.conf import settings

from propass.core.models import AuditLog
from propass.memberships.models import Benefit, TierBenefit
from propass.testing.staff import staff_user

PROGRAM = "/backoffice/program/"


@pytest.fixture
def admin(shop):
    return staff_user("program@propass.test", "program_admin")


def _benefit_form(code, **changes):
    benefit = Benefit.objects.get(code=code)
    data = {"kind": benefit.kind, "position": benefit.position}
    for language, _name in settings.LANGUAGES:
        data[f"name_{language}"] = benefit.names.get(language, "")
        data[f"description_{language}"] = benefit.descriptions.get(language, "")
    data.update(changes)
    return data


def test_the_program_page_shows_what_each_tier_gives(client, admin):
    client.force_login(admin)
    page = client.get(PROGRAM).content.decode()
    assert 'id="benefit-priority-repair"' in page
    row = page.split('id="benefit-priority-repair"')[1].split("</tr>")[0]
    for days in (5, 3, 2):  # Silver, Gold, Platinum
        assert f"<td>{days} business days</td>" in row
    discount = page.split('id="benefit-repair-discount"')[1].split("</tr>")[0]
    assert "15 % off repairs, up to €300.00 a year" in discount
    shipping = page.split('id="benefit-return-shipping"')[1].split("</tr>")[0]
    assert "Included" in shipping
    assert 'href="/backoffice/program/benefits/new/"' in page


def test_a_benefit_is_created_and_renamed_from_its_page(client, admin):
    client.force_login(admin)
    data = {"code": "hotline", "kind": "hotline", "position": 9, "name_en": "Priority hotline",
            "name_de": "Bevorzugte Hotline", "description_en": "Call us first."}  # fmt: skip
    response = client.post("/backoffice/program/benefits/new/", data)
    assert response.status_code == 302 and response["Location"] == "/backoffice/program/benefits/hotline/"
    hotline = Benefit.objects.get(code="hotline")
    assert hotline.names == {"en": "Priority hotline", "de": "Bevorzugte Hotline"}
    assert hotline.descriptions == {"en": "Call us first."}
    response = client.post("/backoffice/program/benefits/hotline/", _benefit_form("hotline", name_en="Hotline"))
    assert response.status_code == 302
    assert Benefit.objects.get(code="hotline").names["en"] == "Hotline"
    assert AuditLog.objects.filter(action="benefit.save").count() == 2
    page = client.get("/backoffice/program/benefits/hotline/").content.decode()
    assert 'value="Hotline"' in page and "No tier gives this benefit yet" in page


def test_a_benefit_without_an_english_name_or_with_a_kind_tiers_depend_on_is_refused_at_its_field(client, admin):
    client.force_login(admin)
    response = client.post("/backoffice/program/benefits/loan-equipment/", _benefit_form("loan-equipment", name_en=""))
    assert response.context["form"].errors["name_en"] == ["The benefit loan-equipment has no name in English."]
    response = client.post(
        "/backoffice/program/benefits/loan-equipment/", _benefit_form("loan-equipment", kind="hotline")
    )
    assert "take it off these tiers before changing its kind" in response.context["form"].errors["kind"][0]
    assert Benefit.objects.get(code="loan-equipment").kind == "loans"
    page = client.get("/backoffice/program/benefits/loan-equipment/").content.decode()
    assert 'href="/backoffice/program/tiers/gold/#benefits-heading">Gold</a>: up to 10 days' in page


def test_a_tier_page_edits_its_benefits(client, admin):
    client.force_login(admin)
    page = client.get("/backoffice/program/tiers/gold/").content.decode()
    assert 'id="tier-benefit-loan-equipment"' in page and 'name="days" min="1" value="10"' in page
    assert 'name="cap_EUR" size="9" value="300.00"' in page and 'name="cap_GBP" size="9" value="260.00"' in page
    url = "/backoffice/program/tiers/gold/benefits/"
    response = client.post(url, {"benefit": "loan-equipment", "days": "14"}, follow=True)
    assert response.redirect_chain[-1][0] == "/backoffice/program/tiers/gold/#benefits-heading"
    assert "Loan equipment is saved for Gold." in response.content.decode()
    assert TierBenefit.objects.get(tier__code="gold", benefit__code="loan-equipment").days == 14
    client.post(url, {"benefit": "repair-discount", "percent": "12.5", "cap_EUR": "250", "cap_GBP": ""})
    discount = TierBenefit.objects.get(tier__code="gold", benefit__code="repair-discount")
    assert (str(discount.percent), discount.caps) == ("12.50", {"EUR": "250.00"})
    client.post("/backoffice/program/tiers/silver/benefits/", {"benefit": "return-shipping"})
    assert TierBenefit.objects.filter(tier__code="silver", benefit__code="return-shipping").exists()
    response = client.post(url, {"benefit": "event-support", "delete": "1"}, follow=True)
    assert "The tier no longer gives this benefit." in response.content.decode()
    assert not TierBenefit.objects.filter(tier__code="gold", benefit__code="event-support").exists()


def test_an_inconsistent_tier_benefit_is_refused_with_its_reason(client, admin):
    client.force_login(admin)
    url = "/backoffice/program/tiers/silver/benefits/"
    response = client.post(url, {"benefit": "loan-equipment"}, follow=True)
    assert "Silver: Loan equipment needs a value for “days”." in response.content.decode()
    response = client.post(url, {"benefit": "repair-discount", "percent": "150", "cap_EUR": "150"}, follow=True)
    assert "the percent of Discount on repairs must be more than 0 and at most 100." in response.content.decode()
    response = client.post(url, {"benefit": "maintenance-checks", "count": "0"}, follow=True)
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert not TierBenefit.objects.filter(tier__code="silver", benefit__code="loan-equipment").exists()
    assert TierBenefit.objects.get(tier__code="silver", benefit__code="repair-discount").percent == 10
    assert client.post("/backoffice/program/tiers/titanium/benefits/", {"benefit": "hotline"}).status_code == 404


def test_other_staff_may_not_edit_benefits(client, admin, finance_agent, member):
    for user in (finance_agent, member):
        client.force_login(user)
        assert client.get("/backoffice/program/benefits/priority-repair/").status_code == 403
        url = "/backoffice/program/tiers/gold/benefits/"
        assert client.post(url, {"benefit": "loan-equipment", "days": "30"}).status_code == 403
    assert TierBenefit.objects.get(tier__code="gold", benefit__code="loan-equipment").days == 10
