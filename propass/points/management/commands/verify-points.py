from django.core.management.base import BaseCommand, CommandError

from propass.points.services import points_verify


class Command(BaseCommand):
    help = "Checks that every business's cached points balance equals the sum of its ledger."

    def handle(self, *args: object, **options: object) -> None:
        mismatches = points_verify()
        for business, cached, ledger in mismatches:
            self.stderr.write(f"{business.pk} {business.name}: cached {cached}, ledger {ledger}")
        if mismatches:
            raise CommandError(f"{len(mismatches)} balances differ from their ledger")
        self.stdout.write("Every balance equals its ledger sum.")
