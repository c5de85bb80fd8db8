"""What must hold after any number of concurrent requests: the race sweep's assertions."""

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Sum

from propass.accounts.models import Business
from propass.points.enums import LedgerReason
from propass.points.models import LedgerEntry
from propass.points.selectors import points_verify_credits, points_verify_registrations
from propass.points.services import points_verify
from propass.products.enums import RegistrationStatus
from propass.products.models import Registration


def assert_points_add_up(business: Business) -> int:
    """Ledger sum = cached balance = the points of the business's credited registrations
    (plus staff adjustments), each credited registration netting exactly one credit in the
    ledger and the others nothing; `verify-points` agrees. Returns the balance."""
    cached = Business.objects.values_list("points_balance", flat=True).get(pk=business.pk)
    entries = LedgerEntry.objects.filter(business=business)
    ledger = entries.aggregate(total=Sum("amount"))["total"] or 0
    adjustments = entries.filter(reason=LedgerReason.ADJUSTMENT).aggregate(total=Sum("amount"))["total"] or 0
    credited = Registration.objects.filter(business=business, status=RegistrationStatus.COMPLETE)
    assert credited.filter(points_credited=0, points_value__gt=0).count() == 0, "a credited registration earned 0"
    earned = credited.aggregate(total=Sum("points_credited"))["total"] or 0
    assert (ledger, cached) == (earned + adjustments, earned + adjustments), (
        f"ledger {ledger}, cached {cached}, credited registrations {earned} + adjustments {adjustments}"
    )
    assert points_verify() == []
    assert [m for m in points_verify_registrations() if m.business_id == business.pk] == []
    assert [b for b, _credited, _ledger in points_verify_credits() if b.pk == business.pk] == []
    return cached


def assert_gap_free(numbers: Iterable[str]) -> None:
    """Numbers "<series>-<n>" (invoices, credit notes): per series 1, 2, 3 … without a gap or a repeat."""
    by_series: dict[str, list[int]] = {}
    for number in numbers:
        series, _sep, counter = number.rpartition("-")
        by_series.setdefault(series, []).append(int(counter))
    for series, sequence in by_series.items():
        assert sorted(sequence) == list(range(1, len(sequence) + 1)), f"{series}: {sorted(sequence)}"


@dataclass(frozen=True)
class Move:
    table: str
    row: str
    old: str
    new: str


def assert_moves_along(moves: Iterable[Move], table: Mapping[str, Iterable[str]]) -> None:
    """Every status change the database saw is allowed by the transition table."""
    illegal = [move for move in moves if move.new not in set(table.get(move.old, ()))]
    assert illegal == [], f"moves outside the table: {illegal}"


def moves_count(moves: Iterable[Move]) -> Counter[tuple[str, str]]:
    return Counter((move.old, move.new) for move in moves)


@contextmanager
def status_moves(*model_classes: type[models.Model]) -> Iterator[list[Move]]:
    """Record every change of `status` on the models' tables, however it is written (save(),
    a conditional update, a raw update), with a database trigger. The list yielded fills when
    the block ends. Works on PostgreSQL and SQLite; for tests with `transaction=True`."""
    # Table names come from the models, never from input: the f-strings below are safe.
    tables = [model._meta.db_table for model in model_classes]
    postgres = connection.vendor == "postgresql"
    key = "serial PRIMARY KEY" if postgres else "integer PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE race_moves (id {key}, tbl text, row_id text, old text, new text)")
        if postgres:
            cursor.execute(
                "CREATE FUNCTION race_moves_record() RETURNS trigger AS $$ BEGIN "
                "INSERT INTO race_moves (tbl, row_id, old, new) VALUES (TG_TABLE_NAME, NEW.id::text, OLD.status, "
                "NEW.status); RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            for table in tables:
                cursor.execute(
                    f"CREATE TRIGGER race_moves_{table} AFTER UPDATE OF status ON {table} FOR EACH ROW "
                    "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION race_moves_record()"
                )
        else:
            for table in tables:
                cursor.execute(
                    f"CREATE TRIGGER race_moves_{table} AFTER UPDATE OF status ON {table} FOR EACH ROW "  # noqa: S608
                    "WHEN OLD.status IS NOT NEW.status BEGIN INSERT INTO race_moves (tbl, row_id, old, new) "
                    f"VALUES ('{table}', NEW.id, OLD.status, NEW.status); END"
                )
    moves: list[Move] = []
    try:
        yield moves
        with connection.cursor() as cursor:
            cursor.execute("SELECT tbl, row_id, old, new FROM race_moves ORDER BY id")
            moves.extend(Move(*row) for row in cursor.fetchall())
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DROP TRIGGER race_moves_{table}" + (f" ON {table}" if postgres else ""))
            if postgres:
                cursor.execute("DROP FUNCTION race_moves_record()")
            cursor.execute("DROP TABLE race_moves")
