"""Journey, in English: a member manages their card-paid Silver membership. Change Plan to Gold
shows the pro-rata amount with VAT before anything is invoiced; "Cancel the renewal" asks first
and can be undone; "End now with a refund" asks first, with the credit note's amount, and the
page then says when the membership ended. Every page passes page_check, and the HTML the
server sent validates (the confirmation pages answer a POST at the manage page's URL, so they
are validated as they come, before the next page at that URL replaces them)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import expect

from propass.accounts.tests.factories import PASSWORD, BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect
from propass.billing.models import Invoice, InvoiceLine, InvoiceRequest
from propass.core.money import date_format, money_format
from propass.memberships.models import Subscription
from propass.program_admin.setup import program_seed, sellers_seed, tiers_seed
from propass.testing.browser import log_in
from propass.testing.browser_checks import DESKTOP, PHONE, html_validate, page_check
from propass.testing.shop import buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG = "en"
DAYS_AGO = 10  # bought ten days ago: inside the refund window (14 days), and the upgrade is pro rata


def _t(message: str, **values: object) -> str:
    with override(LANG):
        text = gettext(message)
    return text % values if values else text


def _money(amount: Decimal) -> str:
    return money_format(amount, "GBP", LANG)


def _silver_paid_by_card():
    """A UK business with points enough for Gold, whose owner bought Silver by card ten days
    ago; the card was charged for the invoice."""
    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="London Lens Ltd", country="GB", currency="GBP", points_balance=1200)
    owner = MembershipFactory(
        business=business, role="superuser", user__email="owner@london.test", user__language=LANG
    ).user
    subscription, invoice = buy(business, owner, tier="silver", method="card")
    shift = timedelta(days=DAYS_AGO)
    starts, expires = subscription.starts_on - shift, subscription.expires_on - shift
    Subscription.objects.filter(pk=subscription.pk).update(starts_on=starts, expires_on=expires)
    InvoiceRequest.objects.filter(subscription=subscription).update(period_start=starts, period_end=expires)
    InvoiceLine.objects.filter(invoice=invoice).update(period_start=starts, period_end=expires)
    invoice_collect(invoice_id=invoice.pk, today=invoice.due_date)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    return owner, Subscription.objects.get(pk=subscription.pk), invoice


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_member_upgrades_cancels_and_resumes_the_renewal_then_ends_with_a_refund(live_server, page, viewport):
    owner, subscription, silver_invoice = _silver_paid_by_card()
    url = live_server.url
    page.set_viewport_size(viewport)
    log_in(page, url, owner.email, PASSWORD)

    # My subscriptions → View (the benefits) → Manage Subscription.
    page.goto(f"{url}/subscriptions/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    expect(page.locator("#membership-number")).to_have_text(subscription.membership_number)
    page_check(page)
    page.get_by_role("link", name=_t("View"), exact=True).click()
    expect(page).to_have_url(f"{url}/subscriptions/benefits/")
    page_check(page)
    page.get_by_role("main").get_by_role("link", name=_t("Manage Subscription"), exact=True).click()
    expect(page).to_have_url(f"{url}/subscriptions/manage/")
    expect(page.get_by_role("heading", level=1)).to_have_text(_t("Manage Subscription"))
    page_check(page)

    # Change Plan to Gold: first the preview, with the amount for the days left and its VAT.
    today = timezone.localdate()
    days_left = (subscription.expires_on - today).days
    days_in_term = (subscription.expires_on - subscription.starts_on).days
    amount = (Decimal("85") * days_left / days_in_term).quantize(Decimal("0.01"))  # Gold £170 - Silver £85
    vat = (amount * Decimal("0.20")).quantize(Decimal("0.01"))
    total = amount + vat
    assert amount < Decimal("85")  # pro rata, not the whole year's difference
    requests_before, invoices_before = InvoiceRequest.objects.count(), Invoice.objects.count()
    page.get_by_label(_t("New level")).select_option(label="Gold")
    page.get_by_role("button", name=_t("Change Plan")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_t("Change to %(tier)s?", tier="Gold"))
    expect(page.locator("#confirm-amount")).to_have_text(
        _t(
            "For the %(days)s days left in the term you are invoiced %(amount)s excl. VAT + VAT %(rate)s%%: "
            "%(vat)s = %(total)s.",
            days=days_left, amount=_money(amount), rate="20", vat=_money(vat), total=_money(total),
        )
    )  # fmt: skip
    page_check(page)
    assert html_validate(page) == 3
    # Nothing is changed nor invoiced by the preview.
    assert Subscription.objects.get().tier.code == "silver"
    assert (InvoiceRequest.objects.count(), Invoice.objects.count()) == (requests_before, invoices_before)

    page.get_by_role("button", name=_t("Confirm the change")).click()
    expect(page.get_by_role("status")).to_contain_text(
        _t(
            "You are now %(tier)s. The difference for the %(days)s days left is %(amount)s excl. VAT.",
            tier="Gold", days=days_left, amount=_money(amount),
        )
    )  # fmt: skip
    expect(page.get_by_role("heading", name="Canon Professional Services : Gold")).to_be_visible()
    page_check(page)
    assert Subscription.objects.get().tier.code == "gold"
    upgrade = Invoice.objects.get(kind="invoice", request__kind=InvoiceRequest.Kind.UPGRADE)
    assert (upgrade.net, upgrade.vat, upgrade.total) == (amount, vat, total)

    # Cancel the renewal: asked first, with the end date and the way back.
    expires = date_format(subscription.expires_on, LANG)
    page.get_by_role("button", name=_t("Cancel the renewal")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_t("Cancel the renewal?"))
    expect(page.locator("#confirm-effect")).to_have_text(
        _t(
            "Your %(tier)s membership stays active until %(date)s and then ends; it is not renewed and nothing "
            "more is invoiced.",
            tier="Gold", date=expires,
        )
    )  # fmt: skip
    expect(page.get_by_text(_t("You can resume the renewal on this page at any time until then."))).to_be_visible()
    page_check(page)
    assert html_validate(page) == 3
    assert Subscription.objects.get().cancelled_at is None

    page.get_by_role("button", name=_t("Cancel the renewal")).click()
    expect(page.get_by_role("status")).to_contain_text(
        _t("Your membership will not renew; it stays active until it expires. You can resume the renewal until then.")
    )
    expect(
        page.get_by_text(_t("The renewal is cancelled: the membership stays active until %(date)s.", date=expires))
    ).to_be_visible()
    page_check(page)
    cancelled = Subscription.objects.get()
    assert cancelled.cancelled_at is not None and cancelled.auto_renew is False

    page.get_by_role("button", name=_t("Resume the renewal")).click()
    expect(page.get_by_role("status")).to_contain_text(
        _t("The renewal is resumed: the membership renews automatically.")
    )
    expect(page.get_by_label(_t("Renew automatically at the end of the term"))).to_be_checked()
    page_check(page)
    resumed = Subscription.objects.get()
    assert (resumed.cancelled_at, resumed.auto_renew) == (None, True)

    # End now with a refund: asked first, with the credit note's amount; both invoices are credited.
    credited = silver_invoice.total + total
    page.get_by_role("button", name=_t("End now with a refund")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_t("End the membership today?"))
    expect(page.locator("#confirm-amount")).to_have_text(
        _t(
            "A credit note of %(credited)s (VAT included) is issued and %(paid)s is refunded to the card or bank "
            "account it was paid from.",
            credited=_money(credited), paid=_money(silver_invoice.total),
        )
    )  # fmt: skip
    final = _t("This cannot be undone: to be a member again you buy a new membership.")
    expect(page.get_by_text(final)).to_be_visible()
    page_check(page)
    assert html_validate(page) == 3
    assert Subscription.objects.get().status == "active"
    assert not Invoice.objects.filter(kind="credit_note").exists()

    page.get_by_role("button", name=_t("End now with a refund")).click()
    expect(page).to_have_url(f"{url}/subscriptions/")
    expect(page.get_by_role("status")).to_contain_text(
        _t(
            "Your membership has ended. A credit note is issued and %(amount)s is refunded to the card or bank "
            "account it was paid from.",
            amount=_money(silver_invoice.total),
        )
    )  # fmt: skip
    expect(page.locator("#membership-ended")).to_have_text(
        _t(
            "Your membership ended on %(date)s (%(tier)s). You can choose a level again below.",
            date=date_format(today, LANG), tier="Gold",
        )
    )  # fmt: skip
    page_check(page)
    ended = Subscription.objects.get()
    assert ended.status == "expired" and ended.auto_renew is False
    notes = Invoice.objects.filter(kind="credit_note")
    assert sorted(note.total for note in notes) == sorted([-silver_invoice.total, -total])
    for note in notes:
        expect(page.locator(f"#invoice-{note.number}")).to_contain_text(_t("Credit note"))
    assert html_validate(page) == 3
