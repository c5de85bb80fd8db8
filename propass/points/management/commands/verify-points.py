from django.core.management.base import BaseCommand, CommandError

from propass.points.selectors import points_verify_credits, points_verify_registrations
from propass.points.services import points_verify


class Command(BaseCommand):
    help = (
        "Checks that every business's cached points balance equals the sum of its ledger, that every "
        "registration is credited exactly once (one net credit of its value, or nothing), and that each "
        "business's ledger, staff adjustments aside, matches what its registrations earned."
    )

    def handle(self, *args: object, **options: object) -> None:
        problems = []
        mismatches = points_verify()
        for business, cached, ledger in mismatches:
            self.stderr.write(f"{business.pk} {business.name}: cached {cached}, ledger {ledger}")
        if mismatches:
            problems.append(f"{len(mismatches)} balances differ from their ledger")
        registrations = points_verify_registrations()
        for item in registrations:
            self.stderr.write(
                f"registration {item.registration_id} of business {item.business_id}: credited {item.credited} "
                f"(value {item.value}), ledger {item.ledger}"
            )
        if registrations:
            problems.append(f"{len(registrations)} registrations are not credited exactly once")
        credits = points_verify_credits()
        for business, credited, ledger in credits:
            self.stderr.write(
                f"{business.pk} {business.name}: registrations credited {credited}, ledger without adjustments {ledger}"
            )
        if credits:
            problems.append(f"{len(credits)} businesses' ledgers differ from what their registrations earned")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write("Every balance equals its ledger sum, and every registration is credited exactly once.")
