"""A member registers products in Chromium, completes one, and crosses the invitation threshold."""

import pytest
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.notifications.models import OutboxMessage
from propass.products.models import Registration
from propass.products.tests.helpers import camera
from propass.testing.browser_checks import html_validate, page_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _search(page, words):
    """Type in the catalog search and wait, as a person does, for the model list to answer."""
    with page.expect_response("**/products/catalog/**"):
        page.get_by_label("Search the catalog").fill(words)


def _register(page, url, model, serial, dealer, category="Camera"):
    page.goto(f"{url}/products/register/")
    _search(page, model.split()[-1])
    # The list narrowed to the model (and the "Choose a model" prompt).
    expect(page.locator("#id_product option")).to_have_text(["Choose a model", f"{model} ({category})"])
    page_check(page)
    page.get_by_label("Model").select_option(label=f"{model} ({category})")
    page.get_by_label("Serial number").fill(serial)
    page.get_by_label("Purchase date").fill("2024-03-01")
    page.get_by_label("Country of purchase").select_option("IT")
    page.get_by_label("Dealer").fill(dealer)
    page.get_by_role("button", name="Register").click()


def test_registering_products_earns_points_and_the_invitation(live_server, page):
    camera("EOS-R5", 220, name="EOS R5")
    camera("EOS-R1", 300, name="EOS R1")
    camera("RF-24-70", 100, name="RF 24-70mm F2.8 L IS USM", category="lens", serial_pattern="[0-9]{7}")
    business = BusinessFactory(name="Alpha Studio")
    MembershipFactory(business=business, role="superuser", user__email="owner@alpha.test")
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page_check(page)
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    _register(page, url, "EOS R5", "032021000123", "Foto Milano")
    expect(page.get_by_text("its points are credited")).to_be_visible()
    expect(page.locator("#points-total")).to_have_text("220")
    page_check(page)

    _register(page, url, "EOS R1", "012024000777", "")
    expect(page.get_by_text("Add the missing details")).to_be_visible()
    row = page.get_by_role("row", name="EOS R1")
    expect(row.get_by_text("Missing details")).to_be_visible()
    expect(row.get_by_text("dealer")).to_be_visible()
    page_check(page)

    _register(page, url, "RF 24-70mm F2.8 L IS USM", "4410023", "Foto Milano", category="Lens")
    expect(page.locator("#points-total")).to_have_text("320")
    expect(page.get_by_role("banner").locator(".badge")).to_have_count(0)

    page.get_by_role("row", name="EOS R1").get_by_role("link", name="View product").click()
    expect(page.get_by_label("Dealer")).to_be_visible()
    page_check(page)
    assert html_validate(page) == 4  # now: saving shows this URL again, complete
    page.get_by_label("Dealer").fill("Best guess: Foto Roma")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("its points are credited")).to_be_visible()
    page_check(page)
    page.get_by_role("banner").get_by_role("link", name="My products").click()
    expect(page.locator("#points-total")).to_have_text("620")
    expect(page.locator(".status.ok")).to_have_count(3)
    page_check(page)

    bell = page.get_by_role("banner").locator(".badge")
    expect(bell).to_have_text("1")
    page.get_by_role("banner").locator(".bell summary").click()
    expect(page.get_by_text("You are invited to Canon Professional Services")).to_be_visible()
    page_check(page)
    page.goto(f"{url}/")
    expect(page.locator("#points-balance")).to_have_text("620")
    page_check(page)
    assert OutboxMessage.objects.filter(template="program_invitation", to="owner@alpha.test").count() == 1
    assert html_validate(page) == 5


def test_a_late_catalog_answer_does_not_undo_the_chosen_model(live_server, page):
    """A member who picks from the list while the search is still answering keeps the choice."""
    r5 = camera("EOS-R5", 220, name="EOS R5")
    camera("EOS-R1", 300, name="EOS R1")
    camera("RF-24-70", 100, name="RF 24-70mm F2.8 L IS USM", category="lens", serial_pattern="[0-9]{7}")
    business = BusinessFactory(name="Alpha Studio")
    MembershipFactory(business=business, role="superuser", user__email="owner@alpha.test")
    url = live_server.url
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("banner")).to_be_visible()

    held = []
    page.route("**/products/catalog/**", lambda route: held.append(route))
    page.goto(f"{url}/products/register/")
    with page.expect_request("**/products/catalog/**"):
        page.get_by_label("Search the catalog").fill("EOS")
    # The answer is held back; meanwhile the member picks from the full list.
    page.get_by_label("Model").select_option(label="EOS R5 (Camera)")
    with page.expect_response("**/products/catalog/**"):
        held.pop().continue_()
    expect(page.locator("#id_product option", has_text="RF 24-70mm")).to_have_count(0)
    expect(page.get_by_label("Model")).to_have_value(str(r5.pk))

    page.unroute("**/products/catalog/**")
    _search(page, "EOS R")
    expect(page.locator("#id_product option")).to_have_count(3)
    expect(page.get_by_label("Model")).to_have_value(str(r5.pk))
    page_check(page)
    page.get_by_label("Serial number").fill("032021000123")
    page.get_by_label("Purchase date").fill("2024-03-01")
    page.get_by_label("Country of purchase").select_option("IT")
    page.get_by_label("Dealer").fill("Foto Milano")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("its points are credited")).to_be_visible()
    page_check(page)
    assert Registration.objects.get().product_id == r5.pk
    assert html_validate(page) == 2
