from django.core.management.base import BaseCommand, CommandError, CommandParser

from propass.catalog.services import catalog_import_file


class Command(BaseCommand):
    help = "Imports product models from a CSV file (code is the key; re-running updates)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: object, **options: object) -> None:
        try:
            report = catalog_import_file(path=str(options["file"]))
        except OSError as error:
            raise CommandError(str(error)) from None
        for line, message in report.errors:
            self.stderr.write(f"line {line}: {message}")
        self.stdout.write(f"{report.created} created, {report.updated} updated, {len(report.errors)} rows refused")
        if report.errors:
            raise CommandError(f"{len(report.errors)} rows were refused (see above); the others were imported")
