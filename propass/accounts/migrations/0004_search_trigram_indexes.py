"""Staff search businesses by a part of their name or of a user's e-mail (`icontains`, which
Django writes as `UPPER(col::text) LIKE UPPER('%…%')`). On PostgreSQL, trigram indexes on those
expressions answer it without reading every business and every user (pg_trgm ships with
PostgreSQL). SQLite has no such index and reads the tables, as before."""

from django.db import migrations

INDEXES = [
    ("accounts_business_name_trgm", "accounts_business", "name"),
    ("accounts_user_email_trgm", "accounts_user", "email"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


    # The VAT number as staff search it (`_compact` in backoffice/selectors.py: spaces, dots,
    # dashes and slashes removed, upper case).
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "accounts_business_vat_compact" ON "accounts_business" '
        "((UPPER(REPLACE(REPLACE(REPLACE(REPLACE(\"vat_number\", ' ', ''), '.', ''), '-', ''), '/', ''))))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in [*(name for name, _table, _column in INDEXES), "accounts_business_vat_compact"]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_drop_drf_tokens")]

    operations = [migrations.RunPython(create, drop)]
