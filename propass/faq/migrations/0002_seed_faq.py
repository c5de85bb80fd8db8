"""The FAQ that ships with ProPass (propass/faq/data/faq_seed.toml); afterwards it is
edited in the back office. Reversing it removes nothing an editor may have changed."""

from django.db import migrations


def seed(apps, schema_editor):
    from propass.faq.seed import faq_seed

    faq_seed(apps.get_model("faq", "FaqCategory"), apps.get_model("faq", "FaqEntry"))


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
