from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from propass.billing.bank import bank_statement_import
from propass.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Imports an ISO 20022 camt.053 bank statement and matches its credit transfers to invoices "
        "(RF reference and amount); a statement imported before changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        try:
            result = bank_statement_import(data=data, file_name=path.name, actor=None)
        except DomainError as error:
            raise CommandError(f"{path.name}: {error.summary()}") from None
        for statement in result.statements:
            self.stdout.write(f"Statement {statement.statement_id} of {statement.account_iban}: imported")
        for skipped in result.skipped:
            self.stdout.write(f"Statement {skipped}: imported before, nothing changed")
        if result.already_imported:
            return
        self.stdout.write(f"{result.matched} matched, {result.suggested} suggested, {result.unmatched} unmatched")
        if result.unmatched_lines:
            self.stdout.write("Unmatched (see /backoffice/bank/):")
            for line in result.unmatched_lines:
                text = line.reference or line.remittance or "-"
                self.stdout.write(f"  {line.amount} {line.currency}  {line.debtor_name or '-'}  {text}")
