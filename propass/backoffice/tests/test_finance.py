import csv
import io
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
from propass.billing.collection import invoice_collect_due
from propass.billing.credit_notes import credit_note_issue
from propass.billing.finance import invoice_mark_paid_manually
from propass.billing.models import Invoice, Payment
from propass.core.models import AuditLog
from propass.core.money import money_format
from propass.testing.shop import buy, morning

INVOICES = "/backoffice/finance/invoices/"
PAYMENTS = "/backoffice/finance/payments/"


@pytest.fixture
def finance(finance_agent):
    return finance_agent


def _sale(name, *, country="NL", currency="EUR", method="bank_transfer", token="tok_visa", due_in=None):
    """A business buys a membership through the checkout; `due_in` then moves the due date
    to that many days from today (negative: past due)."""
    business = BusinessFactory(name=name, country=country, currency=currency, points_balance=600)
    owner = MembershipFactory(business=business, role="superuser").user
    _subscription, invoice = buy(business, owner, method=method, token=token)
    if due_in is not None:
        due = timezone.localdate() + timedelta(days=due_in)
        Invoice.objects.filter(pk=invoice.pk).update(due_date=due, next_charge_on=due if method == "card" else None)
        invoice.refresh_from_db()
    return invoice


def _numbers(response):
    return {invoice.number for invoice in response.context["page"].object_list}


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _bucket(days_late):
    if days_late <= 0:
        return "current"
    if days_late <= 30:
        return "1_30"
    if days_late <= 60:
        return "31_60"
    return "60_plus"


def test_aging_sums_the_open_invoices_per_currency_by_days_past_due(client, finance, shop):
    offsets = {"EUR": [7, 0, -1, -30, -31, -60, -61, -200], "GBP": [3, -10, -45]}
    open_invoices = [
        _sale(f"{currency} {offset}", country="NL" if currency == "EUR" else "GB", currency=currency, due_in=offset)
        for currency, days in offsets.items()
        for offset in days
    ]
    paid = _sale("Paid late", due_in=-45)
    invoice_mark_paid_manually(invoice_id=paid.pk, actor=finance, paid_on=timezone.localdate(), note="Bank")
    credited = _sale("Credited", due_in=-90)
    credit_note_issue(invoice_id=credited.pk, reason="Wrong tier", actor=finance)

    expected: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal("0"), 0])
    today = timezone.localdate()
    for invoice in open_invoices:
        cell = expected[(invoice.currency, _bucket((today - invoice.due_date).days))]
        cell[0] += invoice.total
        cell[1] += 1

    client.force_login(finance)
    response = client.get(INVOICES)
    assert response.status_code == 200
    aging = response.context["aging"]
    assert [row.currency for row in aging] == ["EUR", "GBP"]
    shown = {(row.currency, bucket.code): [bucket.amount, bucket.count] for row in aging for bucket in row.buckets}
    assert {key: value for key, value in shown.items() if value[1]} == dict(expected)
    assert all(value == [Decimal("0"), 0] for key, value in shown.items() if key not in expected)
    eur = aging[0]
    assert eur.count == 8
    assert eur.amount == sum(i.total for i in open_invoices if i.currency == "EUR")
    assert "More than 60 days past due" in response.content.decode()


def test_the_list_filters_by_kind_status_method_currency_seller_dates_and_search(client, finance, shop):
    due_soon = _sale("Northwind Foto", due_in=10)
    late = _sale("Late Lens", due_in=-5)
    card = _sale("Card Camera", method="card", due_in=20)
    british = _sale("London Light", country="GB", currency="GBP")
    paid = _sale("Paid Pixels")
    invoice_mark_paid_manually(invoice_id=paid.pk, actor=finance, paid_on=timezone.localdate(), note="Bank")
    voided = _sale("Void Vision")
    note = credit_note_issue(invoice_id=voided.pk, reason="Duplicate order", actor=finance)
    Invoice.objects.filter(pk=british.pk).update(issue_date=timezone.localdate() - timedelta(days=40))
    everything = {due_soon.number, late.number, card.number, british.number, paid.number, voided.number, note.number}
    client.force_login(finance)

    assert _numbers(client.get(INVOICES)) == everything
    assert _numbers(client.get(INVOICES, {"kind": "credit_note"})) == {note.number}
    assert _numbers(client.get(INVOICES, {"kind": "invoice"})) == everything - {note.number}
    assert _numbers(client.get(INVOICES, {"status": "overdue"})) == {late.number}
    assert _numbers(client.get(INVOICES, {"status": "issued"})) == {due_soon.number, card.number, british.number}
    assert _numbers(client.get(INVOICES, {"status": "paid"})) == {paid.number, note.number}
    assert _numbers(client.get(INVOICES, {"status": "void"})) == {voided.number}
    assert _numbers(client.get(INVOICES, {"payment_method": "card"})) == {card.number}
    assert _numbers(client.get(INVOICES, {"currency": "GBP"})) == {british.number}
    assert _numbers(client.get(INVOICES, {"seller": "uk"})) == {british.number}
    assert _numbers(client.get(INVOICES, {"seller": "eu"})) == everything - {british.number}
    old = {"issued_to": (timezone.localdate() - timedelta(days=30)).isoformat()}
    assert _numbers(client.get(INVOICES, old)) == {british.number}
    recent = {"issued_from": (timezone.localdate() - timedelta(days=1)).isoformat()}
    assert _numbers(client.get(INVOICES, recent)) == everything - {british.number}
    assert _numbers(client.get(INVOICES, {"q": "late lens"})) == {late.number}
    assert _numbers(client.get(INVOICES, {"q": card.number})) == {card.number}
    assert _numbers(client.get(INVOICES, {"q": paid.reference})) == {paid.number}
    assert _numbers(client.get(INVOICES, {"status": "nonsense", "issued_from": "soon"})) == everything

    page = client.get(INVOICES, {"status": "overdue"}).content.decode()
    assert '<tr class="overdue">' in page
    assert f'href="/backoffice/finance/invoices/{late.pk}/"' in page


