"""The bank statements page of the back office: upload, lines needing attention, actions."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from propass.accounts.models import Business
from propass.billing.bank import bank_statement_import
from propass.billing.models import BankLine, BankStatement, Invoice, Payment
from propass.program_admin.setup import sellers_seed, tiers_seed
from propass.testing.camt import camt053
from propass.testing.shop import buy

UNKNOWN_RF = "RF18539007547034"
CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance" / "camt053"


@pytest.fixture
def invoice(program, business, owner):
    sellers_seed()
    tiers_seed()
    Business.objects.filter(pk=business.pk).update(points_balance=600, country="NL", currency="EUR")
    business.refresh_from_db()
    return buy(business, owner, method="bank_transfer")[1]


def _upload(client, data, name="statement.xml"):
    return client.post("/backoffice/bank/", {"file": SimpleUploadedFile(name, data, "application/xml")}, follow=True)


def test_an_uploaded_statement_pays_the_invoice_and_lists_the_unknown_reference(client, finance_agent, invoice):
    client.force_login(finance_agent)
    data = camt053(
        [
            {"amount": invoice.total, "reference": invoice.reference, "name": "Alpha Studio"},
            {"amount": "120.00", "reference": UNKNOWN_RF, "name": "Mystery Payer Ltd"},
        ]
    )
    page = _upload(client, data).content.decode()
    assert "Statement imported: 1 matched, 0 suggested, 1 unmatched." in page
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    line = BankLine.objects.get(status="unmatched")
    listed = client.get("/backoffice/bank/").content.decode()
    assert f'id="line-{line.pk}"' in listed
    assert "Mystery Payer Ltd" in listed
    assert UNKNOWN_RF in listed
    assert BankStatement.objects.get().imported_by == finance_agent


def test_uploading_the_same_statement_twice_says_so(client, finance_agent, invoice):
    client.force_login(finance_agent)
    data = camt053([{"amount": invoice.total, "reference": invoice.reference}])
    _upload(client, data)
    page = _upload(client, data, name="again.xml").content.decode()
    assert "This statement was imported before; nothing was changed." in page
    assert (BankStatement.objects.count(), Payment.objects.count()) == (1, 1)


def test_a_bad_file_is_refused_with_the_reason_and_nothing_is_stored(client, finance_agent, monkeypatch):
    client.force_login(finance_agent)
    assert "The file is not valid XML" in _upload(client, b"<Document>").content.decode()
    monkeypatch.setattr("propass.backoffice.bank.UPLOAD_MAX_BYTES", 100)
    assert "The file is larger than" in _upload(client, camt053([{"amount": "1.00"}])).content.decode()
    assert "Choose a camt.053 XML file." in client.post("/backoffice/bank/", follow=True).content.decode()
    assert BankStatement.objects.count() == 0


def test_finance_confirms_a_suggestion(client, finance_agent, invoice):
    bank_statement_import(
        data=camt053([{"amount": invoice.total, "name": "ALPHA STUDIO"}]), file_name="s.xml", actor=None
    )
    line = BankLine.objects.get(status="suggested")
    client.force_login(finance_agent)
    assert f"Confirm {invoice.number}" in client.get("/backoffice/bank/").content.decode()
    page = client.post(f"/backoffice/bank/lines/{line.pk}/confirm/", {"invoice_id": invoice.pk}, follow=True)
    assert f"recorded as the payment of invoice {invoice.number}" in page.content.decode()
    line.refresh_from_db()
    invoice.refresh_from_db()
    assert (line.status, invoice.status) == ("matched", "paid")


def test_finance_assigns_an_unmatched_line_by_invoice_number(client, finance_agent, invoice):
    bank_statement_import(
        data=camt053([{"amount": invoice.total - Decimal("0.50"), "name": "A. Rossi", "remittance": "Propass"}]),
        file_name="s.xml",
        actor=None,
    )
    line = BankLine.objects.get(status="unmatched")
    client.force_login(finance_agent)
    page = client.post(f"/backoffice/bank/lines/{line.pk}/confirm/", {"invoice_number": "INV-0000-999999"}, follow=True)
    assert "No invoice has the number “INV-0000-999999”." in page.content.decode()
    page = client.post(f"/backoffice/bank/lines/{line.pk}/confirm/", {"invoice_number": " "}, follow=True)
    assert "Enter the number of the invoice this transfer pays." in page.content.decode()
    client.post(f"/backoffice/bank/lines/{line.pk}/confirm/", {"invoice_number": invoice.number.lower()})
    line.refresh_from_db()
    assert (line.status, line.invoice, line.resolved_by) == ("matched", invoice, finance_agent)
    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert f'id="line-{line.pk}"' not in client.get("/backoffice/bank/").content.decode()


def test_finance_ignores_a_line_with_a_note(client, finance_agent, db):
    bank_statement_import(data=camt053([{"amount": "3.10", "name": "Bank"}]), file_name="s.xml", actor=None)
    line = BankLine.objects.get()
    client.force_login(finance_agent)
    page = client.post(f"/backoffice/bank/lines/{line.pk}/ignore/", {"note": ""}, follow=True).content.decode()
    assert "Write a note saying why this line is ignored." in page
    client.post(f"/backoffice/bank/lines/{line.pk}/ignore/", {"note": "Interest"})
    line.refresh_from_db()
    assert line.status == "ignored"
    statement = client.get(f"/backoffice/bank/statements/{line.statement_id}/").content.decode()
    assert "Ignored" in statement


def test_the_statement_page_shows_every_line_with_its_status(client, finance_agent, invoice):
    result = bank_statement_import(
        data=camt053(
            [
                {"amount": invoice.total, "reference": invoice.reference},
                {"amount": "9.00", "name": "Somebody"},
            ],
            statement_id="2026-03-STMT",
        ),
        file_name="march.xml",
        actor=None,
    )
    client.force_login(finance_agent)
    page = client.get(f"/backoffice/bank/statements/{result.statements[0].pk}/").content.decode()
    assert "2026-03-STMT" in page
    assert "march.xml" in page
    assert invoice.number in page
    assert "Matched" in page
    assert "Unmatched" in page


def test_the_attention_list_takes_the_same_queries_for_many_lines(
    client, finance_agent, invoice, django_assert_num_queries
):
    client.force_login(finance_agent)

    def statement(number, count):
        entries = [
            {"amount": invoice.total, "name": "Alpha Studio"},  # suggested
            *({"amount": f"{n + 1}.00", "reference": UNKNOWN_RF, "name": f"Payer {n}"} for n in range(count)),
        ]
        bank_statement_import(data=camt053(entries, statement_id=f"S{number}"), file_name="s.xml", actor=None)

    statement(1, 2)
    with django_assert_num_queries(8):
        assert client.get("/backoffice/bank/").status_code == 200
    statement(2, 30)
    with django_assert_num_queries(8):
        assert client.get("/backoffice/bank/").status_code == 200


def test_only_finance_staff_use_the_bank_pages(client, staff, member, finance_agent, db):
    bank_statement_import(data=camt053([{"amount": "3.10", "name": "Bank"}]), file_name="s.xml", actor=None)
    line = BankLine.objects.get()
    urls = [
        ("get", "/backoffice/bank/"),
        ("get", f"/backoffice/bank/statements/{line.statement_id}/"),
        ("post", "/backoffice/bank/"),
        ("post", f"/backoffice/bank/lines/{line.pk}/confirm/"),
        ("post", f"/backoffice/bank/lines/{line.pk}/ignore/"),
    ]
    for method, url in urls:
        response = getattr(client, method)(url, {"note": "x"} if "ignore" in url else {})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    for user in (staff, member):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url, {"note": "x"} if "ignore" in url else {}).status_code == 403
    line.refresh_from_db()
    assert line.status == "unmatched"
    client.force_login(finance_agent)
    assert client.get("/backoffice/bank/").status_code == 200
    assert client.get(f"/backoffice/bank/statements/{line.statement_id}/").status_code == 200
    assert 'aria-current="page">Bank statements' in client.get("/backoffice/bank/").content.decode()


def test_the_pages_show_the_text_real_banks_wrote_wherever_they_wrote_it(client, finance_agent, db):
    client.force_login(finance_agent)
    for name in ("oca16-test-camt053.xml", "moov-postfinance-camt.053_P_CH2909000000250094239.xml"):
        page = _upload(client, (CORPUS / name).read_bytes(), name=name).content.decode()
        assert "Statement imported: 0 matched" in page
    _upload(client, camt053([{"amount": "2.00", "bank_reference": "NOTHING-WRITTEN"}], statement_id="S-EMPTY"))
    listed = client.get("/backoffice/bank/").content.decode()
    assert "#RD PARTY MEDIA CUSNO 90782 4210773" in listed  # ABN AMRO: the transaction's AddtlTxInf
    batch = "SAMMELGUTSCHRIFT ESR VERARBEITUNG VOM 24.11.2020 KUNDENNUMMER 01-429580-3 PAKET ID: 201124CH00000UR0"
    assert batch in listed  # PostFinance: the entry's AddtlNtryInf
    empty = BankLine.objects.get(entry_reference="NOTHING-WRITTEN")
    assert '<td class="remittance">—</td>' in listed.split(f'id="line-{empty.pk}"')[1].split("</tr>")[0]
    line = BankLine.objects.get(remittance=batch)
    statement = client.get(f"/backoffice/bank/statements/{line.statement_id}/").content.decode()
    assert batch in statement
