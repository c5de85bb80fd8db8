"""Shared steps of the journey browser tests: a browser that speaks the journey's language, the
interface's words in that language, a member of a business ready to buy, and the checkout's
pages walked from MY SUBSCRIPTIONS to the membership card, each checked with page_check."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.utils.translation import gettext, ngettext, override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from propass.accounts.models import BusinessMembership, User
from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.core.money import money_format
from propass.memberships.forms import CARD_TEXT
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import console_watch, page_check


def words(language: str) -> Callable[..., str]:
    """`_ = words("it")`; `_("Purchase")` is "Acquista", `_("Choose %(tier)s", tier="Silver")`
    fills the placeholders: the test finds the page's elements by the words a reader sees."""

    def translate(text: str, **values: object) -> str:
        with override(language):
            translated = gettext(text)
        return translated % values if values else translated

    return translate


def words_plural(language: str, singular: str, plural: str, count: int, **values: object) -> str:
    with override(language):
        return ngettext(singular, plural, count) % values


@contextmanager
def browser_page(browser: Browser, locale: str, viewport: dict) -> Iterator[Page]:
    """A page in a fresh context whose browser speaks `locale` ("it-IT": pages before the login
    are in its language), watched as the `page` fixture watches its own: console errors for
    page_check, and any CSP violation or page error fails at the end."""
    context = browser.new_context(locale=locale, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    console_watch(page)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert problems == []


def shop_member(*, language: str, country: str, name: str, email: str, points: int = 700) -> User:
    """The program, its sellers and tiers, and the owner of a business of `country` paying in
    EUR with `points`, business and owner in `language`."""
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name=name, country=country, currency="EUR", points_balance=points, language=language)
    membership: BusinessMembership = MembershipFactory.create(
        business=business, role="superuser", user__email=email, user__language=language
    )
    return membership.user


def member_log_in(page: Page, url: str, email: str, password: str, language: str) -> None:
    """The login page in the browser's language, then the member's dashboard in theirs."""
    page.goto(f"{url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page_check(page)
    log_in(page, url, email, password)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page_check(page)


def staff_log_in(page: Page, url: str, user: User, password: str, language: str) -> None:
    """`log_in_staff` (propass/testing/browser.py) with page_check on the login page, the
    two-factor page and the back-office dashboard it leads to."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    page.goto(f"{url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page_check(page)
    log_in(page, url, user.email, password)
    expect(page.locator("#id_code")).to_be_visible()
    page_check(page)
    page.locator("#id_code").fill(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
    page.locator("button.primary").click()
    expect(page).to_have_url(f"{url}/backoffice/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page_check(page)


def eur(amount: str | Decimal, language: str, *, price_tag: bool = False) -> str:
    return money_format(Decimal(amount), "EUR", language, price_tag=price_tag)


def tiers_open(page: Page, language: str) -> None:
    """MY SUBSCRIPTIONS from the top bar: the levels, Silver within reach."""
    _ = words(language)
    page.get_by_role("banner").get_by_role("link", name=_("My subscriptions")).click()
    expect(page.get_by_role("heading", level=1, name=_("My subscriptions"))).to_be_visible()
    expect(page.locator("#tier-silver")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    current_tab_shown(page)
    page_check(page)


def current_tab_shown(page: Page) -> None:
    """The top bar's current section is in sight, also on a phone where the sections scroll
    sideways in their row."""
    tab = page.get_by_role("banner").locator("a.tab[aria-current='page']")
    row = page.get_by_role("banner").locator("ul.tabs")
    expect(tab).to_be_visible()
    box, shown = tab.bounding_box(), row.bounding_box()
    assert box and shown and shown["x"] <= box["x"] and box["x"] + box["width"] <= shown["x"] + shown["width"] + 0.5, (
        f"the current section {tab.inner_text()!r} is out of sight in the top bar: {box} in {shown}"
    )


def review_open(page: Page, language: str, tier: str = "Silver") -> None:
    """Choose a tier: the review page, with the tier and its yearly price."""
    _ = words(language)
    page.get_by_role("link", name=_("Choose %(tier)s", tier=tier)).click()
    expect(page.get_by_role("heading", level=1, name=_("Please review your information"))).to_be_visible()
    expect(page.locator("#plan-name")).to_have_text(f"Canon Professional Services : {tier}")
    page_check(page)


def review_submit(page: Page, language: str, po_number: str = "") -> None:
    """PO number, the terms accepted, PURCHASE: the payment option page."""
    _ = words(language)
    if po_number:
        page.get_by_label(_("Purchase Order Number")).fill(po_number)
    page.get_by_label(_("Please accept the CPS")).check()
    page.get_by_role("button", name=_("Purchase")).click()
    expect(page.get_by_role("heading", level=1, name=_("Please select payment option"))).to_be_visible()


def card_choose(page: Page, language: str, token: str) -> None:
    _ = words(language)
    with override(language):
        page.get_by_label(str(CARD_TEXT)).check()
    page.get_by_label(_("Card"), exact=True).select_option(token)


def checkout_done(page: Page, language: str) -> None:
    """CHECKOUT: the membership card, SUBSCRIPTION ACTIVE."""
    _ = words(language)
    page.get_by_role("button", name=_("Checkout")).click()
    expect(page.locator("#membership-heading")).to_contain_text(_("Subscription active"))
    expect(page.locator("html")).to_have_attribute("lang", language)
