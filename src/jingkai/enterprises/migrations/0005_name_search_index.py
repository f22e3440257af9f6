"""The name search's index (issue 13 §5): the bigrams of every enterprise's name, short name and English name
(core/ngrams.py) with a unique (gram, enterprise) index. Existing rows are filled here; from now on
Enterprise.save() and the bulk writers (enterprises.models.write_name_grams) keep them.

And an index for the search's credit-code prefix (`uscc LIKE '9133%'`), which the unique index cannot serve:
SQLite's LIKE folds ASCII case, so its index folds case too (COLLATE NOCASE, SQLite's documented LIKE
optimisation); PostgreSQL's LIKE compares bytes, served by varchar_pattern_ops whatever the collation."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000
FIELDS = ("name", "short_name", "english_name")


def fill(apps, schema_editor):
    from jingkai.core.ngrams import text_bigrams

    Enterprise = apps.get_model("enterprises", "Enterprise")
    Gram = apps.get_model("enterprises", "EnterpriseNameGram")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Gram._meta.db_table)
    # Read first: SQLite does not isolate a running read from writes on the same connection.
    rows = list(Enterprise.objects.db_manager(connection.alias).order_by("pk").values_list("pk", *FIELDS))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            values = [
                (pk, gram)
                for pk, *texts in rows[start : start + BATCH]
                for gram in sorted(text_bigrams(*texts))
            ]
            if values:
                cursor.executemany(f"INSERT INTO {table} (enterprise_id, gram) VALUES (%s, %s)", values)


USCC_PREFIX = {
    "sqlite": "CREATE INDEX enterprise_uscc_prefix ON enterprises_enterprise (uscc COLLATE NOCASE)",
    "postgresql": "CREATE INDEX enterprise_uscc_prefix ON enterprises_enterprise (uscc varchar_pattern_ops)",
}


def add_uscc_prefix_index(apps, schema_editor):
    sql = USCC_PREFIX.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def drop_uscc_prefix_index(apps, schema_editor):
    if schema_editor.connection.vendor in USCC_PREFIX:
        schema_editor.execute("DROP INDEX IF EXISTS enterprise_uscc_prefix")


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0004_personal_data_encrypted"),
    ]

    operations = [
        migrations.CreateModel(
            name="EnterpriseNameGram",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("gram", models.CharField(max_length=2)),
                (
                    "enterprise",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="enterprises.enterprise",
                    ),
                ),
            ],
            options={
                "verbose_name": "name bigram",
                "verbose_name_plural": "name bigrams",
                "constraints": [
                    models.UniqueConstraint(fields=("gram", "enterprise"), name="enterprise_name_gram_once")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_uscc_prefix_index, drop_uscc_prefix_index),
    ]
