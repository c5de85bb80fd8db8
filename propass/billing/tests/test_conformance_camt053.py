"""Every real camt.053 statement of the conformance corpus imports as counted independently
(expected.tsv), and a payment is found wherever those banks wrote what the payer said.

The files are read from <repo root>/../shared/conformance/camt053, never copied here; a missing
corpus fails the collection of this module, it is not skipped."""

import csv
import re
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import pytest

from propass.billing.bank import bank_statement_import
from propass.billing.invoicing import structured_reference
from propass.billing.models import BankLine, BankStatement, Invoice, Payment

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "camt053"
EXPECTED = list(csv.DictReader((CORPUS / "expected.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t"))

# expected.tsv was counted naively with lxml: the only transaction of genkgo's v4 and v8 test
# files carries <Amt Ccy="SEK">0</Amt> inside a booked entry of 8.85 EUR. The corpus README (and
# issue 18) say what a reader does instead: the single transaction takes its entry's amount and
# currency, the 8.85 EUR that reached the account.
ENTRY_AMOUNT_INSTEAD = {
    "genkgo-camt053.v4.xml": [(Decimal("8.85"), "EUR")],
    "genkgo-camt053.v8.xml": [(Decimal("8.85"), "EUR")],
}


def _amounts(listed: str) -> list[tuple[Decimal, str]]:
    """ "8.850EUR 368CHF" → [(Decimal("8.850"), "EUR"), (Decimal("368"), "CHF")]."""
    found = [re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([A-Z]{3})", token) for token in listed.split()]
    assert all(found), listed
    return [(Decimal(match.group(1)), match.group(2)) for match in found if match]


def _import(name: str, data: bytes | None = None):
    return bank_statement_import(data=data or (CORPUS / name).read_bytes(), file_name=name, actor=None)


def _credit_entries(name: str) -> list[Element]:
    """The booked credit entries of a corpus file, read independently of the importer."""
    root = SafeET.parse(CORPUS / name, forbid_dtd=True).getroot()
    return [
        entry
        for entry in root.iterfind(".//{*}Stmt/{*}Ntry")
        if entry.findtext("{*}CdtDbtInd") == "CRDT"
        and (entry.findtext("{*}Sts/{*}Cd") or entry.findtext("{*}Sts") or "").strip() == "BOOK"
    ]


def _entry_money(entry: Element) -> tuple[Decimal, str]:
    amount = entry.find("{*}Amt")
    assert amount is not None
    return Decimal(amount.text or ""), amount.get("Ccy") or ""


def _invoice_numbered(invoice: Invoice, *, number: str, money: tuple[Decimal, str]) -> Invoice:
    """`invoice` renumbered `number`, with the reference ProPass derives from a number, owing `money`."""
    Invoice.objects.filter(pk=invoice.pk).update(
        number=number, reference=structured_reference(number), total=money[0], currency=money[1]
    )
    invoice.refresh_from_db()
    return invoice


def test_the_corpus_is_there_and_every_file_is_counted():
    assert CORPUS.is_dir(), f"the conformance corpus is missing: {CORPUS}"
    assert sorted(path.name for path in CORPUS.glob("*.xml")) == sorted(row["file"] for row in EXPECTED)
    assert len(EXPECTED) == 15


@pytest.mark.parametrize("row", EXPECTED, ids=[row["file"] for row in EXPECTED])
def test_every_real_statement_imports_with_its_statements_and_booked_credits(db, row):
    result = _import(row["file"])
    assert (len(result.statements), result.skipped) == (int(row["statements"]), [])
    lines = list(BankLine.objects.order_by("statement_id", "position"))
    assert len(lines) == int(row["booked_credit_transactions"])
    expected = _amounts(row["credit_amounts"])
    if row["file"] in ENTRY_AMOUNT_INSTEAD:
        assert expected == [(Decimal(0), "SEK")]  # counted naively: see ENTRY_AMOUNT_INSTEAD
        expected = ENTRY_AMOUNT_INSTEAD[row["file"]]
    assert [(line.amount, line.currency) for line in lines] == expected  # 8.850 == 8.85, 368 == 368.00
    assert result.unmatched + result.suggested + result.matched == len(lines)
    again = _import(row["file"])
    assert again.already_imported
    assert BankLine.objects.count() == len(lines)


def test_the_single_transaction_of_zero_sek_takes_its_entry_of_8_85_eur(db):
    for name in ENTRY_AMOUNT_INSTEAD:
        _import(name)
    lines = list(BankLine.objects.all())  # both files hold the same statement: the second is skipped
    assert [(line.amount, line.currency, line.reference, line.debtor_name) for line in lines] == [
        (Decimal("8.85"), "EUR", "4654654654654654", "NAME NAME")
    ]


def test_an_amount_with_five_decimals_is_read_to_the_cent(db):
    # genkgo's "five decimals" file writes 8.850; ISO 20022 allows five fraction digits.
    name = "genkgo-camt053.v2.five.decimals.xml"
    data = (CORPUS / name).read_bytes()
    assert data.count(b">8.850</Amt>") == 1
    _import(name, data.replace(b">8.850</Amt>", b">8.85000</Amt>"))
    assert (BankLine.objects.get().amount, BankLine.objects.get().currency) == (Decimal("8.85"), "EUR")


def test_several_statements_of_one_file_are_all_stored_and_a_debit_only_one_has_no_line(db):
    result = _import("genkgo-camt053.v2.multi.statement.xml")
    assert [statement.statement_id for statement in result.statements] == [
        "253EURNL26VAYB8060476890",
        "254EURNL26VAYB8060476890",
    ]
    assert [statement.lines.count() for statement in result.statements] == [1, 0]
    assert BankLine.objects.get().remittance == "Transaction Description 1"


def test_a_batched_entry_of_the_swiss_bank_gives_one_line_per_transfer_with_the_batch_text(db):
    _import("oca16-test-camt053-txdtls.xml")
    lines = list(BankLine.objects.order_by("position"))
    assert [(line.amount, line.reference) for line in lines] == [
        (Decimal("2187.00"), "302388292000011111111111111"),
        (Decimal("1296.00"), "302388292000022222222222222"),
    ]
    # The additional remittance of each transfer, then what the bank wrote about the whole batch.
    assert lines[0].remittance.startswith("?REJECT?0 / CRÉDIT GROUPÉ BVR TRAITEMENT DU 22.03.2017")


def test_an_entry_without_transaction_details_keeps_the_entry_information(db):
    _import("ofxstatement-davider80.xml")
    line = BankLine.objects.get()
    assert (line.amount, line.currency, line.remittance) == (Decimal("368.00"), "CHF", "Accredito xxxxxxxxxxxxxx")


def _paid_once_and_again_nothing(name: str, invoice: Invoice, data: bytes | None = None) -> BankLine:
    result = _import(name, data)
    assert result.matched == 1
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    line = BankLine.objects.get(status="matched")
    assert (line.invoice, line.reference) == (invoice, invoice.reference)
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.amount, payment.currency) == (invoice.total, invoice.currency)
    counts = (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count())
    again = _import(name, data)
    assert again.already_imported
    assert (again.matched, again.statements) == (0, [])
    assert (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count()) == counts
    assert Payment.objects.filter(invoice=invoice).count() == 1
    return line


def test_an_invoice_named_in_the_additional_transaction_information_of_a_real_statement_is_paid(invoice):
    # No file of the corpus carries an RF reference in AddtlTxInf. ABN AMRO's credit in
    # oca16-test-camt053.xml says only "#RD PARTY MEDIA CUSNO 90782 4210773", so the invoice is
    # built to be the one that text names: its number is the text's last word (its reference is
    # derived from the number as for every invoice) and it owes the entry's amount.
    (entry,) = _credit_entries("oca16-test-camt053.xml")
    text = entry.findtext(".//{*}TxDtls/{*}AddtlTxInf") or ""
    assert text == "#RD PARTY MEDIA CUSNO 90782 4210773"
    invoice = _invoice_numbered(invoice, number=text.split()[-1], money=_entry_money(entry))
    line = _paid_once_and_again_nothing("oca16-test-camt053.xml", invoice)
    assert (line.amount, line.debtor_name, line.remittance) == (Decimal("1405.31"), "3rd party Media", text)


def test_an_invoice_named_in_the_additional_entry_information_of_a_real_statement_is_paid(invoice):
    # PostFinance writes the payer's reference only in the entry's AddtlNtryInf
    # ("... REFERENZ-NR: PmtInfId-CHDD-1"), and no file of the corpus has an RF reference there:
    # the invoice is built to be the one whose number is that reference, owing the entry's 4.50 CHF.
    name = "moov-postfinance-camt.053_P_CH2909000000250094239.xml"
    entry = next(
        entry for entry in _credit_entries(name) if "REFERENZ-NR:" in (entry.findtext("{*}AddtlNtryInf") or "")
    )
    text = entry.findtext("{*}AddtlNtryInf") or ""
    invoice = _invoice_numbered(invoice, number=text.split("REFERENZ-NR:")[1].split()[0], money=_entry_money(entry))
    assert invoice.number == "PmtInfId-CHDD-1"
    line = _paid_once_and_again_nothing(name, invoice)
    assert (line.amount, line.currency, line.remittance) == (Decimal("4.50"), "CHF", text)
    assert BankLine.objects.filter(status="unmatched").count() == 3  # the three collective credits


def _grouped_lower(reference: str) -> str:
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4)).lower()


