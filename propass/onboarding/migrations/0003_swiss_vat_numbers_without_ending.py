"""Swiss VAT numbers are stored as the business identifier alone ("CHE105048256"): the
MWST/TVA/IVA/TPV ending only names the language the number is written in (core.vat)."""

import re

from django.db import migrations

WITH_ENDING = re.compile(r"(CHE\d{9})(?:MWST|TVA|IVA|TPV)")


def forwards(apps, schema_editor):
    Application = apps.get_model("onboarding", "Application")
    changed = []
    applications = Application.objects.filter(vat_number__startswith="CHE").only("pk", "vat_number", "vat_check")
    for application in applications:
        if match := WITH_ENDING.fullmatch(application.vat_number):
            # The check's record names the number as stored.
            if (application.vat_check or {}).get("number") == application.vat_number:
                application.vat_check = {**application.vat_check, "number": match[1]}
            application.vat_number = match[1]
            changed.append(application)
    Application.objects.bulk_update(changed, ["vat_number", "vat_check"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("onboarding", "0002_application_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
