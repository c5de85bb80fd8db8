"""Import of the old CPS program's accounts and registrations.

The file is read as a stream (constant memory), every row is checked, bad rows are reported
with their line and reason, good rows are imported. The key of a registration is its
account's e-mail, serial number and product code (or name), so importing the same file
twice changes nothing. On PostgreSQL the rows go through COPY into a staging table and one
INSERT ... SELECT per table; elsewhere through batched bulk inserts.
"""

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone
from django_countries import countries

from propass.catalog.models import ProductModel
from propass.core.statuses import status_move
from propass.products.models import LegacyAccount, LegacyImport, LegacyRegistration

REQUIRED_COLUMNS = {"legacy_email", "serial_number", "product_code", "product_name"}
COLUMNS = [
    "legacy_email", "account_name", "country", "membership_number", "level", "product_code", "product_name",
    "serial_number", "purchase_date", "country_of_purchase", "dealer",
]  # fmt: skip
COUNTRY_CODES = frozenset(code for code, _name in countries)
BATCH = 5000


@dataclass
class LegacyImportReport:
    rows: int = 0
    accounts: int = 0
    registrations: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len(self.errors)


@dataclass(frozen=True)
class _Row:
    email: str
    account: tuple[str, str, str, str]  # name, country, membership number, level
    registration: tuple[str, int | None, str, str, str, date | None, str, str] | None
    # key, product id, code, name, serial, purchase date, country of purchase, dealer


class BadRow(ValueError):
    pass


def _is_utf8(values: list[str]) -> bool:
    """Undecodable bytes arrive as surrogate escapes; only those fail to encode again."""
    line = "\x1f".join(values)
    if line.isascii():
        return True
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Catalog:
    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for pk, code, name in ProductModel.objects.values_list("pk", "code", "name"):
            self.by_code[code.upper()] = pk
            self.by_name.setdefault(name.lower(), pk)

    def find(self, code: str, name: str) -> int | None:
        if code:
            return self.by_code.get(code.upper())
        return self.by_name.get(name.lower()) if name else None


def _parse(values: list[str], positions: tuple[int, ...], catalog: _Catalog) -> _Row:
    if not _is_utf8(values):
        raise BadRow("the line is not valid UTF-8")
    width = len(values)
    (email, account_name, country, number, level, code, name, serial, purchase_raw, bought_in, dealer) = (
        values[i].strip() if 0 <= i < width else "" for i in positions
    )
    email = email.lower()
    if "@" not in email or len(email) > 254 or " " in email:
        raise BadRow(f"legacy_email {email!r} is not an e-mail address")
    country = country.upper()
    if country and country not in COUNTRY_CODES:
        raise BadRow(f"country {country!r} is not an ISO 3166 code")
    account = (account_name[:200], country, number[:30], level[:50])
    if not (code or name or serial or purchase_raw or bought_in or dealer):
        return _Row(email, account, None)
    serial = serial.upper()
    if not serial:
        raise BadRow("serial_number is empty: the registration cannot be told apart from others")
    code, name = code[:50], name[:200]
    if not code and not name:
        raise BadRow("product_code and product_name are both empty")
    purchase = None
    if purchase_raw:
        try:
            purchase = date.fromisoformat(purchase_raw)
        except ValueError:
            raise BadRow(f"purchase_date {purchase_raw!r} is not an ISO date (YYYY-MM-DD)") from None
    bought_in = bought_in.upper()
    if bought_in and bought_in not in COUNTRY_CODES:
        raise BadRow(f"country_of_purchase {bought_in!r} is not an ISO 3166 code")
    key = f"{serial}\x1f{code.upper() or name.lower()}"[:320]
    registration = (key, catalog.find(code, name), code, name, serial[:100], purchase, bought_in, dealer[:200])
    return _Row(email, account, registration)


