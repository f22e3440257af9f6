"""The default category tree and policy row (an admin edits it; time limits blank = defaults of RULES.md §7)."""

from django.db import migrations

from jingkai.demands.defaults import ensure_defaults


def create(apps, schema_editor):
    ensure_defaults(apps.get_model("demands", "DemandCategory"), apps.get_model("demands", "DemandPolicy"))


class Migration(migrations.Migration):
    dependencies = [("demands", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
