"""`propass seed-demo`: the demo businesses and people, on top of the installation's defaults."""

from django.core.management import call_command

from propass.accounts.models import Business, User
from propass.core.models import LegalText, Program
from propass.demo.demo import demo_seed
from propass.products.models import LegacyRegistration


def test_seed_demo_is_idempotent(db):
    demo_seed()
    counts = [m.objects.count() for m in (User, Business, Program, LegalText, LegacyRegistration)]
    demo_seed()
    assert [m.objects.count() for m in (User, Business, Program, LegalText, LegacyRegistration)] == counts


def test_the_seed_demo_command_prints_the_demo_logins_and_a_second_run_adds_nothing(db, capsys):
    call_command("seed-demo")
    users = User.objects.count()
    call_command("seed-demo")
    assert User.objects.count() == users
    output = capsys.readouterr().out
    assert "owner@studio-rossi.test" in output and "staff@propass.test" in output
