"""Swiss VAT numbers stored with their language ending before it was dropped are stored
without it, on businesses and applications alike; nothing else changes."""

from importlib import import_module

from django.apps import apps

from propass.accounts.models import Business
from propass.accounts.tests.factories import BusinessFactory
from propass.onboarding.models import Application
from propass.onboarding.tests.helpers import submit


def test_swiss_numbers_lose_their_ending_and_others_stay(program):
    swiss = BusinessFactory(country="CH", vat_number="CHE105048256MWST")
    french = BusinessFactory(country="CH", vat_number="CHE110576236TVA")
    italian = BusinessFactory(country="IT", vat_number="IT00743110157")
    application = submit(country="CH", vat_number="CHE-105.048.256")
    Application.objects.filter(pk=application.pk).update(
        vat_number="CHE105048256MWST", vat_check={"valid": True, "number": "CHE105048256MWST", "code": "ok"}
    )
    import_module("propass.accounts.migrations.0006_swiss_vat_numbers_without_ending").forwards(apps, None)
    import_module("propass.onboarding.migrations.0003_swiss_vat_numbers_without_ending").forwards(apps, None)
    assert dict(Business.objects.values_list("pk", "vat_number")) == {
        swiss.pk: "CHE105048256",
        french.pk: "CHE110576236",
        italian.pk: "IT00743110157",
    }
    application.refresh_from_db()
    assert application.vat_number == "CHE105048256"
    assert application.vat_check == {"valid": True, "number": "CHE105048256", "code": "ok"}
