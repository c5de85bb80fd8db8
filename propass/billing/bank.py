"""Bank transfers: ISO 20022 camt.053 statements read, imported once, and matched to invoices.

A credit that carries the RF reference of an open invoice and pays its total settles it; a
credit whose amount and sender fit one open invoice is suggested to finance; everything else
(partial or double payments, unknown references) waits on /backoffice/bank/ for a person.

Banks write what the payer said in different places (the structured creditor reference, the
unstructured lines, the additional remittance, transaction and entry information): all of it is
the line's remittance text, and a reference is looked for in all of it; payers who write the
invoice's number instead are understood too, also when they write it in pieces ("EU 2026 000123").

An amount with a fraction of a cent does not make the file refused: its line is imported for
finance, rounded to the cent, with the amount as the bank wrote it (see _line_import).
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum import iso11649

from propass.billing.collection import invoice_record_payment
from propass.billing.invoicing import structured_reference
from propass.billing.models import (
    BankLine,
    BankLineStatus,
    BankStatement,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
)
from propass.core.enums import AuditAction
from propass.core.errors import InvalidInput, NotFound
from propass.core.services import audit_record
from propass.core.statuses import check_transition, status_move, status_table

# An uploaded statement larger than this is refused before it is read.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024

CAMT053_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d+$")
OPEN = (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)
CENT = Decimal("0.01")
# "RF" and two check digits, then the reference as written: in one piece or in groups of four.
RF_IN_TEXT = re.compile(r"(?<![0-9A-Z])RF[0-9]{2}[0-9A-Z]*(?: [0-9A-Z]+)*")
# A word of the remittance text that may be an invoice's number or reference ("PP-2026-000001").
WORD = re.compile(r"[0-9A-Za-z]+(?:[-.][0-9A-Za-z]+)*")
WORDS_LOOKED_UP = 20
# An invoice number written in pieces: "EU 2026 000123" or "EU/2026/000123" for "EU-2026-000123"
# (invoicing.invoice_number: the series, the year and a counter of six digits). Whole pieces
# (letters and digits), one after the other with only spaces, dashes, slashes, dots or
# underscores between them, read as one word when together they have the shape of a number: a
# letter first, ten digits or more last (the year and the counter).
PIECE = re.compile(r"[0-9A-Za-z]+")
BETWEEN_PIECES = re.compile(r"[\s\-/._\\]{1,3}")
NUMBER_IN_PIECES = re.compile(r"[A-Z][0-9A-Z]*[0-9]{10,}")
PIECES_JOINED = 6
# The remittance text kept on a line: what a person needs to recognise a transfer, bounded.
REMITTANCE_MAX_CHARS = 1000
# Between the texts of different places (a reference does not run from one into the next).
TEXT_SEPARATOR = " / "


@dataclass(frozen=True)
class ParsedLine:
    """One credit transfer as the bank reported it."""

    entry_reference: str
    booking_date: date | None
    amount: Decimal
    currency: str
    debtor_name: str = ""
    debtor_iban: str = ""
    reference: str = ""
    remittance: str = ""
    # Words of the text that may be an invoice's number or reference, upper case without dashes.
    words: tuple[str, ...] = ()
    # The amount as the file wrote it when it is not a whole number of cents ("12.345"); the
    # line's amount is then rounded to the cent, and the line is left to finance (see _line_import).
    amount_as_written: str = ""


@dataclass(frozen=True)
class ParsedStatement:
    account_iban: str
    statement_id: str
    message_id: str
    created_on: datetime | None
    lines: tuple[ParsedLine, ...]


@dataclass
class ImportResult:
    """What an import did: the statements it stored and how their credits were matched."""

    statements: list[BankStatement] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # statements imported before, left alone
    matched: int = 0
    suggested: int = 0
    unmatched: int = 0
    unmatched_lines: list[BankLine] = field(default_factory=list)
    already_imported: bool = False


class _Amount(NamedTuple):
    """An amount of the file, in cents, and its currency; `as_written` keeps the file's text when
    it holds a fraction of a cent (rounded away in `amount`)."""

    amount: Decimal
    currency: str
    as_written: str = ""


# --- reading a file -------------------------------------------------------------------------


def bank_statement_parse(data: bytes) -> list[ParsedStatement]:
    """Read the statements of a camt.053 file (any version of the schema): every booked credit,
    one line per transfer (see _entry_lines); debits and pending entries are skipped. A file
    that is not well-formed XML, declares a DTD or entities, or is not camt.053 is refused with
    InvalidInput, and so is one larger than UPLOAD_MAX_BYTES, before it is read."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise InvalidInput(_("The file is larger than %(size)s MB."), code="too_large", size=UPLOAD_MAX_BYTES // 2**20)
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise InvalidInput(
            _("The file declares a DTD or XML entities, which bank statements never do; it was refused."),
            code="xml_forbidden",
        ) from None
    except ParseError as error:
        raise InvalidInput(_("The file is not valid XML (%(error)s)."), code="bad_xml", error=str(error)) from None
    namespace, _sep, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "Document" or not CAMT053_NAMESPACE.match(namespace):
        raise InvalidInput(_("The file is not an ISO 20022 camt.053 bank statement."), code="not_camt053")
    xml = _Reader(namespace)
    statements = xml.all(root, "BkToCstmrStmt/Stmt")
    if not statements:
        raise InvalidInput(_("The file contains no statement."), code="not_camt053")
    message_id = xml.text(root, "BkToCstmrStmt/GrpHdr/MsgId")
    sent_at = xml.text(root, "BkToCstmrStmt/GrpHdr/CreDtTm")
    return [_statement(xml, stmt, message_id, sent_at) for stmt in statements]


