"""Swiss VAT numbers are stored as the business identifier alone ("CHE105048256"): the
MWST/TVA/IVA/TPV ending only names the language the number is written in (core.vat)."""

import re

from django.db import migrations

WITH_ENDING = re.compile(r"(CHE\d{9})(?:MWST|TVA|IVA|TPV)")


def forwards(apps, schema_editor):
    Business = apps.get_model("accounts", "Business")
    changed = []
    for business in Business.objects.filter(vat_number__startswith="CHE").only("pk", "vat_number"):
        if match := WITH_ENDING.fullmatch(business.vat_number):
            business.vat_number = match[1]
            changed.append(business)
    Business.objects.bulk_update(changed, ["vat_number"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_business_by_name"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
