import json
import time
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from propass.demo.bulk import Progress
from propass.demo.demo import DEMO_TOTP_SECRET
from propass.demo.scale import ScaleOptions, ScaleSeedError, scale_seed


class Command(BaseCommand):
    help = (
        "Fills the database with a program at scale (150,000 businesses, a million registrations … by default) "
        "for measuring pages and batch jobs; prints the logins. Refuses a database that already holds businesses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = ScaleOptions()
        for name in ("businesses", "registrations", "memberships", "invoices", "audit", "notifications"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument(
            "--renewals-due",
            type=int,
            default=0,
            help="active auto-renewing memberships whose term ends on the due date",
        )
        parser.add_argument(
            "--card-charges-due", type=int, default=0, help="unpaid card invoices due on the due date, card on file"
        )
        parser.add_argument("--due-date", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: tomorrow)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--force", action="store_true", help="add to a database that already holds businesses")
        parser.add_argument(
            "--logins",
            default=str(Path(settings.DATA_DIR) / "scale-logins.json"),
            help="where to write the logins as JSON (default: var/scale-logins.json)",
        )

    def handle(self, *args: object, **options: object) -> None:
        scale = ScaleOptions(**{name: options[name] for name in ScaleOptions.__dataclass_fields__})  # type: ignore[arg-type]
        progress = Progress(self.stderr)
        started = time.perf_counter()
        try:
            logins = scale_seed(options=scale, progress=progress)
        except ScaleSeedError as error:
            raise CommandError(str(error)) from None
        path = Path(str(options["logins"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(logins.as_json(), indent=2) + "\n")
        wall = time.perf_counter() - started
        self.stderr.write("Time per table (writing) and step:")
        for line in progress.summary():
            self.stderr.write(f"  {line}")
        measured = sum(timing.seconds for timing in progress.tables.values()) + sum(progress.steps.values())
        self.stderr.write(f"  {'other (rows made between writes)':<34} {'':>16} {wall - measured:>8.1f} s")
        self.stderr.write(f"  {'total':<34} {'':>16} {wall:>8.1f} s")
        self.stdout.write(self.style.SUCCESS(f"The scale program is in place. Logins (password {logins.password}):"))
        self.stdout.write(f"  {logins.member_small:<48} owner of a small business")
        self.stdout.write(f"  {logins.member_large:<48} owner of the largest business (#{logins.business_large_id})")
        for group, email in logins.staff.items():
            self.stdout.write(f"  {email:<48} staff: {group}")
        self.stdout.write(
            "Staff logins ask for a two-factor code: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app,\nor (with DEBUG) print the current code with "
            f"`bin/propass two-factor-code {logins.staff.get('validation', 'EMAIL')}`.\n"
            f"The logins are in {path} too."
        )
