"""Uploaded workbooks are zip files already: PostgreSQL need not try to compress them again.

SET STORAGE EXTERNAL keeps the bytes out of line (TOAST) without pglz compression, which spent 0.26 s on a
14 MB workbook for nothing (benchmarks/stats_import.py). Other databases: nothing to do.
"""

from django.db import migrations


def uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_importbatch ALTER COLUMN content SET STORAGE EXTERNAL")


def compressed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_importbatch ALTER COLUMN content SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_department_handles_investment")]

    operations = [migrations.RunPython(uncompressed, compressed)]