class _Reader:
    """Paths like "Acct/Id/IBAN" in the document's own camt.053 namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespaces = {"c": namespace}

    def all(self, element: Element, path: str) -> list[Element]:
        return element.findall(self._qualified(path), self.namespaces)

    def text(self, element: Element, *paths: str) -> str:
        """The text of the first of `paths` that has some."""
        for path in paths:
            found = element.find(self._qualified(path), self.namespaces)
            if found is not None and found.text and found.text.strip():
                return " ".join(found.text.split())
        return ""

    def texts(self, element: Element, path: str) -> list[str]:
        """The text of every element at `path`, whitespace collapsed."""
        return [" ".join((found.text or "").split()) for found in self.all(element, path)]

    def first(self, element: Element, *paths: str) -> Element | None:
        for path in paths:
            found = element.find(self._qualified(path), self.namespaces)
            if found is not None:
                return found
        return None

    @staticmethod
    def _qualified(path: str) -> str:
        return "/".join(f"c:{step}" for step in path.split("/"))


def _statement(xml: _Reader, stmt: Element, message_id: str, sent_at: str) -> ParsedStatement:
    statement_id = xml.text(stmt, "Id")
    iban = _compact(xml.text(stmt, "Acct/Id/IBAN", "Acct/Id/Othr/Id"))
    if not statement_id or not iban:
        raise InvalidInput(_("A statement in the file has no identifier or no account."), code="not_camt053")
    lines: list[ParsedLine] = []
    for entry in xml.all(stmt, "Ntry"):
        if xml.text(entry, "CdtDbtInd") != "CRDT":
            continue
        status = xml.text(entry, "Sts/Cd", "Sts")
        if status and status != "BOOK":  # pending or information only: the money is not there yet
            continue
        lines.extend(_entry_lines(xml, entry))
    created = xml.text(stmt, "CreDtTm") or sent_at
    return ParsedStatement(
        account_iban=iban[:34],
        statement_id=statement_id[:100],
        message_id=message_id[:100],
        created_on=_datetime(created) if created else None,
        lines=tuple(lines),
    )


def _entry_lines(xml: _Reader, entry: Element) -> list[ParsedLine]:
    """The credit lines of one booked entry. An entry without transaction details, or with a
    single one, is one line of the entry's own amount: that is what was booked on the account,
    whatever the transaction says (genkgo's test files give their only transaction 0 SEK in an
    entry of 8.85 EUR; a foreign transfer gives the amount the payer sent). An entry batching
    several transfers gives one line per transfer with its own amount; a transfer of zero moves no
    money and is skipped; when one of them has no amount at all (or all are zero), nobody can tell
    how the entry splits, and the whole entry is one line carrying all their texts."""
    bank_reference = xml.text(entry, "AcctSvcrRef", "NtryRef")[:100]
    amount_element = xml.first(entry, "Amt")
    if amount_element is None:
        raise InvalidInput(_("Entry %(entry)s has no amount."), code="bad_amount", entry=bank_reference)
    money = _money(amount_element)
    booked = xml.text(entry, "BookgDt/Dt", "BookgDt/DtTm")
    booking_date = _date(booked) if booked else None
    entry_texts = xml.texts(entry, "AddtlNtryInf")
    transactions = [tx for tx in xml.all(entry, "NtryDtls/TxDtls") if xml.text(tx, "CdtDbtInd") in ("", "CRDT")]
    if len(transactions) > 1:
        amounts = [_transaction_money(xml, tx) for tx in transactions]
        paid = [
            (tx, tx_money)
            for tx, tx_money in zip(transactions, amounts, strict=True)
            if tx_money and (tx_money.amount or tx_money.as_written)
        ]
        if None not in amounts and paid:
            return [
                _transaction_line(xml, tx, tx_money, bank_reference, booking_date, shown=entry_texts)
                for tx, tx_money in paid
            ]
    if len(transactions) == 1:
        return [_transaction_line(xml, transactions[0], money, bank_reference, booking_date, searched=entry_texts)]
    # No transaction details, or a batch without the amount of each transfer: the entry is the line.
    parties = [_parties(xml, tx) for tx in transactions]
    names = {name for name, _iban in parties if name}
    ibans = {iban for _name, iban in parties if iban}
    structured: list[str] = []
    texts: list[str] = []
    glued: list[str] = []
    for tx in transactions:
        tx_structured, tx_texts, tx_glued = _remittance(xml, tx)
        structured += tx_structured
        texts += tx_texts
        glued += tx_glued
    return [
        _line(
            bank_reference, booking_date, money, structured, [*texts, *entry_texts],
            debtor=(names.pop() if len(names) == 1 else "", ibans.pop() if len(ibans) == 1 else ""),
            search_only=glued,
        )
    ]  # fmt: skip


def _transaction_line(
    xml: _Reader,
    tx: Element,
    money: _Amount,
    bank_reference: str,
    booking_date: date | None,
    *,
    searched: Sequence[str] = (),
    shown: Sequence[str] = (),
) -> ParsedLine:
    """One transfer: its own texts, plus the entry's information, searched for a reference when
    the entry is this transfer alone, only shown when it describes a batch."""
    structured, texts, glued = _remittance(xml, tx)
    return _line(
        (xml.text(tx, "Refs/AcctSvcrRef") or bank_reference)[:100], booking_date, money, structured,
        [*texts, *searched], debtor=_parties(xml, tx), shown=shown, search_only=glued,
    )  # fmt: skip


def _line(
    entry_reference: str,
    booking_date: date | None,
    money: _Amount,
    structured: list[str],
    texts: list[str],
    *,
    debtor: tuple[str, str],
    shown: Sequence[str] = (),
    search_only: Sequence[str] = (),
) -> ParsedLine:
    """A line whose reference is looked for in `structured` and `texts` (then `search_only`),
    and whose remittance text is `texts` and `shown`."""
    reference = _reference(structured, [*texts, *search_only])
    # The reference is shown on its own; the text keeps everything else the payer and the bank wrote.
    remittance = _joined(
        [*(ref for ref in structured if _compact(ref) != reference), *texts, *shown], REMITTANCE_MAX_CHARS
    )
    return ParsedLine(
        entry_reference=entry_reference,
        booking_date=booking_date,
        amount=money.amount,
        currency=money.currency,
        debtor_name=debtor[0][:200],
        debtor_iban=debtor[1][:34],
        reference=reference,
        remittance=remittance,
        words=_reference_like_words([*structured, *texts]),
        amount_as_written=money.as_written,
    )


def _parties(xml: _Reader, tx: Element) -> tuple[str, str]:
    """The payer's name and account."""
    return (
        xml.text(tx, "RltdPties/Dbtr/Pty/Nm", "RltdPties/Dbtr/Nm"),
        _compact(xml.text(tx, "RltdPties/DbtrAcct/Id/IBAN")),
    )


