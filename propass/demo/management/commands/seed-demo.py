from django.core.management.base import BaseCommand

from propass.demo.demo import DEMO_TOTP_SECRET, demo_seed


class Command(BaseCommand):
    help = "Loads the demo program, businesses and logins. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Demo logins:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.password:<20} {login.who}")
        self.stdout.write(
            f"Staff logins ask for a two-factor code: add the secret {DEMO_TOTP_SECRET} to an authenticator app,\n"
            "or print the current code with `bin/propass two-factor-code staff@propass.test` in another terminal."
        )
