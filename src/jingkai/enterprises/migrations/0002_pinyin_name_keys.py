"""Pinyin keys of enterprise names (issue 11 §5): the list sorts by name_sort, the search matches name_pinyin
and name_initials. Existing rows are filled from their names here; from now on Enterprise.save() and the bulk
writers keep them."""

from django.db import migrations, models

BATCH = 2000
KEYS = ["name_sort", "name_pinyin", "name_initials"]


def fill(apps, schema_editor):
    from jingkai.core.pinyin import name_keys

    Enterprise = apps.get_model("enterprises", "Enterprise")
    manager = Enterprise.objects.db_manager(schema_editor.connection.alias)
    # Read the names first: SQLite does not isolate a running read from writes on the same connection.
    names = list(manager.order_by("pk").values_list("pk", "name"))
    for start in range(0, len(names), BATCH):
        rows = [Enterprise(pk=pk, **name_keys(name)) for pk, name in names[start : start + BATCH]]
        manager.bulk_update(rows, KEYS)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="enterprise",
            name="name_initials",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=200, verbose_name="pinyin initials"
            ),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="name_pinyin",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=1200, verbose_name="pinyin"
            ),
        ),
        migrations.AddField(
            model_name="enterprise",
            name="name_sort",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=1400, verbose_name="pinyin sort key"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="enterprise",
            options={
                "ordering": ["name_sort", "name"],
                "verbose_name": "enterprise",
                "verbose_name_plural": "enterprises",
            },
        ),
        migrations.AddIndex(
            model_name="enterprise",
            index=models.Index(fields=["name_sort", "id"], name="enterprise_name_sort_id"),
        ),
    ]
