import pytest
from django.conf import settings
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.memberships.models import Tier
from propass.program_admin.setup import tiers_seed


@pytest.fixture
def tiers(db):
    tiers_seed()


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


@pytest.mark.parametrize(("language", "benefit"), [("fr", "Réparations prioritaires"), ("nl", "Leenapparatuur")])
def test_tier_benefits_are_shown_in_every_language_of_the_interface(client, tiers, owner, business, language, benefit):
    for tier in Tier.objects.all():
        assert set(tier.benefits) >= {code for code, _name in settings.LANGUAGES}, tier.code
    _with_points(business, 1200)
    owner.language = language
    owner.save(update_fields=["language"])
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert benefit in page
    assert "Priority repairs" not in page and "Loan equipment" not in page


def test_an_upgrade_adds_the_new_languages_of_tier_benefits_and_keeps_edited_texts(tiers):
    Tier.objects.filter(code="silver").update(benefits={"en": ["Our own words"], "it": ["Parole nostre"]})
    tiers_seed()
    benefits = Tier.objects.get(code="silver").benefits
    assert benefits["en"] == ["Our own words"] and benefits["it"] == ["Parole nostre"]
    assert benefits["fr"][0] == "Réparations prioritaires" and benefits["nl"][0] == "Voorrang bij reparaties"
