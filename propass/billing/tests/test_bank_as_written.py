"""Bank transfers as payers and banks really write them: invoice numbers written in pieces in the
remittance text, and amounts with more than two decimals in the statement file."""

from decimal import Decimal

import pytest

from propass.billing.bank import bank_line_confirm, bank_statement_import
from propass.billing.invoicing import structured_reference
from propass.billing.models import BankLine, BankStatement, Invoice, Payment
from propass.core.errors import InvalidInput
from propass.core.models import AuditLog
from propass.testing.camt import camt053


def _import(*entries, **statement):
    return bank_statement_import(data=camt053(list(entries), **statement), file_name="statement.xml", actor=None)


def _pieces(number: str, separator: str) -> str:
    """ "EU-2026-000001" written with another separator: "EU 2026 000001", "EU/2026/000001"."""
    return number.replace("-", separator)


def _other_invoice(invoice: Invoice, number: str) -> Invoice:
    """An open invoice like `invoice` (same total and buyer), numbered `number`."""
    other = Invoice.objects.get(pk=invoice.pk)
    other.pk, other.request, other.number = None, None, number
    other.reference = structured_reference(number)
    other.save()
    return other


# --- invoice numbers written in pieces ----------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        lambda number: f"Invoice {_pieces(number, ' ')}",
        lambda number: f"inv {_pieces(number, '/').lower()} thanks",
        lambda number: _pieces(number, " / "),
        lambda number: _pieces(number, "."),
        lambda number: _pieces(number, "_"),
        lambda number: number.replace("-", " ", 1),  # "EU 2026-000001"
        lambda number: f"Payment {number.replace('-', '').lower()}",
        lambda number: f"02.03.2026 {_pieces(number, '/')} EUR 190,00 IBAN NL91 ABNA 0417 1643 00",
    ],
    ids=["spaces", "slashes-lower", "spaced-slashes", "dots", "underscores", "mixed", "glued", "date-amount-iban"],
)
def test_an_invoice_number_written_in_pieces_pays_the_invoice(invoice, written):
    result = _import({"amount": invoice.total, "remittance": written(invoice.number)})
    assert (result.matched, result.suggested, result.unmatched) == (1, 0, 0)
    line = BankLine.objects.get()
    assert (line.status, line.invoice, line.reference) == ("matched", invoice, invoice.reference)
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_number_broken_across_two_lines_of_the_text_or_in_the_additional_information_is_found(invoice):
    series, year, counter = invoice.number.split("-")
    result = _import(
        {"amount": invoice.total, "remittance": [f"Membership {series} {year}", f"{counter} thank you"]},
        {"amount": invoice.total, "additional_info": f"REF {series}/{year}/{counter}"},
    )
    # The first pays the invoice; the second names it again, now paid: finance decides.
    assert (result.matched, result.suggested, result.unmatched) == (1, 0, 1)
    assert [line.reference for line in BankLine.objects.order_by("position")] == [invoice.reference] * 2


def test_the_series_written_in_the_pieces_tells_two_invoices_with_the_same_counter_apart(invoice):
    series, year, counter = invoice.number.split("-")
    other = _other_invoice(invoice, f"X{series}-{year}-{counter}")
    result = _import({"amount": invoice.total, "remittance": f"X{series} {year} {counter}"})
    assert result.matched == 1
    assert BankLine.objects.get().invoice == other
    invoice.refresh_from_db()
    assert invoice.status == "issued"


@pytest.mark.parametrize(
    "written",
    [
        "PAY{series} {year} {counter}",  # the series inside a longer word: not a whole piece
        "{series} {year} {counter}7",  # the counter inside a longer number
        "{year} {counter}",  # no series: the digits alone name no invoice
        "{series}, {year}, {counter}",  # commas separate things, not the pieces of a number
        "{series} {year} 0 {counter}",  # another number
    ],
)
def test_pieces_that_do_not_make_the_whole_number_pay_nothing(invoice, written):
    series, year, counter = invoice.number.split("-")
    result = _import({"amount": invoice.total, "remittance": written.format(series=series, year=year, counter=counter)})
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    assert Payment.objects.count() == 0


def test_digits_around_a_number_in_pieces_do_not_name_another_invoice(invoice):
    series, year, counter = invoice.number.split("-")
    # Another invoice whose counter is the amount written after the number.
    _other_invoice(invoice, f"{series}-{year}-000190")
    result = _import({"amount": invoice.total, "remittance": f"{series} {year} {counter} 000190 EUR"})
    assert result.matched == 1
    assert BankLine.objects.get().invoice == invoice


