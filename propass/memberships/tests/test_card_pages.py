"""The card's VIEW (issue 16): /subscriptions/benefits/ (what the tier includes, used and left this
membership year), /subscriptions/card/ (the member card with its QR code) and the public check of
a card, /verify/<code>/ and GET /api/v1/verify/{code}/: valid or not, nothing else, the same answer
for every code that is not valid (no enumeration), a limited number of checks per client address."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import segno
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from propass.accounts.models import Business
from propass.core.money import date_format
from propass.memberships.benefits import (
    CARD_CHECKS_PER_MINUTE,
    allowance_use,
    member_card,
    repair_discount_take,
)
from propass.memberships.enums import BenefitKind
from propass.memberships.models import MemberCard, Subscription
from propass.memberships.services import subscription_change_plan
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.shop import buy

CHECKS = BenefitKind.MAINTENANCE_CHECKS


@pytest.fixture
def shop(program, business):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=3000, country="NL", currency="EUR")
    business.refresh_from_db()
    return business


@pytest.fixture
def gold(shop, owner):
    subscription, _invoice = buy(shop, owner, tier="gold")
    return subscription


def _row(page, code):
    return page.split(f'id="benefit-{code}"')[1].split("</tr>")[0]


# The benefits page (VIEW) ---------------------------------------------------------------------


def test_view_on_the_membership_card_opens_the_benefits_page(client, gold, owner):
    client.force_login(owner)
    page = client.get("/subscriptions/").content.decode()
    assert '<a class="button secondary" id="membership-view" href="/subscriptions/benefits/">View</a>' in page
    assert 'href="/subscriptions/manage/">Manage Subscription</a>' in page


def test_the_benefits_page_shows_what_the_tier_includes_used_and_left_this_year(client, shop, gold, owner):
    allowance_use(business=shop, kind=CHECKS, reason="Maintenance check", reference="SR-1")
    repair_discount_take(business=shop, amount=Decimal("400.00"), reason="Repair quote", reference="SR-2")
    client.force_login(owner)
    page = client.get("/subscriptions/benefits/").content.decode()
    assert "<h1>Gold membership</h1>" in page
    year_ends = gold.starts_on.replace(year=gold.starts_on.year + 1) - timedelta(days=1)
    assert f"This membership year runs from {date_format(gold.starts_on)} to {date_format(year_ends)}." in page
    assert "3 business days" in _row(page, "priority-repair")
    checks = _row(page, "maintenance-checks")
    assert "2 per membership year" in checks
    assert '<td class="amount used">1</td>' in checks and '<td class="amount remaining">1</td>' in checks
    discount = _row(page, "repair-discount")
    assert "15 % off repairs, up to €300.00 a year" in discount
    assert '<td class="amount used">€60.00</td>' in discount and '<td class="amount remaining">€240.00</td>' in discount
    assert "up to 10 days" in _row(page, "loan-equipment")
    assert "Included" in _row(page, "event-support")
    assert "return-shipping" not in page  # Platinum's
    assert 'href="/subscriptions/card/"' in page
    assert 'id="benefits-suspended"' not in page


def test_a_suspended_membership_says_plainly_that_its_benefits_cannot_be_used_now(client, gold, owner):
    Subscription.objects.filter(pk=gold.pk).update(status="suspended")
    client.force_login(owner)
    page = client.get("/subscriptions/benefits/").content.decode()
    assert "Your membership is suspended until the unpaid invoice is paid; its benefits cannot be used now." in page
    card = client.get("/subscriptions/card/").content.decode()
    assert 'id="card-suspended"' in card and "this card does not check as valid until then" in card


def test_without_a_membership_the_pages_say_so_and_the_api_answers_404(client, shop, owner):
    client.force_login(owner)
    for path in ("/subscriptions/benefits/", "/subscriptions/card/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "You have no membership yet: choose a level to get its benefits." in response.content.decode()
    assert not MemberCard.objects.exists()
    api = APIClient()
    api.force_authenticate(owner)
    response = api.get("/api/v1/benefits/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_membership"


def test_the_member_pages_need_a_login(client, gold):
    for path in ("/subscriptions/benefits/", "/subscriptions/card/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert APIClient().get("/api/v1/benefits/").status_code in (401, 403)


def test_the_benefits_api(shop, gold, owner):
    allowance_use(business=shop, kind=CHECKS, reason="Maintenance check")
    api = APIClient()
    api.force_authenticate(owner)
    body = api.get("/api/v1/benefits/").json()
    assert {key: body[key] for key in ("tier", "tier_name", "usable", "year_starts_on", "currency")} == {
        "tier": "gold", "tier_name": "Gold", "usable": True, "year_starts_on": gold.starts_on.isoformat(),
        "currency": "EUR",
    }  # fmt: skip
    assert date.fromisoformat(body["year_ends_on"]) == gold.starts_on.replace(year=gold.starts_on.year + 1) - timedelta(
        days=1
    )
    benefits = {benefit["code"]: benefit for benefit in body["benefits"]}
    assert list(benefits) == ["priority-repair", "maintenance-checks", "repair-discount", "loan-equipment",
                              "event-support", "late-repair-days"]  # fmt: skip
    contract = {"code", "kind", "name", "allowance", "used", "remaining", "turnaround_days", "percent"}
    assert all(contract <= set(benefit) for benefit in body["benefits"])
    assert {key: benefits["priority-repair"][key] for key in contract} == {
        "code": "priority-repair", "kind": "repair_turnaround", "name": "Priority repairs", "allowance": None,
        "used": None, "remaining": None, "turnaround_days": 3, "percent": None,
    }  # fmt: skip
    checks = benefits["maintenance-checks"]
    assert (checks["allowance"], checks["used"], checks["remaining"], checks["turnaround_days"]) == (
        "2",
        "1",
        "1",
        None,
    )
    discount = benefits["repair-discount"]
    assert (discount["percent"], discount["allowance"], discount["used"], discount["remaining"]) == (
        "15.00", "300.00", "0.00", "300.00",
    )  # fmt: skip
    assert (benefits["loan-equipment"]["days"], benefits["loan-equipment"]["turnaround_days"]) == (10, None)


# The member card --------------------------------------------------------------------------------


def test_the_card_shows_the_membership_and_a_qr_code_of_its_absolute_verify_address(client, shop, gold, owner):
    client.force_login(owner)
    response = client.get("/subscriptions/card/")
    page = response.content.decode()
    card = MemberCard.objects.get()
    url = f"{settings.SITE_URL}/verify/{card.code}/"
    assert url.startswith("http") and card.code in url and len(card.code) >= 32
    assert "Canon Professional Services" in page and "<h1" in page and "Gold membership</h1>" in page
    assert f'<dd id="card-business">{shop.name}</dd>' in page
    assert f'<dd id="card-number">{gold.membership_number}</dd>' in page
    assert f'<dd id="card-valid-until">{date_format(gold.expires_on)}</dd>' in page
    assert f'<a id="verify-link" href="{url}">' in page
    # The QR code encodes exactly that address: segno draws the same symbol from it, and another
    # address (another code) gives another symbol.
    svg = re.search(r'<svg [^>]*class="qr">.*?</svg>', page, re.S).group(0)
    expected = segno.make(url, error="m").svg_inline(omitsize=True, svgclass="qr", lineclass="qr-line", dark="#000")
    assert svg == expected
    other = segno.make(url.replace(card.code, "x" * len(card.code)), error="m")
    assert other.svg_inline(omitsize=True, svgclass="qr", lineclass="qr-line", dark="#000") != svg
    # Inline SVG that the CSP accepts: no style attribute, no script, no inline event handler.
    assert "style=" not in svg and "<script" not in svg and " on" not in svg.split(">")[0]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    # The same card on the next visit; a print stylesheet prints the card alone.
    client.get("/subscriptions/card/")
    assert MemberCard.objects.count() == 1
    css = (settings.BASE_DIR / "propass" / "static" / "css" / "propass.css").read_text()
    assert "@media print" in css and "body:has(.member-card) .topbar" in css


# The public check ------------------------------------------------------------------------------


def test_a_valid_card_checks_as_valid_for_anyone_with_nothing_but_program_tier_end_and_business(shop, gold, owner):
    card = member_card(business=shop)
    anyone = Client()
    response = anyone.get(f"/verify/{card.code}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "✔ Valid member card" in page
    assert '<dd id="verify-program">Canon Professional Services</dd>' in page
    assert '<dd id="verify-tier">Gold</dd>' in page
    assert f'<dd id="verify-valid-until">{date_format(gold.expires_on)}</dd>' in page
    assert f'<dd id="verify-business">{shop.name}</dd>' in page
    assert gold.membership_number not in page and owner.email not in page
    # No search engine keeps it; the code in the address is never sent on to another site.
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    api = APIClient().get(f"/api/v1/verify/{card.code}/")
    assert api.status_code == 200
    assert api.json() == {"valid": True, "program": "Canon Professional Services", "tier": "Gold",
                          "valid_until": gold.expires_on.isoformat(), "business": shop.name}  # fmt: skip
    assert api["Referrer-Policy"] == "no-referrer"


def _page_without_request_noise(response, code):
    """The page as anyone would read it: without the CSRF token (masked afresh for every
    request, whatever the code) and the requested address, which the language switch sends
    back to (the caller's own input)."""
    html = response.content.decode()
    html = re.sub(r'name="next" type="hidden" value="[^"]*"', 'name="next" type="hidden" value=""', html)
    assert code not in html  # nowhere else
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": ""', html)


def test_unknown_expired_replaced_and_ended_codes_get_the_same_answer(shop, gold, owner):
    silver_era = member_card(business=shop).code
    subscription_change_plan(business=shop, actor=owner, tier_code="platinum")
    replaced = silver_era  # the upgrade made a new card: the old code stops checking
    current = member_card(business=shop).code
    assert current != replaced
    answers = {}
    codes = {"unknown": "A" * 32, "replaced": replaced, "garbage": "x" * 200, "short": "Zq9"}
    for name, code in codes.items():
        answers[name] = (Client().get(f"/verify/{code}/"), APIClient().get(f"/api/v1/verify/{code}/"), code)
    Subscription.objects.filter(pk=gold.pk).update(status="expired")  # ended
    answers["ended"] = (Client().get(f"/verify/{current}/"), APIClient().get(f"/api/v1/verify/{current}/"), current)
    pages = {name: _page_without_request_noise(page, code) for name, (page, _api, code) in answers.items()}
    apis = {name: api.content for name, (_page, api, _code) in answers.items()}
    assert {(page.status_code, api.status_code) for page, api, _code in answers.values()} == {(200, 200)}
    assert len(set(pages.values())) == 1 and "✘ Not a valid member card" in pages["unknown"]
    assert len(set(apis.values())) == 1
    assert APIClient().get(f"/api/v1/verify/{'A' * 32}/").json() == {
        "valid": False, "program": "", "tier": "", "valid_until": None, "business": "",
    }  # fmt: skip
    header_names = {
        name: sorted(key for key in page.headers if key.lower() not in ("set-cookie", "content-length"))
        for name, (page, _api, _code) in answers.items()
    }
    assert len({tuple(names) for names in header_names.values()}) == 1


def test_the_checks_are_limited_per_client_address_pages_and_api_together(shop, gold):
    code = member_card(business=shop).code
    for n in range(CARD_CHECKS_PER_MINUTE):
        client = APIClient() if n % 2 else Client()
        path = f"/api/v1/verify/{code}/" if n % 2 else f"/verify/{code}/"
        # What the client writes in X-Forwarded-For does not make it another client.
        assert client.get(path, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code == 200
    page = Client().get(f"/verify/{'B' * 32}/", REMOTE_ADDR="198.51.100.7")
    assert page.status_code == 429
    assert "Too many cards were checked from your network. Please wait a minute and try again." in (
        page.content.decode()
    )
    assert "Valid member card" not in page.content.decode()
    api = APIClient().get(f"/api/v1/verify/{code}/", REMOTE_ADDR="198.51.100.7")
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "rate_limited"
    assert api.json()["error"]["message"].startswith("Too many cards were checked")
    # Another client is not held up.
    assert Client().get(f"/verify/{code}/", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_the_check_speaks_the_readers_language(shop, gold):
    code = member_card(business=shop).code
    response = Client().get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    page = response.content.decode()
    assert '<html lang="de">' in page and response["Content-Language"] == "de"
    assert f'<dd id="verify-valid-until">{date_format(gold.expires_on, "de")}</dd>' in page
    assert gold.expires_on.strftime("%d.%m.%Y") in page
    api = APIClient().get(f"/api/v1/verify/{'A' * 200}/", HTTP_ACCEPT_LANGUAGE="nl")
    assert api.status_code == 200 and api.json()["valid"] is False
