"""Legacy import speed: prints rows/s for `propass import-legacy` on PostgreSQL and SQLite,
next to a plain COPY of the same file into an unindexed table and a naive ORM save() loop.

    uv run python bench/legacy_import.py [--rows 1000000] [--accounts 150000] [--bad 0.01]
        [--pg postgres://postgres@127.0.0.1:5432/propass_bench]

Each database is created fresh (the PostgreSQL one is dropped and created again).
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "legacy_email", "account_name", "country", "membership_number", "level", "product_code", "product_name",
    "serial_number", "purchase_date", "country_of_purchase", "dealer",
]  # fmt: skip
COUNTRIES = ["IT", "DE", "FR", "ES", "NL", "GB", "BE", "AT", "SE", "PL"]
BAD_KINDS = ["date", "country", "serial", "email"]


def generate(path: Path, rows: int, accounts: int, bad: float) -> int:
    rng = random.Random(42)
    codes = [
        line.split(",")[0] for line in (ROOT / "propass/catalog/data/demo_catalog.csv").read_text().splitlines()[1:]
    ]
    bad_rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            account = n % accounts
            country = COUNTRIES[account % len(COUNTRIES)]
            row = [
                f"member{account}@old-cps.example", f"Studio {account}", country, f"{100000000 + account}", "Gold",
                codes[n % len(codes)], "", f"{n:012d}", f"20{10 + n % 14:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                country, "Dealer " + str(n % 500),
            ]  # fmt: skip
            if rng.random() < bad:
                bad_rows += 1
                kind = BAD_KINDS[bad_rows % len(BAD_KINDS)]
                if kind == "date":
                    row[8] = "31/02/2020"
                elif kind == "country":
                    row[9] = "XX"
                elif kind == "serial":
                    row[7] = ""
                else:
                    row[0] = "not-an-email"
            elif n % 10 == 0:
                row[10] = ""  # an incomplete registration: no dealer
            writer.writerow(row)
    return bad_rows


def propass(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true"}
    return subprocess.run(
        [sys.executable, "-m", "propass.manage", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )


def timed_import(path: Path, database_url: str) -> float:
    propass("migrate", "--noinput", "-v0", database_url=database_url)
    propass("shell", "-c", "from propass.demo.demo import catalog_seed; catalog_seed()", database_url=database_url)
    started = time.perf_counter()
    result = propass(
        "import-legacy", str(path), "-v0", "--report", str(path) + ".errors.csv", database_url=database_url
    )
    elapsed = time.perf_counter() - started
    print("   ", result.stdout.strip())
    return elapsed


def plain_copy(path: Path, pg_url: str) -> float:
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_plain_copy")
        conn.execute(f"CREATE UNLOGGED TABLE bench_plain_copy ({', '.join(f'{c} text' for c in HEADER)})")
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            path.open("rb") as handle,
            cursor.copy("COPY bench_plain_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        conn.execute("DROP TABLE bench_plain_copy")
    return elapsed


NAIVE = """
import csv, itertools, time, datetime
from propass.products.models import LegacyAccount, LegacyRegistration
started = time.perf_counter()
n = 0
with open({path!r}, newline="", encoding="utf-8") as handle:
    for row in itertools.islice(csv.DictReader(handle), {rows}):
        try:
            day = datetime.date.fromisoformat(row["purchase_date"]) if row["purchase_date"] else None
        except ValueError:
            continue
        account, _ = LegacyAccount.objects.get_or_create(email=row["legacy_email"].lower())
        LegacyRegistration(account=account, key=row["serial_number"] + row["product_code"],
                           product_code=row["product_code"], serial_number=row["serial_number"],
                           purchase_date=day, country_of_purchase=row["country_of_purchase"][:2],
                           dealer=row["dealer"]).save()
        n += 1
print(time.perf_counter() - started)
"""


def naive_loop(path: Path, database_url: str, rows: int) -> float:
    result = propass("shell", "-c", NAIVE.format(path=str(path), rows=rows), database_url=database_url)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=150_000)
    parser.add_argument("--bad", type=float, default=0.01)
    parser.add_argument("--slice", type=int, default=20_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/propass_bench")
    options = parser.parse_args()
    import psycopg

    workdir = Path(tempfile.mkdtemp(prefix="propass-legacy-bench-"))
    path = workdir / "legacy.csv"
    started = time.perf_counter()
    bad = generate(path, options.rows, options.accounts, options.bad)
    size = path.stat().st_size / 1e6
    print(f"file: {options.rows:,} rows, {options.accounts:,} accounts, {bad:,} bad rows, {size:.0f} MB "
          f"(generated in {time.perf_counter() - started:.1f}s)")  # fmt: skip

    admin_url = options.pg.rsplit("/", 1)[0] + "/postgres"
    name = options.pg.rsplit("/", 1)[1]

    def fresh_pg() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    fresh_pg()
    pg = timed_import(path, options.pg)
    copy = plain_copy(path, options.pg)
    fresh_pg()
    propass("migrate", "--noinput", "-v0", database_url=options.pg)
    naive_pg = naive_loop(path, options.pg, options.slice)
    sqlite_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    sqlite = timed_import(path, sqlite_url)
    sqlite_naive_url = f"sqlite:///{workdir / 'naive.sqlite3'}"
    propass("migrate", "--noinput", "-v0", database_url=sqlite_naive_url)
    naive_sqlite = naive_loop(path, sqlite_naive_url, options.slice)

    rows = options.rows
    print(f"{'import-legacy, PostgreSQL':<40} {rows / pg:>12,.0f} rows/s  ({pg:.1f}s)")
    print(f"{'plain COPY, PostgreSQL, no indexes':<40} {rows / copy:>12,.0f} rows/s  ({copy:.1f}s)")
    print(
        f"{'naive ORM save() loop, PostgreSQL':<40} {options.slice / naive_pg:>12,.0f} rows/s  ({options.slice:,} rows)"
    )
    print(f"{'import-legacy, SQLite':<40} {rows / sqlite:>12,.0f} rows/s  ({sqlite:.1f}s)")
    print(
        f"{'naive ORM save() loop, SQLite':<40} {options.slice / naive_sqlite:>12,.0f} rows/s  ({options.slice:,} rows)"
    )
    print(f"import-legacy on PostgreSQL runs at {copy / pg:.0%} of plain COPY's rows/s (goal: at least 33%).")


if __name__ == "__main__":
    main()
