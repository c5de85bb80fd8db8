"""The service journey in Dutch, in Chromium: a Gold member opens a repair request for a
registered camera from the benefits page, gets the reference and the shipping slip; a service
agent in a second browser (one of the two at 390 px, the other at 1280 px, then the other way
round) records receipt on a Thursday before a Dutch public holiday, so the promise skips the
holiday and the weekend; diagnosis, a quote with Gold's 15 %
discount; the member approves it; the agent marks it ready, ships it, closes it. The member saw
each step under the bell and by e-mail (the reference in every subject), and the benefits page
shows the discount used and the request. Every page of both people passes page_check; the HTML
the server sent passes the Nu checker.

The clock is set to that Thursday (the next one from today), the day the whole journey happens."""

import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import override
from playwright.sync_api import expect

from propass.accounts.models import Business
from propass.accounts.tests.factories import PASSWORD
from propass.notifications.models import Notification, OutboxMessage
from propass.service.enums import ServiceStatus
from propass.service.models import ServiceRequest
from propass.service.seed import service_seed
from propass.service.tests.helpers import credited
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.journeys import browser_page, eur, member_log_in, shop_member, staff_log_in, words
from propass.testing.shop import buy
from propass.testing.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NL = "nl"
_ = words(NL)


def thursday_before_dutch_holiday(start: date) -> date:
    """The first Thursday from `start` (itself a working day) whose Friday or following Monday is
    a Dutch public holiday."""
    dutch = holidays.country_holidays("NL", years=range(start.year, start.year + 3))
    day = start + timedelta(days=(3 - start.weekday()) % 7)
    while day in dutch or not ({day + timedelta(days=1), day + timedelta(days=4)} & set(dutch)):
        day += timedelta(days=7)
    return day


def working_days_after(day: date, count: int) -> date:
    """`count` Dutch working days after `day`, counted by hand (the test's own reckoning)."""
    dutch = holidays.country_holidays("NL", years=range(day.year, day.year + 2))
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in dutch:
            count -= 1
    return day


@pytest.mark.parametrize(("member_width", "agent_width"), [(PHONE, DESKTOP), (DESKTOP, PHONE)],
                         ids=["member-390px", "agent-390px"])  # fmt: skip
