"""Bank transfers: camt.053 statements imported once and matched to invoices."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from propass.billing.bank import (
    REMITTANCE_MAX_CHARS,
    bank_line_confirm,
    bank_line_ignore,
    bank_statement_import,
    bank_statement_parse,
)
from propass.billing.invoicing import structured_reference
from propass.billing.models import BankLine, BankStatement, Invoice, Payment
from propass.core.errors import IllegalTransition, InvalidInput
from propass.core.models import AuditLog
from propass.memberships.models import Subscription
from propass.memberships.services import CheckoutInput, subscription_checkout
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.camt import camt053


def _import(*entries, **statement):
    return bank_statement_import(data=camt053(list(entries), **statement), file_name="statement.xml", actor=None)


def test_a_transfer_with_the_reference_and_the_total_pays_the_invoice_and_reinstates_the_membership(invoice):
    Subscription.objects.filter(pk=invoice.subscription_id).update(status="suspended")
    Invoice.objects.filter(pk=invoice.pk).update(status="overdue")
    result = _import({"amount": invoice.total, "reference": invoice.reference, "name": "ALPHA STUDIO"})
    assert (result.matched, result.suggested, result.unmatched, result.already_imported) == (1, 0, 0, False)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Subscription.objects.get(pk=invoice.subscription_id).status == "active"
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.method, payment.amount, payment.status) == ("bank_transfer", invoice.total, "succeeded")
    line = BankLine.objects.get()
    assert (line.status, line.invoice, payment.idempotency_key) == ("matched", invoice, f"bank:{line.pk}")
    assert AuditLog.objects.filter(action="bank_statement.import", target_id=str(result.statements[0].pk)).exists()


def test_an_unknown_reference_leaves_the_line_unmatched(invoice):
    result = _import({"amount": invoice.total, "reference": "RF18539007547034", "name": "Someone Else"})
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    assert result.unmatched_lines[0].reference == "RF18539007547034"
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert Payment.objects.count() == 0


def test_the_right_reference_with_another_amount_is_only_suggested(invoice):
    result = _import({"amount": invoice.total - Decimal("10.00"), "reference": invoice.reference, "name": "Alpha"})
    assert (result.matched, result.suggested, result.unmatched) == (0, 1, 0)
    line = BankLine.objects.get()
    assert (line.status, line.suggested_invoice, line.invoice) == ("suggested", invoice, None)
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert Payment.objects.count() == 0


def test_amount_and_name_suggest_an_invoice_that_finance_then_confirms(invoice, staff):
    result = _import({"amount": invoice.total, "name": "ALPHA-STUDIO s.r.l., Milano", "remittance": "membership"})
    assert (result.matched, result.suggested, result.unmatched) == (0, 1, 0)
    line = BankLine.objects.get()
    assert line.suggested_invoice == invoice
    bank_line_confirm(line_id=line.pk, invoice_id=invoice.pk, actor=staff)
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert (line.status, line.invoice, line.resolved_by) == ("matched", invoice, staff)
    assert invoice.status == "paid"
    assert AuditLog.objects.filter(action="bank_line.confirm", actor=staff).exists()
    with pytest.raises(IllegalTransition):
        bank_line_confirm(line_id=line.pk, invoice_id=invoice.pk, actor=staff)
    assert Payment.objects.count() == 1


def test_the_same_amount_from_another_name_is_not_suggested(invoice):
    result = _import({"amount": invoice.total, "name": "Gamma Photo GmbH"})
    assert (result.suggested, result.unmatched) == (0, 1)


def test_a_reference_to_a_paid_invoice_is_unmatched_for_finance_to_decide(invoice):
    _import({"amount": invoice.total, "reference": invoice.reference}, statement_id="S1")
    result = _import(
        {"amount": invoice.total, "reference": invoice.reference, "name": "Alpha Studio"}, statement_id="S2"
    )
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    assert Payment.objects.count() == 1


def test_importing_the_same_statement_again_changes_nothing(invoice):
    data = camt053([{"amount": invoice.total, "reference": invoice.reference}, {"amount": "12.00", "name": "X"}])
    bank_statement_import(data=data, file_name="a.xml", actor=None)
    again = bank_statement_import(data=data, file_name="a-copy.xml", actor=None)
    assert again.already_imported
    assert (again.statements, again.matched, again.unmatched) == ([], 0, 0)
    assert (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count()) == (1, 2, 1)
    assert AuditLog.objects.filter(action="bank_statement.import").count() == 1


def test_debit_entries_and_pending_entries_are_skipped(invoice):
    result = _import(
        {"amount": invoice.total, "reference": invoice.reference, "direction": "DBIT"},
        {"amount": invoice.total, "reference": invoice.reference, "status": "PDNG"},
        {"amount": "5.00", "name": "Refund from a supplier"},
    )
    assert BankLine.objects.count() == 1
    assert BankLine.objects.get().amount == Decimal("5.00")
    assert (result.matched, result.unmatched) == (0, 1)
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_an_rf_reference_written_in_the_free_text_with_spaces_is_found(invoice):
    grouped = " ".join(invoice.reference[i : i + 4] for i in range(0, len(invoice.reference), 4))
    result = _import({"amount": invoice.total, "remittance": f"Membership {grouped.lower()} thank you"})
    assert result.matched == 1
    assert BankLine.objects.get().reference == invoice.reference
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_batched_entry_gives_one_line_per_transfer_in_the_newest_schema(invoice):
    data = camt053(
        [{"amount": invoice.total + 7, "transactions": [
            {"amount": invoice.total, "reference": invoice.reference, "name": "Alpha Studio"},
            {"amount": "7.00", "name": "Beta Films", "debtor_iban": "DE89 3704 0044 0532 0130 00"},
        ]}],
        version=8,
    )  # fmt: skip
    result = bank_statement_import(data=data, file_name="v8.xml", actor=None)
    assert (result.matched, result.unmatched) == (1, 1)
    line = result.unmatched_lines[0]
    assert (line.amount, line.debtor_name) == (Decimal("7.00"), "Beta Films")
    assert line.debtor_iban == "DE89370400440532013000"


def test_finance_ignores_a_line_with_a_note(db, staff):
    _import({"amount": "50.00", "name": "Tax office"})
    line = BankLine.objects.get()
    with pytest.raises(InvalidInput):
        bank_line_ignore(line_id=line.pk, actor=staff, note=" ")
    bank_line_ignore(line_id=line.pk, actor=staff, note="VAT refund, not ProPass money")
    line.refresh_from_db()
    assert line.status == "ignored"
    assert AuditLog.objects.get(action="bank_line.ignore").data["note"] == "VAT refund, not ProPass money"
    with pytest.raises(IllegalTransition):
        bank_line_confirm(line_id=line.pk, invoice_id=1, actor=staff)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<Document><unclosed>", "The file is not valid XML"),
        (b"not xml at all", "The file is not valid XML"),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>',
            "is not an ISO 20022 camt.053 bank statement",
        ),
    ],
)
def test_a_file_that_is_not_a_camt053_statement_is_refused_and_nothing_is_stored(db, data, message):
    with pytest.raises(InvalidInput) as refused:
        bank_statement_import(data=data, file_name="bad.xml", actor=None)
    assert message in str(refused.value)
    assert BankStatement.objects.count() == 0


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol3;</BkToCstmrStmt></Document>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&secret;</Id>
</Stmt></BkToCstmrStmt></Document>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, XXE], ids=["billion-laughs", "xxe"])
def test_entity_tricks_are_refused(db, data):
    with pytest.raises(InvalidInput) as refused:
        bank_statement_parse(data)
    assert "declares a DTD or XML entities" in str(refused.value)


def test_the_command_prints_the_counts_and_the_unmatched_lines(invoice, tmp_path):
    path = tmp_path / "march.xml"
    path.write_bytes(
        camt053(
            [
                {"amount": invoice.total, "reference": invoice.reference},
                {"amount": "99.00", "name": "Unknown Payer", "reference": "RF18539007547034"},
                {"amount": "1.00", "name": "Bank interest", "remittance": "Interest Q1"},
            ],
            statement_id="2026-03",
            iban="NL91ABNA0417164300",
        )
    )
    out = StringIO()
    call_command("import-bank-statement", str(path), stdout=out)
    text = out.getvalue()
    assert "Statement 2026-03 of NL91ABNA0417164300: imported" in text
    assert "1 matched, 0 suggested, 2 unmatched" in text
    assert "99.00 EUR  Unknown Payer  RF18539007547034" in text
    assert "1.00 EUR  Bank interest  Interest Q1" in text
    again = StringIO()
    call_command("import-bank-statement", str(path), stdout=again)
    assert "imported before, nothing changed" in again.getvalue()
    assert BankLine.objects.count() == 3


def test_the_command_fails_clearly_on_a_bad_file(db, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<Document>")
    with pytest.raises(CommandError, match=r"broken\.xml: The file is not valid XML"):
        call_command("import-bank-statement", str(path))
    with pytest.raises(CommandError, match=r"missing\.xml"):
        call_command("import-bank-statement", str(tmp_path / "missing.xml"))
    assert BankStatement.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_same_statement_imported_twice_at_once_is_stored_and_paid_once():
    from propass.accounts.tests.factories import BusinessFactory, MembershipFactory
    from propass.program_admin.setup import program_seed
    from propass.testing.threads import errors_in, run_at_once

    program_seed()
    sellers_seed()
    tiers_seed()
    business = BusinessFactory(name="Alpha Studio", points_balance=600, country="NL", currency="EUR")
    owner = MembershipFactory(business=business, role="superuser").user
    subscription = subscription_checkout(
        business=business, actor=owner,
        data=CheckoutInput(tier="silver", term_years=1, auto_renew=True, po_number="", accept_terms=True,
                           payment_method="bank_transfer"),
    )  # fmt: skip
    invoice = Invoice.objects.get(request__subscription=subscription)  # issued by the immediate task backend
    data = camt053([{"amount": invoice.total, "reference": invoice.reference}])
    results = run_at_once(2, lambda _index: bank_statement_import(data=data, file_name="s.xml", actor=None))
    assert errors_in(results) == []
    assert sorted(result.already_imported for result in results) == [False, True]
    assert (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count()) == (1, 1, 1)
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"


def test_a_statement_over_the_size_limit_is_refused_by_the_service_for_every_caller(db, monkeypatch):
    monkeypatch.setattr("propass.billing.bank.UPLOAD_MAX_BYTES", 100)
    with pytest.raises(InvalidInput) as refused:
        bank_statement_import(data=b"<Document>" + b" " * 200 + b"</Document>", file_name="big.xml", actor=None)
    assert "larger than" in str(refused.value)
    assert BankStatement.objects.count() == 0


def _grouped_lower(reference):
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)).lower()


@pytest.mark.parametrize(
    "place",
    [
        "unstructured lines", "lines broken inside the reference", "additional remittance",
        "transaction information", "entry information", "entry only",
    ],
)  # fmt: skip
def test_an_rf_reference_is_found_wherever_the_bank_wrote_it(invoice, place):
    written = f"Membership {_grouped_lower(invoice.reference)}"
    entry = {"amount": invoice.total, "name": "Someone"}
    if place == "unstructured lines":  # a reference running from one Ustrd line into the next
        words = written.split(" ")
        entry["remittance"] = [" ".join(words[:-2]), " ".join(words[-2:])]
    elif place == "lines broken inside the reference":  # where the line was full
        assert " " not in written[-3:]
        entry["remittance"] = [written[:-2], written[-2:]]
    elif place == "additional remittance":
        entry["additional_remittance"] = written
    elif place == "transaction information":
        entry["additional_info"] = written
    else:
        entry["entry_info"] = written
        entry["details"] = place != "entry only"
    result = _import(entry)
    assert result.matched == 1
    line = BankLine.objects.get()
    assert (line.reference, line.status) == (invoice.reference, "matched")
    assert _grouped_lower(invoice.reference)[:9] in line.remittance
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_the_remittance_text_gathers_every_place_once_and_is_bounded(db):
    _import(
        {"amount": "10.00", "reference": "4654654654654654", "remittance": ["Order 12", "and 13"],
         "additional_remittance": "Thanks", "additional_info": "TRANSFER FROM X", "entry_info": "TRANSFER FROM X"},
        {"amount": "11.00", "remittance": ["x" * 140] * 10, "entry_info": "y" * 500},
    )  # fmt: skip
    short, long = BankLine.objects.order_by("position")
    # The structured reference is shown as the reference; every text once, in the order of the file.
    assert (short.reference, short.remittance) == ("4654654654654654", "Order 12 and 13 / Thanks / TRANSFER FROM X")
    assert len(long.remittance) == REMITTANCE_MAX_CHARS
    assert long.remittance.endswith("…")


def test_in_a_batch_a_transfer_of_zero_is_skipped_and_one_without_an_amount_makes_the_entry_one_line(db):
    _import(
        {"amount": "30.00", "entry_info": "Batch A", "transactions": [
            {"amount": "30.00", "name": "Beta Films", "remittance": "Invoice 1"},
            {"amount": "0", "name": "Nobody", "remittance": "Cancelled"},
        ]},
        {"amount": "50.00", "transactions": [
            {"amount": "20.00", "name": "Gamma Photo", "remittance": "Part one"},
            {"amount": None, "name": "Gamma Photo", "remittance": "Part two"},
        ]},
        {"amount": "8.85", "transactions": [{"amount": "0", "name": "Delta", "remittance": "Single"}]},
    )  # fmt: skip
    lines = [(line.amount, line.debtor_name, line.remittance) for line in BankLine.objects.order_by("position")]
    assert lines == [
        (Decimal("30.00"), "Beta Films", "Invoice 1 / Batch A"),
        (Decimal("50.00"), "Gamma Photo", "Part one / Part two"),
        (Decimal("8.85"), "Delta", "Single"),  # a single transaction is its entry: the entry's amount
    ]


def test_a_reference_in_the_information_of_a_batch_names_none_of_its_transfers(invoice):
    result = _import(
        {"amount": invoice.total * 2, "entry_info": f"Batch {invoice.reference}", "transactions": [
            {"amount": invoice.total, "name": "Beta Films"}, {"amount": invoice.total, "name": "Gamma Photo"},
        ]},
    )  # fmt: skip
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 2)
    assert all(invoice.reference in line.remittance for line in BankLine.objects.all())


@pytest.mark.parametrize("written", ["Invoice {number}", "inv. {compact} thank you"])
def test_the_invoice_number_written_in_the_text_pays_the_invoice(invoice, written):
    compact = "".join(ch for ch in invoice.number if ch.isalnum()).lower()
    result = _import(
        {"amount": invoice.total, "additional_info": written.format(number=invoice.number, compact=compact)}
    )
    assert result.matched == 1
    assert BankLine.objects.get().reference == invoice.reference
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_text_naming_two_invoices_pays_neither(invoice):
    second = Invoice.objects.get(pk=invoice.pk)
    second.pk, second.request, second.number = None, None, f"{invoice.number}X"
    second.reference = structured_reference(second.number)
    second.save()
    result = _import({"amount": invoice.total, "remittance": f"{invoice.number} and {second.number}"})
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    assert Payment.objects.count() == 0