def test_the_totals_add_up_what_was_invoiced_credited_and_collected(client, finance, shop):
    open_one = _sale("Open One")
    paid = _sale("Paid One")
    invoice_mark_paid_manually(invoice_id=paid.pk, actor=finance, paid_on=timezone.localdate(), note="Bank")
    credited = _sale("Credited One")
    note = credit_note_issue(invoice_id=credited.pk, reason="Duplicate", actor=finance)
    british = _sale("British One", country="GB", currency="GBP")
    client.force_login(finance)

    totals = {row["currency"]: row for row in client.get(INVOICES).context["totals"]}
    assert totals["EUR"]["count"] == 4
    assert totals["EUR"]["invoiced"] == open_one.total + paid.total
    assert totals["EUR"]["credited"] == note.total
    assert totals["EUR"]["collected"] == paid.total
    assert (totals["GBP"]["invoiced"], totals["GBP"]["collected"]) == (british.total, Decimal("0.00"))

    only_paid = client.get(INVOICES, {"status": "paid", "kind": "invoice"}).context["totals"]
    assert [(r["currency"], r["invoiced"], r["collected"]) for r in only_paid] == [("EUR", paid.total, paid.total)]


def test_pages_keep_the_filters_in_the_page_links(client, finance, shop):
    for index in range(3):
        _sale(f"Shop {index}")
    client.force_login(finance)
    from propass.backoffice import finance as pages

    original = pages.PAGE_SIZE
    pages.PAGE_SIZE = 2
    try:
        page = client.get(INVOICES, {"currency": "EUR", "kind": "invoice", "page": "1"}).content.decode()
    finally:
        pages.PAGE_SIZE = original
    assert "Page 1 of 2" in page
    assert 'href="?currency=EUR&amp;kind=invoice&amp;page=2"' in page
    assert 'href="?currency=EUR&amp;kind=invoice&amp;format=csv"' in page


def test_the_csv_export_lists_the_filtered_invoices_for_accounting(client, finance, shop):
    paid = _sale("=Paid Pixels")
    received = timezone.localdate() - timedelta(days=3)
    invoice_mark_paid_manually(invoice_id=paid.pk, actor=finance, paid_on=received, note="Bank")
    note = credit_note_issue(invoice_id=paid.pk, reason="Goodwill", actor=finance, net=Decimal("10"))
    british = _sale("London Light", country="GB", currency="GBP", due_in=-3)
    client.force_login(finance)

    rows = _csv(client.get(INVOICES, {"format": "csv"}))
    assert rows[0] == [
        "number", "kind", "credited_invoice", "issue_date", "due_date", "business", "buyer_vat_number",
        "buyer_country", "seller", "currency", "net", "vat", "total", "vat_treatment", "status", "paid_date",
        "payment_method", "reference",
    ]  # fmt: skip
    by_number = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {paid.number, note.number, british.number}
    assert by_number[paid.number] == {
        "number": paid.number, "kind": "invoice", "credited_invoice": "",
        "issue_date": paid.issue_date.isoformat(), "due_date": paid.due_date.isoformat(),
        "business": "'=Paid Pixels", "buyer_vat_number": "", "buyer_country": "NL",
        "seller": "Canon Professional Services Europe B.V.", "currency": "EUR", "net": f"{paid.net:f}",
        "vat": f"{paid.vat:f}", "total": f"{paid.total:f}", "vat_treatment": "domestic", "status": "paid",
        "paid_date": received.isoformat(), "payment_method": "bank_transfer", "reference": paid.reference,
    }  # fmt: skip
    credit = by_number[note.number]
    assert (credit["kind"], credit["credited_invoice"], credit["net"], credit["vat"], credit["total"]) == (
        "credit_note", paid.number, "-10.00", "-2.10", "-12.10"
    )  # fmt: skip
    assert (by_number[british.number]["status"], by_number[british.number]["seller"]) == (
        "overdue", "Canon Professional Services UK Ltd"
    )  # fmt: skip
    assert by_number[british.number]["currency"] == "GBP"

    only_gbp = _csv(client.get(INVOICES, {"currency": "GBP", "format": "csv"}))
    assert [row[0] for row in only_gbp[1:]] == [british.number]