def test_a_gold_members_repair_from_request_to_closed(live_server, browser, tmp_path, member_width, agent_width):
    thursday = thursday_before_dutch_holiday(date.today())
    promised = working_days_after(thursday, 3)  # Gold: 3 business days
    assert (promised - thursday).days >= 6  # the weekend and the holiday were skipped
    nine = datetime(thursday.year, thursday.month, thursday.day, 9, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(nine, tick=True):
        _journey(live_server.url, browser, tmp_path, thursday, promised, member_width, agent_width)


def _journey(url, browser, tmp_path, thursday, promised, member_width, agent_width):
    owner = shop_member(language=NL, country="NL", name="Amsterdam Lens B.V.", email="owner@lens.test", points=1200)
    business = Business.objects.get(memberships__user=owner)
    service_seed()
    buy(business, owner, tier="gold")
    credited(business)
    agent = staff_user("service@propass.test", "service", first_name="Sanne", last_name="de Vries", language=NL)

    with browser_page(browser, "nl-NL", member_width) as member, browser_page(browser, "nl-NL", agent_width) as desk:
        # The member opens a repair request from what the card's VIEW opens.
        member_log_in(member, url, owner.email, PASSWORD, NL)
        member.goto(f"{url}/subscriptions/benefits/")
        page_check(member)
        member.locator("#recent-service").get_by_role("link", name=_("New service request")).click()
        page_check(member)
        member.get_by_label(_("Product")).select_option(label="EOS R5 · 012345678901")
        member.get_by_label(_("Repair")).check()
        member.get_by_label(_("Description")).fill("De sluiter blijft na een paar honderd opnamen hangen.")
        member.get_by_role("button", name=_("Send the request")).click()
        request = ServiceRequest.objects.get()
        expect(member.get_by_role("heading", level=1)).to_have_text(request.reference)
        expect(member.locator("#instructions")).to_contain_text("Laan van Kronenburg 12")
        page_check(member)
        with member.expect_download() as download:
            member.get_by_role("link", name=_("Shipping slip (PDF)")).click()
        slip = tmp_path / "slip.pdf"
        download.value.save_as(slip)
        text = subprocess.run(["pdftotext", str(slip), "-"], capture_output=True, text=True, check=True).stdout
        assert request.reference in text

        # The agent finds it in the queue and records receipt today, a Thursday.
        staff_log_in(desk, url, agent, PASSWORD, NL)
        desk.get_by_role("navigation").get_by_role("link", name=_("Service"), exact=True).click()
        page_check(desk)
        desk.get_by_role("link", name=request.reference).click()
        expect(desk.locator("#context-membership")).to_contain_text("Gold")
        expect(desk.locator("#context-registration")).to_contain_text("012345678901")
        page_check(desk)
        expect(desk.get_by_label(_("Day the product arrived"))).to_have_value(thursday.isoformat())
        desk.get_by_role("button", name=_("Record receipt")).click()
        expect(desk.locator("#promised-by")).to_contain_text(_date(promised))
        page_check(desk)
        desk.get_by_role("textbox", name=_("Diagnosis")).fill("Sluitereenheid defect.")
        desk.get_by_role("button", name=_("Start work")).click()
        page_check(desk)

        # The quote: 400 € before Gold's 15 % (60 €, within the 300 € cap).
        desk.get_by_label(_("Repair, excl. VAT, before the discount")).fill("400")
        desk.get_by_role("button", name=_("Show the discount")).click()
        expect(desk.locator("#quote-preview")).to_contain_text(eur("60", NL))
        expect(desk.locator("#quote-preview")).to_contain_text(eur("340", NL))
        expect(desk.locator("#quote-preview")).to_contain_text(eur("300", NL))  # the cap left
        page_check(desk)
        desk.get_by_role("button", name=_("Send the quote")).click()
        expect(desk.locator("#waiting")).to_be_visible()

        # The member: the bell, the promise, the quote; approves in one click.
        member.reload()
        expect(member.locator(".bell .badge")).to_be_visible()
        expect(member.locator("#promised-by")).to_contain_text(_date(promised))
        expect(member.locator("#timeline")).to_contain_text("Sluitereenheid defect.")
        expect(member.locator("#quote")).to_contain_text(eur("340", NL))
        page_check(member)
        member.get_by_role("button", name=_("Approve the quote")).click()
        expect(member.locator("#service-status")).to_contain_text(_label(ServiceStatus.IN_SERVICE))

        # The agent finishes, ships and closes.
        desk.reload()
        desk.get_by_role("button", name=_("Work done: ready to ship back")).click()
        page_check(desk)
        desk.get_by_label(_("Carrier")).fill("PostNL")
        desk.get_by_label(_("Tracking number")).fill("3SCPS0001234")
        desk.get_by_role("button", name=_("Record the shipment")).click()
        page_check(desk)
        desk.get_by_role("button", name=_("Close the request")).click()
        expect(desk.locator("#service-status")).to_contain_text(_label(ServiceStatus.CLOSED))

        # The member's side: the timeline, the bell, the benefits page.
        member.reload()
        for step in ("Request registered", "Product received by the service centre", "Work started", "Quote sent",
                     "Quote approved", "Ready to ship back", "Shipped back", "Request closed"):  # fmt: skip
            expect(member.locator("#timeline")).to_contain_text(_(step))
        expect(member.locator("#timeline")).to_contain_text("3SCPS0001234")
        page_check(member)
        member.goto(f"{url}/notifications/")
        closed = _("%(reference)s: your service request is closed", reference=request.reference)
        expect(member.get_by_text(closed)).to_be_visible()
        page_check(member)
        member.goto(f"{url}/subscriptions/benefits/")
        expect(member.locator("#benefit-repair-discount .used")).to_have_text(eur("60", NL))
        expect(member.locator("#benefit-repair-discount .remaining")).to_have_text(eur("240", NL))
        expect(member.locator("#recent-service")).to_contain_text(request.reference)
        page_check(member)
        assert html_validate(member) >= 5
        assert html_validate(desk) >= 4

    # Every step under the bell and by e-mail, in Dutch, the reference in each subject.
    steps = 8  # registered, received, started, quoted, approved, ready, shipped, closed
    bell = Notification.objects.filter(user=owner, params__reference=request.reference)
    assert bell.count() == steps
    subjects = list(OutboxMessage.objects.filter(to=owner.email, subject__contains=request.reference).values_list(
        "subject", flat=True))  # fmt: skip
    assert len(subjects) == steps
    assert _("%(reference)s: your service request is closed", reference=request.reference) in subjects


def _label(status: ServiceStatus) -> str:
    with override(NL):
        return str(status.label)


def _date(day: date) -> str:
    with override(NL):
        return date_format(day, "SHORT_DATE_FORMAT")
