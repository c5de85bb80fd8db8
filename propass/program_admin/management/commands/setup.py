from django.core.management.base import BaseCommand

from propass.program_admin.setup import installation_setup


class Command(BaseCommand):
    help = (
        "Installs a fresh installation's defaults: the program and its legal texts, staff roles, sellers and VAT "
        "rates, tiers and prices, support answer times and canned replies, the FAQ. Idempotent: what exists, "
        "edited or not, stays as it is."
    )

    def handle(self, *args: object, **options: object) -> None:
        program = installation_setup()
        self.stdout.write(self.style.SUCCESS(f"The defaults are in place ({program.name})."))
