"""Small database helpers shared by the apps' queries."""

from django.db.models import BooleanField, F, Func, Subquery


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


class InSubquery(Func):
    """`column IN (subquery)` that PostgreSQL drives from the subquery's rows.

    On PostgreSQL it is written `column = ANY(ARRAY(subquery))`: the subquery runs first (an InitPlan) and its ids
    are looked up in the column's index. Written as `IN`, PostgreSQL's default costs (random_page_cost 4) preferred
    reading every row of the outer table and hash-joining it with the subquery: for the name search 30 ms against
    7–9 ms at 100,000 enterprises (benchmarks/pages.py). Elsewhere (SQLite) it is the plain `IN`, which SQLite
    already drives from the subquery.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, field_name: str, queryset, **extra):
        super().__init__(F(field_name), Subquery(queryset), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        return f"{column} IN {subquery}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        return f"{column} = ANY(ARRAY{subquery})", (*column_params, *subquery_params)