def _remittance(xml: _Reader, tx: Element) -> tuple[list[str], list[str], list[str]]:
    """What the payer wrote, from every place banks put it: the structured creditor references;
    the texts (the unstructured lines read as one text, the additional remittance information,
    the transaction's additional information); and the unstructured lines glued without spaces,
    only to look for a reference in, as a bank breaks a long text wherever a line is full, even
    inside a reference."""
    structured = [ref for ref in xml.texts(tx, "RmtInf/Strd/CdtrRefInf/Ref") if ref]
    lines = [line for line in xml.texts(tx, "RmtInf/Ustrd") if line]
    texts = [" ".join(lines), *xml.texts(tx, "RmtInf/Strd/AddtlRmtInf"), *xml.texts(tx, "AddtlTxInf")]
    return structured, [text for text in texts if text], ["".join(lines)] if len(lines) > 1 else []


def _joined(texts: list[str], limit: int) -> str:
    """The texts once each, in order, and no longer than `limit` characters."""
    unique = list(dict.fromkeys(text.strip() for text in texts if text.strip()))
    joined = TEXT_SEPARATOR.join(unique)
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def _reference_like_words(texts: list[str]) -> tuple[str, ...]:
    """Words of 5 to 35 letters and digits with at least one digit, upper case, dashes and dots
    removed: what an invoice number or reference written in a text looks like; then the invoice
    numbers written in pieces (see _numbers_in_pieces)."""
    words: dict[str, None] = {}
    for text in texts:
        for match in WORD.finditer(text):
            word = re.sub(r"[-.]", "", match.group()).upper()
            if 5 <= len(word) <= 35 and any(ch.isdigit() for ch in word):
                words[word] = None
    in_pieces = {number: None for text in texts for number in _numbers_in_pieces(text) if number not in words}
    return (*tuple(words)[:WORDS_LOOKED_UP], *tuple(in_pieces)[:WORDS_LOOKED_UP])