def test_a_text_naming_two_invoices_in_pieces_pays_neither(invoice):
    series, year, counter = invoice.number.split("-")
    other = _other_invoice(invoice, f"{series}-{year}-{int(counter) + 1:06d}")
    result = _import(
        {"amount": invoice.total, "remittance": f"{_pieces(invoice.number, ' ')} {_pieces(other.number, '/')}"}
    )
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    assert Payment.objects.count() == 0


# --- amounts with more than two decimals ----------------------------------------------------------


@pytest.mark.parametrize("written", ["{total}0", "{total}000", "{total:.1f}"])
def test_an_amount_written_with_more_decimals_that_are_zeros_is_read_as_it_is(invoice, written):
    total = invoice.total if written != "{total:.1f}" else invoice.total.quantize(Decimal("0.1"))
    Invoice.objects.filter(pk=invoice.pk).update(total=total)
    result = _import(
        {"amount": total, "amount_as_written": written.format(total=total), "reference": invoice.reference}
    )
    assert result.matched == 1
    line = BankLine.objects.get()
    assert (line.amount, line.remittance) == (total, "")
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_a_line_with_a_fraction_of_a_cent_is_imported_for_finance_with_the_rest_of_the_file(invoice):
    result = _import(
        {"amount": invoice.total, "reference": invoice.reference},
        {"amount": "12.35", "amount_as_written": "12.345", "name": "Beta Films", "remittance": "Order 7"},
        {"amount": "5.00", "name": "Gamma Photo"},
    )
    assert (result.matched, result.suggested, result.unmatched) == (1, 0, 2)
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    line = BankLine.objects.get(position=2)
    # Rounded half up to the cent (12.345 → 12.35), with the amount as the bank wrote it in front.
    assert (line.status, line.amount, line.debtor_name) == ("unmatched", Decimal("12.35"), "Beta Films")
    assert line.remittance == (
        "[The bank wrote the amount as 12.345 EUR, with a fraction of a cent: it is shown rounded to the cent "
        "and was not matched to an invoice.] / Order 7"
    )
    assert BankLine.objects.get(position=3).remittance == ""
    audit = AuditLog.objects.get(action="bank_statement.import")
    assert audit.data["amounts_finer_than_cents"] == {"2": "12.345"}


def test_a_fraction_of_a_cent_pays_no_invoice_even_with_its_reference_but_finance_can_assign_it(invoice, staff):
    result = _import(
        {"amount": invoice.total, "amount_as_written": f"{invoice.total}4", "reference": invoice.reference,
         "name": "Alpha Studio"},
    )  # fmt: skip
    assert (result.matched, result.suggested, result.unmatched) == (0, 0, 1)
    line = BankLine.objects.get()
    assert (line.status, line.amount, line.reference) == ("unmatched", invoice.total, invoice.reference)
    assert line.remittance.startswith(f"[The bank wrote the amount as {invoice.total}4 EUR")
    assert Payment.objects.count() == 0
    bank_line_confirm(line_id=line.pk, invoice_id=invoice.pk, actor=staff)  # a person decided
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert Payment.objects.get().amount == invoice.total


def test_in_a_batch_only_the_transfer_with_a_fraction_of_a_cent_is_left_for_finance(invoice):
    _import(
        {"amount": invoice.total + Decimal("7.01"), "amount_as_written": f"{invoice.total + Decimal('7.005')}",
         "transactions": [
            {"amount": invoice.total, "reference": invoice.reference, "name": "Alpha Studio"},
            {"amount": "7.01", "amount_as_written": "7.005", "name": "Beta Films"},
            {"amount": "0.00", "amount_as_written": "0.004", "name": "Gamma Photo"},  # nothing, as zero is
        ]},
        version=8,
    )  # fmt: skip
    paid, left = BankLine.objects.order_by("position")  # the transfer of less than half a cent is skipped
    assert (paid.status, paid.invoice, paid.amount) == ("matched", invoice, invoice.total)
    assert (left.status, left.amount) == ("unmatched", Decimal("7.01"))
    assert "7.005 EUR" in left.remittance


@pytest.mark.parametrize(
    "written", ["-12.345", "0.000", "0.004", "12,345", "12.34.5", "abc", "NaN", "1e12", "9999999999.995"]
)
def test_an_amount_that_is_no_amount_still_refuses_the_whole_file(invoice, written):
    with pytest.raises(InvalidInput) as refused:
        _import(
            {"amount": invoice.total, "reference": invoice.reference},
            {"amount": "1.00", "amount_as_written": written, "name": "Beta Films"},
        )
    assert refused.value.code == "bad_amount"
    assert f"The file has an amount that is not valid: “{written}”." in str(refused.value)
    assert (BankStatement.objects.count(), BankLine.objects.count(), Payment.objects.count()) == (0, 0, 0)
    invoice.refresh_from_db()
    assert invoice.status == "issued"
