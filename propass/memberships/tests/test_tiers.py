import pytest
from rest_framework.test import APIClient

from propass.accounts.models import Business
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
