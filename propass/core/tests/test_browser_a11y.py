"""The member's and the staff's main screens on a phone (390 px) and a desktop (1280 px), in
Italian and German: no page scrolls sideways, no console error, no serious or critical axe-core
violation (propass/testing/browser_checks.py), the keyboard focus visible on fields, and the
error summary of a failed submit announced and focused."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory, UserFactory
from propass.backoffice.tests.test_reports import make_application
from propass.billing.models import Invoice
from propass.notifications.services import notification_create
from propass.onboarding.models import ApplicationStatus
from propass.products.tests.helpers import camera, register
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in, log_in_staff
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member_with_history():
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Studio Fotografico Rossi S.r.l.", country="IT", currency="EUR", points_balance=600)
    owner = MembershipFactory(
        business=business, role="superuser", user__email="owner@rossi.test", user__language="it"
    ).user
    for n in range(3):
        register(business, camera(f"EOS-R{n + 5}"), serial=f"01234567890{n}", actor=owner)
    buy(business, owner, method="bank_transfer")
    notification_create(user=owner, kind="test", title=_("Your invoice is ready"), url="/")
    return owner


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_member_walks_products_subscriptions_notifications_and_account_in_italian(live_server, page, viewport):
    owner = _member_with_history()
    page.set_viewport_size(viewport)
    log_in(page, live_server.url, owner.email, PASSWORD)
    page.goto(f"{live_server.url}/products/")
    page.locator("#language-switch").select_option("it")
    page.locator("form:has(#language-switch) button").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_role("table")).to_contain_text("012345678902")
    page_check(page)
    # The bar stays one compact block on a phone: brand and icons, then the sections.
    assert page.get_by_role("banner").bounding_box()["height"] <= 100

    banner = page.get_by_role("banner")
    banner.get_by_role("link", name="I miei abbonamenti").click()
    expect(page).to_have_url(f"{live_server.url}/subscriptions/")
    expect(page.get_by_role("table").first).to_be_visible()
    page_check(page)

    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("table")).to_be_visible()
    page_check(page)

    banner.get_by_role("link", name="Il mio account").click()
    expect(page).to_have_url(f"{live_server.url}/account/")
    page_check(page)
    assert html_validate(page) == 4


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_staff_walk_the_applications_queue_and_the_invoices_in_german(live_server, page, viewport):
    program_seed()
    sellers_seed()
    tiers_seed()
    now = timezone.now()
    waiting = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED]
    for n, status in enumerate(waiting):
        make_application(n, now - timedelta(days=n), status)
    business = BusinessFactory(name="Berliner Bildwerk GmbH", country="DE", currency="EUR", points_balance=600)
    owner = MembershipFactory(business=business, role="superuser").user
    _subscription, invoice = buy(business, owner, method="bank_transfer")
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=12))
    user = UserFactory(email="finance@propass.test", is_staff=True, language="de")
    user.groups.add(Group.objects.get_or_create(name="finance")[0])
    user.groups.add(Group.objects.get_or_create(name="validation")[0])

    page.set_viewport_size(viewport)
    log_in_staff(page, live_server.url, user, PASSWORD)
    page.goto(f"{live_server.url}/backoffice/applications/")
    page.locator("#language-switch").select_option("de")
    page.locator("form:has(#language-switch) button").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Studio 1")).to_be_visible()
    page_check(page)

    page.get_by_role("link", name="Finanzen").click()
    expect(page.get_by_role("link", name=invoice.number, exact=True)).to_be_visible()
    page_check(page)
    page.get_by_role("link", name=invoice.number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(invoice.number)
    page_check(page)
    assert html_validate(page) == 3


FOCUS_RING = """(element) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  let behind = element.parentElement;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) behind = behind.parentElement;
  const style = getComputedStyle(element);
  const a = luminance(rgb(style.outlineColor));
  const b = luminance(rgb(getComputedStyle(behind || document.body).backgroundColor));
  const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast};
}"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_keyboard_focus_is_visible_and_a_failed_submit_focuses_the_error_summary(live_server, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/apply/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate(FOCUS_RING, page.evaluate_handle("document.activeElement"))
    assert ring["style"] == "solid" and ring["width"] >= 2 and ring["contrast"] >= 3, ring
    page.locator("#id_first_name").focus()
    ring = page.locator("#id_first_name").evaluate(FOCUS_RING)
    assert ring["style"] == "solid" and ring["width"] >= 2 and ring["contrast"] >= 3, ring

    page.get_by_label("First name").fill("Giulia")
    page.get_by_role("button", name="Submit application").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please correct the fields marked below.")
    summary.get_by_role("link", name=re.compile("^Last name")).click()
    expect(page.get_by_label("Last name")).to_be_focused()
    page_check(page)
