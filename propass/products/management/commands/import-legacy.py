import csv
import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propass.products.legacy import legacy_import_file


class Command(BaseCommand):
    help = (
        "Imports legacy CPS accounts and registrations from a CSV file. Bad rows are reported with their "
        "line and reason (and written to --report); good rows are imported; re-running changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--report", help="CSV file for the bad rows (default: FILE.errors.csv)")

    def handle(self, *args: object, **options: object) -> None:
        path = str(options["file"])
        if not os.path.exists(path):
            raise CommandError(f"{path}: no such file")
        started = time.perf_counter()
        show = int(options["verbosity"]) > 0  # type: ignore[call-overload]

        def progress(rows: int) -> None:
            if show:
                elapsed = time.perf_counter() - started
                sys.stderr.write(f"\r  {rows:>12,} rows read   {rows / max(elapsed, 1e-6):>10,.0f} rows/s")
                sys.stderr.flush()

        report = legacy_import_file(path=path, progress=progress)
        elapsed = time.perf_counter() - started
        if show:
            sys.stderr.write("\n")
        report_path = str(options.get("report") or f"{path}.errors.csv")
        if report.errors:
            with open(report_path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["line", "reason"])
                writer.writerows(report.errors)
            for line, reason in report.errors[:20]:
                self.stderr.write(f"line {line}: {reason}")
            if len(report.errors) > 20:
                self.stderr.write(f"... and {len(report.errors) - 20} more in {report_path}")
        self.stdout.write(
            f"{report.rows:,} rows read in {elapsed:.1f}s ({report.rows / max(elapsed, 1e-6):,.0f} rows/s): "
            f"{report.accounts:,} new accounts, {report.registrations:,} new registrations, "
            f"{report.bad_rows:,} bad rows" + (f" (see {report_path})" if report.errors else "")
        )