def _numbers_in_pieces(text: str) -> list[str]:
    """What may be an invoice number written in pieces ("eu 2026 000123", "EU/2026/000123"), in
    upper case without what separates the pieces. Only whole pieces are joined, from one that
    begins with a letter: "XEU 2026 000123" is not EU-2026-000123, and an amount, a date or an
    IBAN written next to a number makes another, longer candidate (which names no invoice)
    rather than changing this one."""
    upper = text.upper()
    pieces = list(PIECE.finditer(upper))
    found = []
    for index, first in enumerate(pieces):
        if not first.group()[0].isalpha():
            continue
        joined, end = first.group(), first.end()
        for piece in pieces[index + 1 : index + PIECES_JOINED]:
            if not BETWEEN_PIECES.fullmatch(upper, end, piece.start()):
                break
            joined, end = joined + piece.group(), piece.end()
            if len(joined) > 35:
                break
            if NUMBER_IN_PIECES.fullmatch(joined):
                found.append(joined)
    return found


def _transaction_money(xml: _Reader, tx: Element) -> _Amount | None:
    """A batched transfer's own amount; None when it has none; zero (in any currency) when zero,
    or less than half a cent (nothing once rounded to the cent)."""
    found = xml.first(tx, "Amt", "AmtDtls/TxAmt/Amt")
    if found is None:
        return None
    try:
        if 0 <= Decimal((found.text or "").strip()) < CENT / 2:
            return _Amount(Decimal(0), "")
    except InvalidOperation:
        pass  # refused by _money, with the amount in the message
    return _money(found)


def _money(element: Element) -> _Amount:
    """A positive amount with its currency. Trailing zeros are only a way of writing it
    ("10.000" is 10.00); an amount with a fraction of a cent ("12.345": a currency of three
    decimals, or a bank's rounding left in the file) is read rounded half up to the cent, with
    the amount as written kept, so that one such line does not make a file of good lines refused;
    anything else that is not an amount (nothing once rounded to the cent included) refuses the
    file."""
    currency = (element.get("Ccy") or "").upper()
    written = (element.text or "").strip()
    try:
        amount = Decimal(written)
    except InvalidOperation:
        amount = Decimal("NaN")
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP) if amount.is_finite() and amount < 10**10 else amount
    if not cents.is_finite() or cents <= 0 or cents >= 10**10:
        raise InvalidInput(_("The file has an amount that is not valid: “%(amount)s”."), code="bad_amount",
                           amount=written[:30])  # fmt: skip
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise InvalidInput(_("The file has an amount without a valid currency."), code="bad_amount")
    return _Amount(cents, currency, written[:40] if cents != amount else "")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput(_("The file has a date that is not valid: “%(date)s”."), code="bad_date",
                           date=text[:30]) from None  # fmt: skip