def test_finance_marks_an_invoice_paid_from_its_page(client, finance, shop):
    invoice = _sale("Transfer Studio", due_in=-3)
    client.force_login(finance)
    url = f"{INVOICES}{invoice.pk}/"
    page = client.get(url).content.decode()
    assert "Mark as paid" in page
    assert f"Record that {money_format(invoice.total, 'EUR')} was received" in page
    assert invoice.buyer_snapshot["name"] in page
    assert invoice.reference in page

    response = client.post(url, {"paid_on": timezone.localdate().isoformat(), "note": ""})
    assert response.status_code == 200
    assert "Write a note saying how the payment was received." in response.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"paid_on": tomorrow, "note": "Seen in the bank"})
    assert response.status_code == 200
    assert "The date received cannot be in the future." in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert not Payment.objects.exists()
    assert not AuditLog.objects.filter(target_type="billing.invoice", target_id=str(invoice.pk)).exists()

    received = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {"paid_on": received.isoformat(), "note": "Seen in the bank, ref 8812"})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    entry = AuditLog.objects.get(action="invoice.mark_paid_manually", target_id=str(invoice.pk))
    assert (entry.actor, entry.data["note"], entry.data["paid_on"]) == (
        finance, "Seen in the bank, ref 8812", received.isoformat()
    )  # fmt: skip
    page = client.get(url).content.decode()
    assert "The invoice is marked paid." in page
    assert "Seen in the bank, ref 8812" in page
    assert "invoice.mark_paid_manually" in page
    assert "Mark as paid</button>" not in page

    response = client.post(url, {"paid_on": received.isoformat(), "note": "Twice"})
    assert response.status_code == 200
    assert f"Invoice {invoice.number} was already marked paid by hand." in response.content.decode()
    assert Payment.objects.count() == 1


def test_marking_paid_by_hand_reactivates_a_suspended_membership(client, finance, shop):
    invoice = _sale("Declined Digital", method="card", token="tok_insufficientFunds")
    due = timezone.localdate() - timedelta(days=10)
    Invoice.objects.filter(pk=invoice.pk).update(due_date=due, next_charge_on=due)
    for offset in (0, 1, 3, 7):
        invoice_collect_due(at=morning(due + timedelta(days=offset)))
    subscription = invoice.subscription
    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    client.force_login(finance)
    page = client.get(f"{INVOICES}{invoice.pk}/").content.decode()
    assert page.count('<span class="status failed">Failed</span>') == 4

    client.post(f"{INVOICES}{invoice.pk}/", {"paid_on": due.isoformat(), "note": "Paid by transfer instead"})
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_the_invoice_page_links_credit_notes_both_ways(client, finance, shop):
    invoice = _sale("Refund Reels")
    note = credit_note_issue(invoice_id=invoice.pk, reason="Ordered twice", actor=finance)
    client.force_login(finance)
    page = client.get(f"{INVOICES}{invoice.pk}/").content.decode()
    assert f'href="/backoffice/finance/invoices/{note.pk}/">{note.number}</a>' in page
    assert "Mark as paid</button>" not in page  # credited in full, so void
    page = client.get(f"{INVOICES}{note.pk}/").content.decode()
    assert f'href="/backoffice/finance/invoices/{invoice.pk}/">{invoice.number}</a>' in page
    assert "Ordered twice" in page
    assert client.get(f"{INVOICES}999999/").status_code == 404


