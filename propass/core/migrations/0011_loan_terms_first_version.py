"""An installed program gets the first version of the loan equipment terms (as `propass setup`
writes it for a new one), so that loans can be asked for and the program stays consistent; the
operator replaces the text in the back office."""

from datetime import UTC, datetime

from django.db import migrations

TITLES = {
    "en": "Loan equipment terms",
    "it": "Condizioni dell'attrezzatura in prestito",
    "es": "Condiciones de los equipos en préstamo",
    "de": "Leihbedingungen",
}


def forwards(apps, schema_editor):
    Program = apps.get_model("core", "Program")
    LegalText = apps.get_model("core", "LegalText")
    if not Program.objects.exists() or LegalText.objects.filter(kind="loan_terms").exists():
        return
    for language, title in TITLES.items():
        LegalText.objects.create(
            kind="loan_terms", version="2026-01", language=language, title=title,
            body=f"{title}, version 2026-01. The operator replaces this text in the back office.",
            published_at=datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("core", "0010_loan_terms_text")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