def _datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(_("The file has a date that is not valid: “%(date)s”."), code="bad_date",
                           date=text[:30]) from None  # fmt: skip
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _reference(structured: list[str], texts: list[str]) -> str:
    """The structured RF reference if valid; else one written in any of the texts; else whatever
    structured reference the payer gave."""
    for ref in structured:
        if iso11649.is_valid(_compact(ref)):
            return _compact(ref)
    for text in texts:
        if found := rf_in_text(text):
            return found
    return _compact(structured[0])[:35] if structured else ""


def rf_in_text(text: str) -> str:
    """An ISO 11649 reference written in free text, in one piece ("RF18INV2026000001") or in
    groups of four ("RF18 INV2 0260 0000 1"); spaces removed, the check digits verified. Only
    group boundaries are tried as the end, longest first, so trailing words are left out."""
    for match in RF_IN_TEXT.finditer(text.upper()):
        groups = match.group().split(" ")
        ends = [groups[0]]
        if len(groups[0]) == 4:  # printed in groups of four: every group but the last has four
            for group in groups[1:]:
                if len(group) > 4:
                    break
                ends.append(ends[-1] + group)
                if len(group) < 4:
                    break
        for candidate in reversed(ends):
            if 5 <= len(candidate) <= 25 and iso11649.is_valid(candidate):
                return candidate
    return ""


# --- importing and matching -----------------------------------------------------------------


def bank_statement_import(*, data: bytes, file_name: str, actor: Any) -> ImportResult:
    """Import the statements of a camt.053 file, each once (account and statement id) and in
    its own transaction, and match each credit: its RF reference (or, failing one, the invoice
    number written in its text) and the exact total of an open invoice pay the invoice; the right
    reference with another amount, or the amount and the sender's name of one open invoice, is a
    suggestion for finance; the rest is unmatched."""
    result = ImportResult()
    for parsed in bank_statement_parse(data):
        _statement_import(parsed, file_name=file_name, actor=actor, result=result)
    result.already_imported = bool(result.skipped) and not result.statements
    return result


def _statement_import(parsed: ParsedStatement, *, file_name: str, actor: Any, result: ImportResult) -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                statement = BankStatement.objects.create(
                    account_iban=parsed.account_iban, statement_id=parsed.statement_id,
                    message_id=parsed.message_id, created_on=parsed.created_on, file_name=file_name[:200],
                    imported_by=actor if getattr(actor, "is_authenticated", False) else None,
                )  # fmt: skip
        except IntegrityError:  # imported before (or right now, by someone else)
            result.skipped.append(f"{parsed.statement_id} ({parsed.account_iban})")
            return
        counts: Counter[str] = Counter()
        for position, parsed_line in enumerate(parsed.lines, start=1):
            line = _line_import(statement, position, parsed_line, actor)
            counts[line.status] += 1
            if line.status == BankLineStatus.UNMATCHED:
                result.unmatched_lines.append(line)
        audit_record(
            actor=actor,
            action=AuditAction.BANK_STATEMENT_IMPORT,
            target=statement,
            data={
                "file": file_name[:200], "lines": len(parsed.lines),
                **{status: counts[status] for status in ("matched", "suggested", "unmatched")},
                # The lines whose amount had a fraction of a cent, by position: the amount as written.
                "amounts_finer_than_cents": {
                    str(position): line.amount_as_written
                    for position, line in enumerate(parsed.lines, start=1) if line.amount_as_written
                },
            },
        )  # fmt: skip
    result.statements.append(statement)
    result.matched += counts[BankLineStatus.MATCHED]
    result.suggested += counts[BankLineStatus.SUGGESTED]
    result.unmatched += counts[BankLineStatus.UNMATCHED]