@pytest.mark.parametrize(
    ("name", "written_there"),
    [
        ("oca16-test-camt053.xml", "#RD PARTY MEDIA CUSNO 90782 4210773"),  # AddtlTxInf
        ("moov-postfinance-camt.053_P_CH2909000000250094239.xml", "PmtInfId-CHDD-1"),  # AddtlNtryInf, with TxDtls
        ("ofxstatement-davider80.xml", "Accredito xxxxxxxxxxxxxx"),  # AddtlNtryInf, no TxDtls
    ],
)
def test_an_rf_reference_in_the_place_a_real_bank_writes_its_text_pays_the_invoice(invoice, name, written_there):
    # The same real file with the payer's RF reference, in lower case and groups of four, where
    # that bank writes its text; the invoice owes the entry's amount.
    data = (CORPUS / name).read_bytes()
    assert data.count(written_there.encode()) >= 1
    data = data.replace(written_there.encode(), f"Membership {_grouped_lower(invoice.reference)}".encode())
    entry = next(entry for entry in _credit_entries(name) if written_there in "".join(entry.itertext()))
    Invoice.objects.filter(pk=invoice.pk).update(total=_entry_money(entry)[0], currency=_entry_money(entry)[1])
    invoice.refresh_from_db()
    _paid_once_and_again_nothing(name, invoice, data)
