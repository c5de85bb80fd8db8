import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.memberships.models import Benefit, Tier
from propass.program_admin.setup import benefits_seed, tiers_seed


@pytest.fixture
def tiers(db):
    tiers_seed()
    benefits_seed()


def _with_points(business, points, currency="EUR"):
    Business.objects.filter(pk=business.pk).update(points_balance=points, currency=currency)
    business.refresh_from_db()
    return business


def test_1200_points_open_silver_and_gold_and_grey_platinum(client, tiers, owner, business):
    _with_points(business, 1200, "GBP")
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert "£85 excl. VAT per year" in page
    assert "£170 excl. VAT per year" in page
    assert 'id="needed-platinum">400 more points needed<' in page
    assert 'id="needed-gold"' not in page
    assert "Corporate A" not in page
    assert 'role="switch"' not in page


def test_the_switch_appears_only_above_2500_points(client, tiers, owner, business):
    client.force_login(owner)
    _with_points(business, 2500)
    assert 'role="switch"' not in client.get("/subscriptions/").content.decode()
    _with_points(business, 2501)
    page = client.get("/subscriptions/").content.decode()
    assert 'role="switch" aria-checked="false"' in page
    corporate = client.get("/subscriptions/?levels=corporate").content.decode()
    assert "Corporate A" in corporate
    assert "€1,000 excl. VAT per year" in corporate
    assert 'id="tier-silver"' not in corporate
    assert 'role="switch" aria-checked="true"' in corporate
    assert "4 per registered camera body per membership year" in corporate  # checks count per body


def test_corporate_levels_cannot_be_forced_below_the_threshold(client, tiers, owner, business):
    _with_points(business, 600)
    client.force_login(owner)
    assert "Corporate A" not in client.get("/subscriptions/?levels=corporate").content.decode()


def test_prices_follow_the_locale(client, tiers, owner, business):
    owner.language = "it"
    owner.save()
    _with_points(business, 600)
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert "100\xa0€" in page
    assert "€100" not in page


def test_the_tiers_api(tiers, owner, business):
    _with_points(business, 1200, "GBP")
    api = APIClient()
    api.force_authenticate(owner)
    tiers = {tier["code"]: tier for tier in api.get("/api/v1/tiers/").json()}
    assert set(tiers) == {"silver", "gold", "platinum", "corporate_a", "corporate_b", "corporate_c"}
    assert tiers["silver"]["prices"] == {"1": "85.00", "2": "161.50", "3": "229.50"}
    assert tiers["silver"]["available"] is True
    assert (tiers["platinum"]["available"], tiers["platinum"]["points_needed"]) == (False, 400)
    assert tiers["corporate_a"]["family"] == "corporate"
    assert tiers["gold"]["terms"] == [1, 2, 3]


def test_the_progress_bar_aims_at_the_next_tier_after_the_invitation(client, tiers, owner, business):
    from django.utils import timezone

    Business.objects.filter(pk=business.pk).update(points_balance=1200, invited_at=timezone.now())
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert "400 more points to Platinum" in page


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_tier_pages_show_the_benefit_names_of_the_program_in_the_readers_language(
    client, tiers, owner, business, language
):
    _with_points(business, 1200)
    owner.language = language
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    gold = Tier.objects.get(code="gold")
    for given in gold.tier_benefits.select_related("benefit"):
        name = given.benefit.names[language]
        assert f'id="benefit-gold-{given.benefit.code}"><span class="benefit-name">{name}</span>' in page
    assert Benefit.objects.get(code="loan-equipment").names[language] in page
    english = [benefit.names["en"] for benefit in Benefit.objects.all()]
    assert [name for name in english if name in page] == []


def test_a_benefit_renamed_by_the_program_shows_its_new_name_on_the_tier_pages_and_the_checkout(
    client, tiers, owner, business
):
    Benefit.objects.filter(code="priority-repair").update(names={"en": "Repairs first", "it": "Prima le riparazioni"})
    _with_points(business, 1200)
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert 'id="benefit-silver-priority-repair"><span class="benefit-name">Repairs first</span>' in page
    assert "5 business days" in page and "3 business days" in page
    checkout = client.get("/subscriptions/checkout/gold/").content.decode()
    assert '<span class="benefit-name">Repairs first</span><br><span class="muted">3 business days</span>' in checkout
    assert "Discount on repairs" in checkout and "15 % off repairs, up to €300.00 a year" in checkout
    owner.language = "it"
    owner.save(update_fields=["language"])
    assert "Prima le riparazioni" in client.get("/subscriptions/").content.decode()


def test_the_tiers_api_lists_each_tiers_benefits_from_the_program(tiers, owner, business):
    _with_points(business, 1200, "GBP")
    api = APIClient()
    api.force_authenticate(owner)
    tiers = {tier["code"]: tier for tier in api.get("/api/v1/tiers/").json()}
    gold = {benefit["code"]: benefit for benefit in tiers["gold"]["benefits"]}
    assert gold["priority-repair"] == {
        "code": "priority-repair", "kind": "repair_turnaround", "name": "Priority repairs",
        "summary": "3 business days", "days": 3, "percent": None, "allowance": None, "per_body": False,
    }  # fmt: skip
    assert gold["maintenance-checks"]["allowance"] == "2"
    assert (gold["repair-discount"]["percent"], gold["repair-discount"]["allowance"]) == ("15.00", "260.00")
    assert gold["loan-equipment"]["days"] == 10
    assert "loan-equipment" not in {benefit["code"] for benefit in tiers["silver"]["benefits"]}
    checks = next(benefit for benefit in tiers["corporate_a"]["benefits"] if benefit["code"] == "maintenance-checks")
    assert (checks["allowance"], checks["per_body"]) == ("4", True)