def _line_import(statement: BankStatement, position: int, parsed: ParsedLine, actor: Any) -> BankLine:
    """Store one credit, matched, suggested or unmatched. A credit with a fraction of a cent
    pays no invoice (no invoice total has one): it is stored rounded to the cent, unmatched, with
    a note in front of its text giving the amount as the bank wrote it, for finance to look at."""
    status, matched, suggested = BankLineStatus.UNMATCHED, None, None
    remittance = parsed.remittance
    invoice = _invoice_named(parsed) if not parsed.amount_as_written else None
    if parsed.amount_as_written:
        note = gettext(
            "The bank wrote the amount as %(amount)s %(currency)s, with a fraction of a cent: it is shown rounded "
            "to the cent and was not matched to an invoice."
        ) % {"amount": parsed.amount_as_written, "currency": parsed.currency}
        remittance = _joined([f"[{note}]", remittance], REMITTANCE_MAX_CHARS)
    elif invoice is not None and invoice.status not in OPEN:
        pass  # paid or void already: most likely paid twice; finance decides
    elif invoice is not None and invoice.currency == parsed.currency:
        if invoice.total == parsed.amount:
            status, matched = BankLineStatus.MATCHED, invoice
        else:  # partial or over-payment: a person decides
            status, suggested = BankLineStatus.SUGGESTED, invoice
    else:
        suggested = _invoice_by_amount_and_name(parsed)
        if suggested is not None:
            status = BankLineStatus.SUGGESTED
    line = BankLine.objects.create(
        statement=statement, position=position, entry_reference=parsed.entry_reference,
        booking_date=parsed.booking_date, amount=parsed.amount, currency=parsed.currency,
        debtor_name=parsed.debtor_name, debtor_iban=parsed.debtor_iban,
        reference=invoice.reference if invoice is not None else parsed.reference[:35],
        remittance=remittance, status=status, invoice=matched, suggested_invoice=suggested,
        resolved_at=timezone.now() if matched else None,
    )  # fmt: skip
    if matched is not None:
        _record_payment(line, invoice_id=matched.pk, actor=actor)
    return line


def _invoice_named(parsed: ParsedLine) -> Invoice | None:
    """The invoice (locked) the transfer names: by the reference the payer gave; else by a word
    of the remittance text that is one invoice's number (with or without its dashes, or written
    in pieces with spaces, slashes or dots between them) or reference, as payers often write the
    number printed on the invoice instead of its reference. A text naming two invoices names none."""
    invoices = Invoice.objects.select_for_update().filter(kind=InvoiceKind.INVOICE)
    if parsed.reference:
        invoice = invoices.filter(reference=parsed.reference).first()
        if invoice is not None:
            return invoice
    if not parsed.words:
        return None
    references = {*parsed.words, *(structured_reference(word) for word in parsed.words)}
    found = list(invoices.filter(reference__in=sorted(references)).order_by("pk")[:2])
    return found[0] if len(found) == 1 else None  # two invoices named: a person decides


def _invoice_by_amount_and_name(parsed: ParsedLine) -> Invoice | None:
    """The oldest open invoice of exactly this amount whose buyer is the sender."""
    sender = _name_key(parsed.debtor_name)
    if len(sender) < 3:
        return None
    candidates = Invoice.objects.filter(
        kind=InvoiceKind.INVOICE, status__in=OPEN, currency=parsed.currency, total=parsed.amount
    ).order_by("due_date", "pk")[:200]
    for invoice in candidates:
        buyer = _name_key(str(invoice.buyer_snapshot.get("name", "")))
        if len(buyer) >= 3 and (buyer in sender or sender in buyer):
            return invoice
    return None


