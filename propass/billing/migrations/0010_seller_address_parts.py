"""The two sellers `propass setup` creates get their address in parts (for e-invoices) when their
address is still the one it wrote; any other seller is completed in the data administration."""

from django.db import migrations

SEEDED = {
    ("uk", "4 Roundwood Avenue\nUxbridge UB11 1AF"): {
        "street": "4 Roundwood Avenue", "postal_code": "UB11 1AF", "city": "Uxbridge", "peppol_id": "9932:GB980780684",
    },
    ("eu", "Bovenkerkerweg 59\n1185 XB Amstelveen"): {
        "street": "Bovenkerkerweg 59", "postal_code": "1185 XB", "city": "Amstelveen", "peppol_id": "9944:NL004495445B01",
    },
}  # fmt: skip


def forwards(apps, schema_editor):
    SellerEntity = apps.get_model("billing", "SellerEntity")
    for (code, address), parts in SEEDED.items():
        SellerEntity.objects.filter(code=code, address=address, city="").update(**parts)


class Migration(migrations.Migration):
    dependencies = [("billing", "0009_einvoice_fields")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
