"""A Gold member on a phone opens a repair request for a registered camera, gets the reference,
the instructions and the shipping slip at once, says the parcel is on its way, and later approves
the centre's quote in one click; every page passes the shell's checks (no sideways scroll, no
console error, no serious accessibility violation, valid HTML)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD
from propass.service.models import ServiceRequest
from propass.service.services import service_request_quote, service_request_receive, service_request_start
from propass.service.tests.helpers import credited
from propass.testing.browser import log_in
from propass.testing.browser_checks import PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_gold_member_asks_for_a_repair_and_approves_the_quote_on_a_phone(live_server, page, shop, owner, agent,
                                                                          settings):  # fmt: skip
    settings.SITE_URL = live_server.url
    url = live_server.url
    buy(shop, owner, tier="gold")
    credited(shop)
    page.set_viewport_size(PHONE)
    log_in(page, url, owner.email, PASSWORD)

    page.goto(f"{url}/service/")
    page_check(page)
    page.get_by_role("link", name="New service request").click()
    page_check(page)
    page.get_by_label("Product").select_option(label="EOS R5 · 012345678901")
    page.get_by_label("Repair").check()
    page.get_by_label("Description").fill("The shutter jams after a few hundred frames.")
    page.get_by_role("button", name="Send the request").click()
    request = ServiceRequest.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(request.reference)
    expect(page.locator("#instructions")).to_contain_text("Laan van Kronenburg 12")
    page_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Shipping slip (PDF)").click()
    assert download.value.suggested_filename == f"{request.reference}.pdf"
    page.get_by_label("Tracking number").fill("3SABCD1234567")
    page.get_by_role("button", name="I have sent the product").click()
    expect(page.locator("#service-status")).to_have_text("Product on its way")

    service_request_receive(agent=agent, request_id=request.pk, received_on=timezone.localdate())
    service_request_start(agent=agent, request_id=request.pk)
    service_request_quote(agent=agent, request_id=request.pk, amount="400.00", note="A new shutter unit.")
    page.reload()
    expect(page.locator(".bell .badge")).to_be_visible()
    expect(page.locator("#quote")).to_contain_text("Membership discount (15%)")
    page_check(page)
    page.get_by_role("button", name="Approve the quote").click()
    expect(page.locator("#service-status")).to_have_text("In service")
    expect(page.locator("#timeline")).to_contain_text("Quote approved")
    page_check(page)
    assert html_validate(page) == 3  # the list, the form and the request (checked three times)
