"""The database refuses to change or delete an audit entry, whatever code runs.

One change is let through: deleting a user sets `actor_id` to NULL (the FK is SET_NULL) while
every other column, `actor_repr` included, stays as it was. On SQLite only UPDATE is guarded:
Django empties SQLite tables with DELETE between transactional tests (PostgreSQL uses TRUNCATE,
which row triggers do not see), and the application refuses deletes itself.
"""

from django.db import migrations

COLUMNS = ["id", "created_at", "actor_repr", "action", "target_type", "target_id", "target_repr", "data"]

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND ({", ".join(f"NEW.{c}" for c in COLUMNS)}) IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in COLUMNS)})
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit log is append-only';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE OR DELETE ON core_auditlog
    FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only();
    """,
]

POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditlog_append_only ON core_auditlog;",
    "DROP FUNCTION IF EXISTS core_auditlog_append_only();",
]

SQLITE = [
    f"""
    CREATE TRIGGER core_auditlog_append_only BEFORE UPDATE ON core_auditlog
    WHEN NOT (NEW.actor_id IS NULL AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)})
    BEGIN
        SELECT RAISE(ABORT, 'audit log is append-only');
    END;
    """,
]

SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditlog_append_only;"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_program_payment_grace_days_and_more"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
