"""Writing many generated rows fast, for `propass seed-scale`: COPY on PostgreSQL, batched
INSERTs on SQLite, ids allocated up front, and the rows per second shown as they go.

The rows are tuples in the order of the field names given, with Python values (dates, aware
datetimes, Decimals, dicts for JSON). They bypass the models' save(): timestamps are written
as given (bulk_create would replace `auto_now_add` values with the time of the run), so the
caller is responsible for every rule the services would have applied."""

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, models
from psycopg import sql

REPORT_EVERY = 250_000  # rows between two progress lines of one long write (and one at its end)
INSERT_BATCH = 2_000  # rows per executemany on SQLite


class Stream(Protocol):
    def write(self, text: str) -> object: ...

    def flush(self) -> None: ...


@dataclass
class Timing:
    rows: int = 0
    seconds: float = 0.0


class Progress:
    """Rows written per table and the time each table and step took, shown on `stream`."""

    def __init__(self, stream: Stream | None = None) -> None:
        self.stream = stream
        self.tables: dict[str, Timing] = {}
        self.steps: dict[str, float] = {}

    def _say(self, line: str) -> None:
        if self.stream is not None:
            self.stream.write(line + "\n")
            self.stream.flush()

    def table(self, name: str, rows: int, seconds: float) -> None:
        timing = self.tables.setdefault(name, Timing())
        timing.rows += rows
        timing.seconds += seconds
        rate = timing.rows / timing.seconds if timing.seconds else 0
        self._say(f"  {name:<34} {timing.rows:>11,} rows {rate:>10,.0f} rows/s")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            self.steps[name] = self.steps.get(name, 0.0) + seconds
            self._say(f"  {name:<34} {seconds:>11.1f} s")

    def summary(self) -> list[str]:
        """One line per table (rows, seconds, rows/s) and per step, slowest first."""
        lines = []
        for name, timing in sorted(self.tables.items(), key=lambda item: -item[1].seconds):
            rate = timing.rows / timing.seconds if timing.seconds else 0
            lines.append(f"{name:<34} {timing.rows:>11,} rows {timing.seconds:>8.1f} s {rate:>10,.0f} rows/s")
        lines += [f"{name:<34} {'':>16} {seconds:>8.1f} s" for name, seconds in self.steps.items()]
        return lines


class TableWriter:
    """Writes rows into a model's table: one COPY per call on PostgreSQL, INSERTs in batches
    elsewhere. Ids are handed out before the rows are made (`ids`), so that rows can refer to
    each other; PostgreSQL's identity sequence is moved past them at once."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.postgres = connection.vendor == "postgresql"
        self._next_id: dict[str, int] = {}

    def ids(self, model: type[models.Model], count: int) -> int:
        """The first of `count` consecutive new primary keys of `model`, reserved for this run."""
        table, pk = model._meta.db_table, str(model._meta.pk.column)  # type: ignore[union-attr]
        if count <= 0:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
                    [table, pk, table, pk, count],
                )
                return int(cursor.fetchone()[0]) - count + 1
            # Names from the model, never from input.
            cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            first = max((cursor.fetchone()[0] or 0) + 1, self._next_id.get(table, 1))
        self._next_id[table] = first + count
        return first

    def write(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Write `rows` (values in the order of `fields`, attribute names such as `business_id`)."""
        opts = model._meta
        columns = [str(opts.get_field(name).column) for name in fields]  # type: ignore[union-attr]
        started = time.perf_counter()
        written = reported = 0

        def counted(source: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
            nonlocal written, reported, started
            for row in source:
                yield row
                written += 1
                if written - reported >= REPORT_EVERY:
                    now = time.perf_counter()
                    self.progress.table(opts.db_table, written - reported, now - started)
                    reported, started = written, now

        if self.postgres:
            self._copy(opts.db_table, columns, self._json_dumped(model, fields, counted(rows)))
        else:
            self._insert(model, fields, columns, counted(rows))
        if written > reported or written == 0:
            self.progress.table(opts.db_table, written - reported, time.perf_counter() - started)
        return written

    def _json_dumped(self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]):
        positions = [i for i, name in enumerate(fields) if isinstance(model._meta.get_field(name), models.JSONField)]
        if not positions:
            return rows
        return ([json.dumps(value) if i in positions else value for i, value in enumerate(row)] for row in rows)

    def _copy(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        )
        with connection.cursor() as cursor:
            raw: Any = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)

    def _insert(
        self, model: type[models.Model], fields: Sequence[str], columns: list[str], rows: Iterable[Sequence[Any]]
    ) -> None:
        quote = connection.ops.quote_name
        statement = (  # names from the model, never from input
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        # Each value as Django saves it on this database (dates, aware datetimes, JSON, Decimals).
        prepare: list[Callable[[Any, Any], Any]] = [
            model._meta.get_field(name).get_db_prep_save  # type: ignore[union-attr]
            for name in fields
        ]
        batch: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(tuple(p(value, connection) for p, value in zip(prepare, row, strict=True)))
                if len(batch) >= INSERT_BATCH:
                    cursor.executemany(statement, batch)
                    batch = []
            if batch:
                cursor.executemany(statement, batch)
