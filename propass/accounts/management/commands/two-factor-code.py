from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from propass.accounts.models import User, normalize_email
from propass.accounts.services import staff_totp_device


class Command(BaseCommand):
    help = "Prints the current two-factor code of a staff login (DEBUG only: for demos without a phone)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("two-factor-code works only with DEBUG=true (a demo or a developer's machine).")
        user = User.objects.filter(email=normalize_email(str(options["email"]))).first()
        device = staff_totp_device(user=user) if user is not None else None
        if device is None:
            raise CommandError("This login has no two-factor authenticator set up.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
