"""Issue 15, "Money and commitments": the member's checkout and Manage Subscription pages
confirm before they act, show what things cost and say what happened."""

import pytest
from django.utils.formats import date_format

from propass.accounts.models import Business
from propass.billing.models import Invoice, InvoiceRequest
from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.memberships.services import CheckoutInput, subscription_checkout
from propass.program_admin.setup import tiers_seed

REVIEW = {"action": "review", "term_years": "1", "auto_renew": "true", "po_number": "PO-17", "accept_terms": "on"}


@pytest.fixture
def uk_shop(program, business):
    from propass.program_admin.setup import sellers_seed

    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=1200, currency="GBP", country="GB")
    business.refresh_from_db()
    return business


def _silver(business, owner, method="bank_transfer"):
    return subscription_checkout(
        business=business,
        actor=owner,
        data=CheckoutInput(
            tier="silver",
            term_years=1,
            auto_renew=True,
            po_number="",
            accept_terms=True,
            payment_method=method,
            payment_token="tok_visa" if method == "card" else "",
        ),
    )


# Destructive actions: a confirmation step, and a way back.


def test_cancel_renewal_asks_first_and_can_be_undone(client, uk_shop, owner):
    subscription = _silver(uk_shop, owner)
    client.force_login(owner)
    confirm = client.post("/subscriptions/manage/", {"action": "cancel"})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Cancel the renewal?" in page
    assert date_format(subscription.expires_on, "SHORT_DATE_FORMAT") in page
    assert Subscription.objects.get().cancelled_at is None
    client.post("/subscriptions/manage/", {"action": "cancel", "confirm": "yes"})
    assert Subscription.objects.get().cancelled_at is not None
    manage = client.get("/subscriptions/manage/").content.decode()
    assert "Resume the renewal" in manage
    client.post("/subscriptions/manage/", {"action": "resume"})
    resumed = Subscription.objects.get()
    assert (resumed.cancelled_at, resumed.auto_renew) == (None, True)
    assert AuditLog.objects.filter(action="subscription.renewal_resume").exists()


def test_end_with_refund_asks_first_and_shows_amount_and_end_date(client, uk_shop, owner):
    _silver(uk_shop, owner)
    client.force_login(owner)
    confirm = client.post("/subscriptions/manage/", {"action": "cancel_refund"})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "End the membership today?" in page
    assert "£102" in page  # £85 + 20% VAT, credited in full
    assert Subscription.objects.get().status == "active"
    done = client.post("/subscriptions/manage/", {"action": "cancel_refund", "confirm": "yes"}, follow=True)
    assert Subscription.objects.get().status == "expired"
    text = done.content.decode()
    # Bank transfer, nothing paid yet: nothing "is refunded".
    assert "refunded" not in text
    assert "Nothing was charged" in text
    assert "You have no subscription yet." not in text
    assert "Your membership ended on" in text


def test_credit_notes_have_no_due_date_and_do_not_say_paid(client, uk_shop, owner):
    _silver(uk_shop, owner)
    client.force_login(owner)
    client.post("/subscriptions/manage/", {"action": "cancel_refund", "confirm": "yes"})
    note = Invoice.objects.get(kind="credit_note")
    page = client.get("/subscriptions/").content.decode()
    row = page.split(f'id="invoice-{note.number}"')[1].split("</tr>")[0]
    assert "Paid" not in row
    assert date_format(note.issue_date, "SHORT_DATE_FORMAT") in row
    assert row.count("—") >= 1


def test_change_plan_previews_the_amount_and_issues_only_when_confirmed(client, uk_shop, owner):
    _silver(uk_shop, owner)
    client.force_login(owner)
    requests_before = InvoiceRequest.objects.count()
    preview = client.post("/subscriptions/manage/", {"action": "change_plan", "tier": "gold"})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Change to Gold?" in page
    assert "VAT 20%" in page
    assert Subscription.objects.get().tier.code == "silver"
    assert InvoiceRequest.objects.count() == requests_before
    client.post("/subscriptions/manage/", {"action": "change_plan", "tier": "gold", "confirm": "yes"})
    assert Subscription.objects.get().tier.code == "gold"
    assert InvoiceRequest.objects.count() == requests_before + 1


# Checkout: prices per term, the amount with VAT on the payment step.


