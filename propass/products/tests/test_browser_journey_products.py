"""The products journey in German, in Chromium at phone and desktop width: a member of an approved
business registers a product through MY PRODUCTS (one refused serial number first), opens it, then
brings the products of the old CPS program over with MIGRATE PRODUCTS. Every page passes
page_check (no sideways scroll, no console error, no serious or critical axe violation) and the
Nu validator."""

import io
import re

import pytest
from django.utils.translation import gettext, ngettext, override
from playwright.sync_api import expect

from propass.accounts.models import Business
from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.catalog.serials import serial_format
from propass.core.money import points_format
from propass.products.enums import RegistrationStatus
from propass.products.legacy import legacy_import
from propass.products.models import LegacyAccount, Registration
from propass.products.tests.helpers import camera, register
from propass.products.tests.legacy_data import cameras, twelve_products
from propass.testing.browser_checks import DESKTOP, PHONE, console_watch, html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG = "de"
EMAIL = "inhaber@bildwerk.example"


def t(text: str) -> str:
    """The interface's words as the German reader sees them."""
    with override(LANG):
        return gettext(text)


def points(value: int) -> str:
    return points_format(value, LANG)


@pytest.fixture
def business(db):
    """An approved German business whose old CPS e-mail holds 12 products (8 complete, 3
    lacking details, 1 whose serial another business holds), and the model it registers now."""
    models = cameras()
    camera("EOS-R5", 220, name="EOS R5")
    register(BusinessFactory(name="Someone Else"), models[0], serial="099999999999")
    legacy_import(stream=io.BytesIO(twelve_products("alt.studio@example.com")))
    business = BusinessFactory(
        name="Berliner Bildwerk GmbH", country="DE", currency="EUR", legacy_email="Alt.Studio@example.com"
    )
    MembershipFactory(business=business, role="superuser", user__email=EMAIL, user__language=LANG)
    return business


@pytest.fixture
def page(browser):
    """The member's browser, set to German (the conftest `page` is British English), so that the
    login page is German too. Any console error (CSP violations included) or page error fails the
    test, also one after the last page_check."""
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    console_watch(page)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert problems == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_german_member_registers_a_product_and_migrates_the_old_ones(live_server, page, business, viewport):
    url = live_server.url
    page.set_viewport_size(viewport)
    page.goto(f"{url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page_check(page)
    page.get_by_label(t("E-mail")).fill(EMAIL)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Log in")).click()
    expect(page).to_have_url(f"{url}/")
    expect(page.locator("#points-balance")).to_have_text("0")
    page_check(page)

    page.get_by_role("banner").get_by_role("link", name=t("My products")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My products"))
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    expect(page.get_by_text(t("You have not registered any products yet."))).to_be_visible()
    expect(page.get_by_role("link", name=t("Migrate products"))).to_be_visible()
    page_check(page)

    # Register a product: the serial number first typed is refused, with the expected format.
    page.get_by_role("link", name=t("Register a product")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Register a product"))
    page_check(page)
    with page.expect_response("**/products/catalog/**"):
        page.get_by_label(t("Search the catalog")).fill("R5")
    model = f"EOS R5 ({t('Camera')})"
    expect(page.locator("#id_product option")).to_have_text([t("Choose a model"), model])
    page.get_by_label(t("Model"), exact=True).select_option(label=model)
    page.get_by_label(t("Serial number")).fill("R5-0321")
    page.get_by_label(t("Purchase date")).fill("2024-03-01")
    page.get_by_label(t("Country of purchase")).select_option("DE")
    page.get_by_label(t("Dealer")).fill("Foto Koch Düsseldorf")
    page.get_by_role("button", name=t("Register"), exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    with override(LANG):
        words, example = serial_format("[0-9]{12}")
    expect(summary).to_contain_text(words)
    expect(summary).to_contain_text(example)
    expect(page.get_by_label(t("Serial number"))).to_have_attribute("aria-invalid", "true")
    page_check(page)
    assert not Registration.objects.filter(business=business).exists()

    page.get_by_label(t("Serial number")).fill("032021000123")
    page.get_by_role("button", name=t("Register"), exact=True).click()
    expect(page.get_by_text(t("Your product is registered and its points are credited."))).to_be_visible()
    expect(page.locator("#points-total")).to_have_text(points(220))
    row = page.get_by_role("row", name=re.compile("EOS R5"))
    expect(row).to_contain_text("032021000123")
    expect(row).to_contain_text("01.03.2024")
    page_check(page)

    row.get_by_role("link", name=t("View product")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EOS R5")
    with override(LANG):
        credited = ngettext("%(counter)s point credited", "%(counter)s points credited", 220) % {"counter": 220}
    expect(page.get_by_role("main")).to_contain_text(credited)
    page_check(page)

    # MIGRATE PRODUCTS: the preview counts what comes over; confirming brings it.
    page.get_by_role("main").get_by_role("link", name=t("My products")).click()
    page.get_by_role("link", name=t("Migrate products")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Migrate products"))
    expect(page.locator("#migrate-products")).to_have_text("12")
    expect(page.locator("#migrate-complete")).to_have_text("8")
    expect(page.locator("#migrate-incomplete")).to_have_text("3")
    expect(page.locator("#migrate-review")).to_have_text("1")
    page_check(page)
    page.get_by_role("button", name=t("Confirm migration")).click()

    with override(LANG):
        migrated = gettext(
            "%(products)s products migrated: %(complete)s credited, %(incomplete)s missing details, "
            "%(review)s under review."
        ) % {"products": 12, "complete": 8, "incomplete": 3, "review": 1}
    expect(page.get_by_text(migrated)).to_be_visible()
    expect(page.locator("#points-total")).to_have_text(points(1020))
    expect(page.locator("td .status.ok")).to_have_count(9)
    expect(page.locator("td .status.queued")).to_have_count(3)
    expect(page.locator("td .status.under_review")).to_have_count(1)
    expect(page.get_by_role("link", name=t("Migrate products"))).to_have_count(0)
    page_check(page)
    assert html_validate(page) == 6

    statuses = list(Registration.objects.filter(business=business).values_list("status", flat=True))
    assert (statuses.count(RegistrationStatus.COMPLETE), len(statuses)) == (9, 13)
    assert Business.objects.get(pk=business.pk).points_balance == 1020
    assert LegacyAccount.objects.get().migrated_to == business