def test_finance_opens_any_invoice_pdf_and_nobody_else(client, finance, validation_agent, shop):
    invoice = _sale("Print Shop")
    owner = invoice.business.memberships.get().user
    url = f"{INVOICES}{invoice.pk}/pdf/"
    client.force_login(finance)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"{INVOICES}999999/pdf/").status_code == 404
    for user in (validation_agent, owner):
        client.force_login(user)
        for page in (url, INVOICES, f"{INVOICES}{invoice.pk}/", PAYMENTS):
            assert client.get(page).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_invoice_list_makes_the_same_queries_for_any_number_of_invoices(
    client, finance, shop, django_assert_num_queries
):
    _sale("First", due_in=-3)
    _sale("Second", country="GB", currency="GBP")
    client.force_login(finance)
    # session, user, group check, sellers, aging, totals, count, page rows
    with django_assert_num_queries(9):
        assert client.get(INVOICES).status_code == 200
    for index in range(4):
        _sale(f"More {index}", due_in=-40 * index)
    with django_assert_num_queries(9):
        response = client.get(INVOICES, {"currency": "EUR", "status": "overdue"})
    assert len(response.context["page"].object_list) == 4


def test_the_invoice_page_makes_a_fixed_number_of_queries(client, finance, shop, django_assert_num_queries):
    invoice = _sale("Busy Books", method="card", token="tok_insufficientFunds", due_in=0)
    for offset in (0, 1, 3, 7):
        invoice_collect_due(at=morning(invoice.due_date + timedelta(days=offset)))
    client.force_login(finance)
    # session, user, group check, invoice, lines, payments, credit notes, audit entries
    with django_assert_num_queries(9):
        assert client.get(f"{INVOICES}{invoice.pk}/").status_code == 200


def test_the_payment_list_filters_and_exports(client, finance, shop, django_assert_num_queries):
    declined = _sale("Declined Digital", method="card", token="tok_insufficientFunds", due_in=0)
    invoice_collect_due(at=morning(declined.due_date))
    charged = _sale("Charged Camera", method="card")
    invoice_collect_due(at=morning(charged.due_date))
    manual = _sale("Manual Media")
    invoice_mark_paid_manually(invoice_id=manual.pk, actor=finance, paid_on=timezone.localdate(), note="Cash desk")
    Payment.objects.filter(invoice=declined).update(created_at=timezone.now() - timedelta(days=5))
    client.force_login(finance)

    def invoices_of(response):
        return {payment.invoice.number for payment in response.context["page"].object_list}

    with django_assert_num_queries(6):  # session, user, second factor, group check, count, page rows
        response = client.get(PAYMENTS)
    assert invoices_of(response) == {declined.number, charged.number, manual.number}
    assert invoices_of(client.get(PAYMENTS, {"status": "failed"})) == {declined.number}
    assert invoices_of(client.get(PAYMENTS, {"method": "manual"})) == {manual.number}
    assert invoices_of(client.get(PAYMENTS, {"method": "card", "status": "succeeded"})) == {charged.number}
    four_days_ago = (timezone.localdate() - timedelta(days=4)).isoformat()
    assert invoices_of(client.get(PAYMENTS, {"created_from": four_days_ago})) == {charged.number, manual.number}
    assert invoices_of(client.get(PAYMENTS, {"created_to": four_days_ago})) == {declined.number}
    assert invoices_of(client.get(PAYMENTS, {"q": "manual media"})) == {manual.number}
    page = client.get(PAYMENTS).content.decode()
    assert "Cash desk" in page
    assert "insufficient" in page.lower()

    for index in range(3):
        extra = _sale(f"Extra {index}", method="card")
        invoice_collect_due(at=morning(extra.due_date))
    with django_assert_num_queries(6):
        client.get(PAYMENTS)

    rows = _csv(client.get(PAYMENTS, {"method": "manual", "format": "csv"}))
    assert rows[0] == [
        "created_at", "finished_at", "invoice", "business", "method", "attempt", "currency", "amount", "status",
        "gateway_reference", "error", "recorded_by", "note", "idempotency_key",
    ]  # fmt: skip
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["invoice"], row["business"], row["method"], row["amount"], row["currency"]) == (
        manual.number, "Manual Media", "manual", f"{manual.total:f}", "EUR"
    )  # fmt: skip
    assert (row["status"], row["recorded_by"], row["note"]) == ("succeeded", "finance@propass.test", "Cash desk")
    assert row["created_at"].startswith(timezone.localdate().isoformat())


def test_the_staff_menu_leads_to_finance(client, finance, shop):
    client.force_login(finance)
    page = client.get(PAYMENTS).content.decode()
    assert '<a href="/backoffice/finance/invoices/" aria-current="page">Finance</a>' in page


def test_the_invoice_page_names_the_vat_treatment_in_words(client, finance, shop):
    invoice = _sale("Reverse Reels", country="DE")
    Invoice.objects.filter(pk=invoice.pk).update(vat_treatment="reverse_charge")
    client.force_login(finance)
    page = client.get(f"{INVOICES}{invoice.pk}/").content.decode()
    assert "<dd>Reverse charge (" in page
    assert "reverse_charge" not in page
