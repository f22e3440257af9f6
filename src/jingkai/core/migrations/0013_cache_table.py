"""The shared cache's table (settings.CACHES, the database backend; docs/operations.md, Province deployment).

A migration rather than a separate `createcachetable` step: every path that prepares a database already runs
`migrate` (a deployment, `jingkai demo`, `make demo`, the test database, a restore), so no server can start
against a database without it, and it exists whichever cache backend was configured when migrating (switching
JINGKAI_CACHE later needs no other command). The SQL is createcachetable's own (Django's
`Command.create_table`), so the table is exactly what django.core.cache.backends.db.DatabaseCache expects.
Only on the primary (the router's allow_migrate).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "jingkai_cache"  # settings.CACHES["default"]["LOCATION"] when JINGKAI_CACHE=database


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0012_import_results")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