def _name_key(name: str) -> str:
    """A name without case, accents, spaces or punctuation: "Alpha Studio S.r.l." → "alphastudiosrl"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _record_payment(line: BankLine, *, invoice_id: int, actor: Any) -> Payment:
    return invoice_record_payment(
        invoice_id=invoice_id,
        method=Payment.Method.BANK_TRANSFER,
        amount=line.amount,
        currency=line.currency,
        key=f"bank:{line.pk}",
        actor=actor,
        reference=line.entry_reference or line.reference,
        note=f"{line.debtor_name} {line.remittance}".strip(),
    )


def bank_line_confirm(*, line_id: int, invoice_id: int, actor: Any) -> BankLine:
    """Finance confirms a suggestion, or assigns a line to an invoice by hand: the transfer is
    recorded as the invoice's payment, whatever its amount (a person decided), and the line is
    matched. The invoice must be open and in the line's currency."""
    with transaction.atomic():
        line = BankLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("This bank line does not exist."))
        check_transition(status_table(BankLine), line.status, BankLineStatus.MATCHED)  # before any payment
        if not Invoice.objects.filter(pk=invoice_id).exists():
            raise NotFound(_("This invoice does not exist."))
        payment = _record_payment(line, invoice_id=invoice_id, actor=actor)
        status_move(
            line,
            BankLineStatus.MATCHED,
            actor=actor,
            action=AuditAction.BANK_LINE_CONFIRM,
            data={
                "invoice": str(payment.invoice), "was": line.status, "amount": str(line.amount),
                "currency": line.currency, "suggested": line.suggested_invoice_id == payment.invoice_id,
            },
            invoice_id=payment.invoice_id,
            resolved_by=actor,
            resolved_at=timezone.now(),
        )  # fmt: skip
    return line


def bank_line_ignore(*, line_id: int, actor: Any, note: str) -> BankLine:
    """Finance sets a line aside that is not a payment of an invoice (not ProPass money, a
    refund from a supplier...), with a note saying why."""
    note = note.strip()
    if not note:
        message = _("Write a note saying why this line is ignored.")
        raise InvalidInput(message, fields={"note": [str(message)]})
    with transaction.atomic():
        line = BankLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None:
            raise NotFound(_("This bank line does not exist."))
        status_move(
            line,
            BankLineStatus.IGNORED,
            actor=actor,
            action=AuditAction.BANK_LINE_IGNORE,
            data={"note": note[:500], "was": line.status},
            resolved_by=actor,
            resolved_at=timezone.now(),
        )
    return line


# --- reading what was imported --------------------------------------------------------------


def bank_statements_recent(*, limit: int = 20) -> QuerySet[BankStatement]:
    """The latest imported statements with their number of lines per status."""
    counts = {
        status: Count("lines", filter=Q(lines__status=status))
        for status in (BankLineStatus.MATCHED, BankLineStatus.SUGGESTED, BankLineStatus.UNMATCHED)
    }
    return (
        BankStatement.objects.select_related("imported_by")
        .annotate(line_count=Count("lines"), **counts)
        .order_by("-imported_at", "-pk")[:limit]
    )


def bank_lines_needing_attention() -> QuerySet[BankLine]:
    """Suggested and unmatched lines, the newest first: the work list of finance."""
    return (
        BankLine.objects.filter(status__in=[BankLineStatus.SUGGESTED, BankLineStatus.UNMATCHED])
        .select_related("statement", "suggested_invoice")
        .order_by("-statement__imported_at", "-statement_id", "position")
    )


def bank_lines_unmatched_count() -> int:
    """Bank lines matched to no invoice, not even as a suggestion."""
    return BankLine.objects.filter(status=BankLineStatus.UNMATCHED).count()


def invoices_by_reference(*, lines: list[BankLine]) -> dict[str, Invoice]:
    """The invoices the references of `lines` point to (to show why a line was not matched:
    an invoice already paid, another currency)."""
    references = {line.reference for line in lines if line.reference}
    if not references:
        return {}
    return {
        invoice.reference: invoice
        for invoice in Invoice.objects.filter(reference__in=references).only(
            "pk", "reference", "number", "status", "currency", "total"
        )
    }


def invoice_id_by_number(*, number: str) -> int:
    """The invoice with this number (as printed on it), for assigning a line by hand."""
    invoice_id = Invoice.objects.filter(number__iexact=number.strip()).values_list("pk", flat=True).first()
    if invoice_id is None:
        raise NotFound(
            _("No invoice has the number “%(number)s”."), code="invoice_not_found", number=number.strip()[:40]
        )
    return invoice_id
