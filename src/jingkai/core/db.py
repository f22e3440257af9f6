"""Small database helpers shared by the apps' queries."""

from django.db.models import F, Func


class NoIndex(Func):
    """A column's own value, which SQLite's planner will not use to drive a query.

    SQLite's documented hint is a unary plus on the column: without it SQLite sometimes starts from an
    index that matches almost every row (all operating enterprises, every above-size one) and then sorts
    or scans them all. PostgreSQL plans with statistics and needs no hint, and would reject `+` on text,
    so there the value is left as it is. Measured with benchmarks/pages.py and in ADR 0005.
    """

    template = "%(expressions)s"

    def __init__(self, field_name: str, **extra):
        super().__init__(F(field_name), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra_context)
