"""API tokens moved from DRF's `authtoken` (one key per user, kept in plain text, never
expiring) to django-rest-knox (hashed, with a lifetime): the old keys are dropped, so none can
come back to life if the app were installed again. Holders ask for a new token."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_email_opt_out")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop)]