def _rows(stream: IO[str], report: LegacyImportReport, catalog: _Catalog) -> Iterator[_Row]:
    reader = csv.reader(stream, strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        report.errors.append((1, "the file has no header row"))
        return
    missing = REQUIRED_COLUMNS - set(header)
    if missing:
        report.errors.append((1, f"missing columns: {', '.join(sorted(missing))}"))
        return
    positions = tuple(header.index(name) if name in header else -1 for name in COLUMNS)
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            report.rows += 1
            report.errors.append((reader.line_num, f"broken CSV quoting: {error}"))
            continue
        if not values or not any(v.strip() for v in values):
            continue
        report.rows += 1
        try:
            yield _parse(values, positions, catalog)
        except BadRow as error:
            report.errors.append((reader.line_num, str(error)))


def legacy_import(
    *, stream: IO[bytes], progress: Callable[[int], None] | None = None, size: int | None = None
) -> LegacyImportReport:
    """Import legacy accounts and registrations from a CSV byte stream (see the module doc)."""
    report = LegacyImportReport()
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    catalog = _Catalog()
    rows = _rows(text, report, catalog)
    before_accounts = LegacyAccount.objects.count()
    before_registrations = LegacyRegistration.objects.count()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _import_postgresql(rows, report, progress)
        else:
            _import_batched(rows, report, progress)
    report.accounts = LegacyAccount.objects.count() - before_accounts
    report.registrations = LegacyRegistration.objects.count() - before_registrations
    return report


def legacy_import_file(*, path: str, progress: Callable[[int], None] | None = None) -> LegacyImportReport:
    with open(path, "rb") as handle:
        return legacy_import(stream=handle, progress=progress, size=os.path.getsize(path))


def _import_batched(rows: Iterator[_Row], report: LegacyImportReport, progress: Callable[[int], None] | None) -> None:
    batch: list[_Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            _flush(batch)
            if progress:
                progress(report.rows)
            batch = []
    if batch:
        _flush(batch)
    if progress:
        progress(report.rows)


def _flush(batch: list[_Row]) -> None:
    """One batch through plain multi-row INSERT ... ON CONFLICT DO NOTHING (no model objects)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    accounts: dict[str, tuple[str, str, str, str]] = {}
    for row in batch:
        accounts.setdefault(row.email, row.account)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO products_legacyaccount "
            "(email, account_name, country, membership_number, level, created_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (email) DO NOTHING",
            [(email, *values, now, now) for email, values in accounts.items()],
        )
        ids = dict(LegacyAccount.objects.filter(email__in=list(accounts)).values_list("email", "pk"))
        cursor.executemany(
            "INSERT INTO products_legacyregistration (account_id, key, product_id, product_code, product_name, "
            "serial_number, purchase_date, country_of_purchase, dealer) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (account_id, key) DO NOTHING",
            [(ids[row.email], *_adapt(row.registration)) for row in batch if row.registration is not None],
        )


def _adapt(registration: tuple) -> tuple:
    key, product, code, name, serial, purchase, bought_in, dealer = registration
    return key, product, code, name, serial, connection.ops.adapt_datefield_value(purchase), bought_in, dealer


NULL = "\\N"


def _import_postgresql(
    rows: Iterator[_Row], report: LegacyImportReport, progress: Callable[[int], None] | None
) -> None:
    """COPY the checked rows into two staging tables (accounts at their first sight, then
    registrations), then one INSERT ... SELECT ... ON CONFLICT DO NOTHING per table."""
    with connection.cursor() as cursor:
        # Unlogged tables, not temporary ones: COPY into a temporary table is held back by
        # temp_buffers and was three times slower here. Dropped in the same transaction.
        cursor.execute("DROP TABLE IF EXISTS legacy_stage_account, legacy_stage")
        cursor.execute(
            "CREATE UNLOGGED TABLE legacy_stage_account (email text, account_name text, country text, "
            "membership_number text, level text)"
        )
        cursor.execute(
            "CREATE UNLOGGED TABLE legacy_stage (email text, key text, product_id bigint, product_code text, "
            "product_name text, serial_number text, purchase_date date, country_of_purchase text, dealer text)"
        )
        raw: Any = cursor.cursor  # psycopg's own cursor, for COPY
        seen: set[str] = set()  # grows with the number of accounts, not of rows
        accounts, registrations = io.StringIO(), io.StringIO()
        account_writer, registration_writer = csv.writer(accounts), csv.writer(registrations)

        copy_options = "(FORMAT csv, NULL '\\N')"
        with raw.copy(f"COPY legacy_stage FROM STDIN {copy_options}") as copy:
            for number, row in enumerate(rows, start=1):
                if row.email not in seen:
                    seen.add(row.email)
                    account_writer.writerow((row.email, *row.account))
                if (r := row.registration) is not None:
                    registration_writer.writerow(
                        (row.email, r[0], NULL if r[1] is None else r[1], *r[2:5],
                         NULL if r[5] is None else r[5], *r[6:])
                    )  # fmt: skip
                if number % 50_000 == 0:
                    copy.write(registrations.getvalue())
                    registrations.seek(0)
                    registrations.truncate()
                    if progress:
                        progress(report.rows)
            copy.write(registrations.getvalue())
        with raw.copy(f"COPY legacy_stage_account FROM STDIN {copy_options}") as copy:
            copy.write(accounts.getvalue())
        if progress:
            progress(report.rows)
        cursor.execute(
            "INSERT INTO products_legacyaccount "
            "(email, account_name, country, membership_number, level, created_at, updated_at) "
            "SELECT email, account_name, country, membership_number, level, now(), now() "
            "FROM legacy_stage_account ON CONFLICT (email) DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO products_legacyregistration (account_id, key, product_id, product_code, product_name, "
            "serial_number, purchase_date, country_of_purchase, dealer) "
            "SELECT a.id, s.key, s.product_id, s.product_code, s.product_name, "
            "s.serial_number, s.purchase_date, s.country_of_purchase, s.dealer "
            "FROM legacy_stage s JOIN products_legacyaccount a ON a.email = s.email "
            "ON CONFLICT (account_id, key) DO NOTHING"
        )
        cursor.execute("DROP TABLE legacy_stage_account, legacy_stage")


def legacy_import_upload(*, upload: Any, actor: Any) -> Any:
    """Staff upload a legacy file; the background worker imports it."""
    record = LegacyImport(original_name=str(upload.name)[:200], uploaded_by=actor)
    record.file.save("legacy.csv", upload, save=False)
    record.save()
    transaction.on_commit(lambda: legacy_import_task.enqueue(record.pk))
    return record


def legacy_import_run(*, import_id: int) -> None:
    """Import an uploaded file (a queued record is claimed before it runs). A record found
    running was claimed by a run whose worker died (the task runs again only then, core/tasks.py):
    this run takes it over. The import is one transaction and changes nothing the second time."""
    record = LegacyImport.objects.filter(pk=import_id).first()
    if record is None or record.status in {LegacyImport.Status.DONE, LegacyImport.Status.FAILED}:
        return
    if record.status == LegacyImport.Status.QUEUED and not status_move(record, LegacyImport.Status.RUNNING):
        return
    try:
        with record.file.open("rb") as handle:
            report = legacy_import(stream=handle)
    except Exception as error:
        status_move(record, LegacyImport.Status.FAILED, report=str(error)[:2000], finished_at=timezone.now())
        raise
    lines = "\n".join(f"line {line}: {reason}" for line, reason in report.errors[:1000])
    status_move(
        record,
        LegacyImport.Status.DONE,
        rows=report.rows,
        accounts=report.accounts,
        registrations=report.registrations,
        bad_rows=report.bad_rows,
        report=lines,
        finished_at=timezone.now(),
    )


@task()
def legacy_import_task(import_id: int) -> None:
    legacy_import_run(import_id=import_id)
