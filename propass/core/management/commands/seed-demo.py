from django.core.management.base import BaseCommand

from propass.core.demo import demo_seed


class Command(BaseCommand):
    help = "Loads the demo program, businesses and logins. Idempotent."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_seed()
        self.stdout.write(self.style.SUCCESS("Demo data is in place. Demo logins:"))
        for login in logins:
            self.stdout.write(f"  {login.email:<28} {login.password:<20} {login.who}")
