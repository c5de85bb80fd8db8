"""ISO 20022 camt.053 bank statements made on the fly, for tests that import transfers.

`camt053(entries=[{"amount": Decimal("102.85"), "reference": "RF18INV2026000001", "name": "Alpha Studio"}])`
gives a valid file with one booked credit. Entry keys (all optional but `amount`): `currency`
("EUR"), `reference` (structured creditor reference), `name` (debtor), `remittance` (free text,
or a list of its lines), `additional_remittance` (RmtInf/Strd/AddtlRmtInf), `additional_info`
(the transaction's AddtlTxInf), `entry_info` (the entry's AddtlNtryInf), `details` (False: an
entry without transaction details), `debtor_iban`, `booked` ("2026-03-02"), `direction` ("CRDT"
or "DBIT"), `bank_reference`, `status` ("BOOK"), and `transactions` (a list of the same dicts,
for an entry that batches several transfers; each transaction then carries its own amount, or
none when its `amount` is None). `amount_as_written` (entry or transaction) writes the amount
as given ("12.345", "10.000") instead of with two decimals.
"""

from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape


def camt053(
    entries: list[dict[str, Any]],
    *,
    statement_id: str = "STMT-2026-001",
    iban: str = "NL91ABNA0417164300",
    message_id: str = "MSG-2026-001",
    created: str = "2026-03-02T08:00:00+01:00",
    version: int = 2,
) -> bytes:
    """A camt.053 document (schema camt.053.001.<version>) with one statement of `entries`."""
    body = "".join(_entry(entry, index, version) for index, entry in enumerate(entries, start=1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{escape(message_id)}</MsgId><CreDtTm>{created}</CreDtTm></GrpHdr>
    <Stmt>
      <Id>{escape(statement_id)}</Id>
      <CreDtTm>{created}</CreDtTm>
      <Acct><Id><IBAN>{escape(iban)}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {body}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def _entry(entry: dict[str, Any], index: int, version: int) -> str:
    amount = Decimal(entry["amount"])
    currency = entry.get("currency", "EUR")
    status = entry.get("status", "BOOK")
    status_xml = f"<Sts><Cd>{status}</Cd></Sts>" if version >= 7 else f"<Sts>{status}</Sts>"
    transactions = entry.get("transactions") or [entry]
    details = "".join(_transaction(tx, version, batched="transactions" in entry) for tx in transactions)
    details = f"<NtryDtls>{details}</NtryDtls>" if entry.get("details", True) else ""
    information = f"<AddtlNtryInf>{escape(entry['entry_info'])}</AddtlNtryInf>" if entry.get("entry_info") else ""
    return f"""
      <Ntry>
        <NtryRef>{index}</NtryRef>
        <Amt Ccy="{currency}">{escape(entry.get("amount_as_written") or f"{amount:.2f}")}</Amt>
        <CdtDbtInd>{entry.get("direction", "CRDT")}</CdtDbtInd>
        {status_xml}
        <BookgDt><Dt>{entry.get("booked", "2026-03-02")}</Dt></BookgDt>
        <ValDt><Dt>{entry.get("booked", "2026-03-02")}</Dt></ValDt>
        <AcctSvcrRef>{escape(entry.get("bank_reference", f"BANKREF-{index:04d}"))}</AcctSvcrRef>
        {details}
        {information}
      </Ntry>"""


def _transaction(tx: dict[str, Any], version: int, *, batched: bool) -> str:
    amount = ""
    if batched and tx["amount"] is not None:
        written = escape(tx.get("amount_as_written") or f"{Decimal(tx['amount']):.2f}")
        value = f'<Amt Ccy="{tx.get("currency", "EUR")}">{written}</Amt>'
        amount = value if version >= 3 else f"<AmtDtls><TxAmt>{value}</TxAmt></AmtDtls>"
    name = escape(tx.get("name", ""))
    debtor = ""
    if name:
        debtor = f"<Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>" if version >= 8 else f"<Dbtr><Nm>{name}</Nm></Dbtr>"
    if tx.get("debtor_iban"):
        debtor += f"<DbtrAcct><Id><IBAN>{escape(tx['debtor_iban'])}</IBAN></Id></DbtrAcct>"
    lines = tx.get("remittance") or []
    remittance = "".join(f"<Ustrd>{escape(line)}</Ustrd>" for line in ([lines] if isinstance(lines, str) else lines))
    structured = ""
    if tx.get("reference"):
        structured += (
            "<CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{escape(tx['reference'])}</Ref></CdtrRefInf>"
        )
    if tx.get("additional_remittance"):
        structured += f"<AddtlRmtInf>{escape(tx['additional_remittance'])}</AddtlRmtInf>"
    if structured:
        remittance += f"<Strd>{structured}</Strd>"
    information = f"<AddtlTxInf>{escape(tx['additional_info'])}</AddtlTxInf>" if tx.get("additional_info") else ""
    return f"""
          <TxDtls>
            <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            {amount}
            {f"<RltdPties>{debtor}</RltdPties>" if debtor else ""}
            {f"<RmtInf>{remittance}</RmtInf>" if remittance else ""}
            {information}
          </TxDtls>"""