def test_the_review_page_shows_the_chosen_terms_price_and_discount(client, uk_shop, owner):
    client.force_login(owner)
    page = client.get("/subscriptions/checkout/silver/").content.decode()
    assert "Price: £85 excl. VAT per year" in page
    assert "£229.50" in page and "10%" in page  # the 3-year term among the choices
    client.post("/subscriptions/checkout/silver/", {**REVIEW, "term_years": "3"})
    back = client.get("/subscriptions/checkout/silver/").content.decode()
    assert "Price: £229.50 excl. VAT for 3 years" in back
    assert "per year" not in back.split('id="plan-price"')[1].split("</p>")[0]


def test_the_payment_step_repeats_the_amount_with_vat(client, uk_shop, owner):
    client.force_login(owner)
    client.post("/subscriptions/checkout/silver/", {**REVIEW, "term_years": "3"})
    page = client.get("/subscriptions/checkout/silver/?step=payment").content.decode()
    summary = page.split('id="payment-amount"')[1].split("</p>")[0]
    assert "£229.50" in summary and "£275.40" in summary  # net, and with 20% VAT
    assert 'class="card-choice' in page


def test_after_a_decline_the_review_page_keeps_the_subscription_type(client, uk_shop, owner):
    client.force_login(owner)
    client.post("/subscriptions/checkout/silver/", {**REVIEW, "auto_renew": "false"})
    client.post(
        "/subscriptions/checkout/silver/?step=payment",
        {"action": "checkout", "payment_method": "card", "payment_token": "tok_chargeDeclined"},
    )
    page = client.get("/subscriptions/checkout/silver/").content.decode()
    assert 'name="auto_renew" value="false" id="id_auto_renew_1" required checked>' in page


def test_a_missing_subscription_type_is_marked_at_the_field(client, uk_shop, owner):
    client.force_login(owner)
    response = client.post("/subscriptions/checkout/silver/", {**REVIEW, "auto_renew": ""})
    page = response.content.decode()
    group = page.split('id="type-label"')[1].split("</fieldset>")[0]
    assert "This field is required." in group


def test_the_decline_says_what_to_do_next_and_keeps_the_processor_text_for_staff(client, uk_shop, owner):
    client.force_login(owner)
    client.post("/subscriptions/checkout/silver/", REVIEW)
    response = client.post(
        "/subscriptions/checkout/silver/?step=payment",
        {"action": "checkout", "payment_method": "card", "payment_token": "tok_chargeDeclined"},
    )
    page = response.content.decode()
    assert "do not honour" not in page
    assert "Try another card or choose Bank Transfer" in page
    entry = AuditLog.objects.get(action="subscription.card_declined")
    assert "do not honour" in str(entry.data)


def test_the_review_page_refuses_a_tier_the_business_cannot_buy_up_front(client, uk_shop, owner):
    client.force_login(owner)
    response = client.get("/subscriptions/checkout/platinum/", follow=True)
    assert response.redirect_chain[-1][0] == "/subscriptions/"
    assert "Platinum needs" in response.content.decode()


def test_the_review_page_refuses_while_a_membership_is_active(client, uk_shop, owner):
    _silver(uk_shop, owner)
    client.force_login(owner)
    response = client.get("/subscriptions/checkout/gold/", follow=True)
    assert response.redirect_chain[-1][0] == "/subscriptions/manage/"
    assert "already has an active membership" in response.content.decode()


def test_the_invitation_prompt_goes_once_subscribed(client, uk_shop, owner):
    from django.utils import timezone

    Business.objects.filter(pk=uk_shop.pk).update(invited_at=timezone.now())
    client.force_login(owner)
    assert "You are invited to the program" in client.get("/subscriptions/").content.decode()
    _silver(uk_shop, owner)
    assert "You are invited to the program" not in client.get("/subscriptions/").content.decode()


def test_a_credit_note_for_an_unpaid_invoice_does_not_promise_a_refund_nor_carry_a_due_date(client, uk_shop, owner):
    from io import BytesIO

    from pypdf import PdfReader

    _silver(uk_shop, owner, method="card")
    client.force_login(owner)
    client.post("/subscriptions/manage/", {"action": "cancel_refund", "confirm": "yes"})
    note = Invoice.objects.get(kind="credit_note")
    response = client.get(f"/subscriptions/invoices/{note.pk}/pdf/")
    text = PdfReader(BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()
    assert "Nothing was charged for this invoice" in text
    assert "refunded" not in text
    assert "Due date" not in text
