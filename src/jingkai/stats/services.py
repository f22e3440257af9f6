"""The rules of the monthly statistics: deriving month/cumulative, writing in bulk.

The import (importers.StatsImporter on core.importing) reads and checks a delivery and derives the figures it
lacks with `derive` and `previous_cumulative` (one query); `write_reports` writes with a constant number of
statements whatever the row count: the rows go into a temporary table (COPY on PostgreSQL, executemany on
SQLite), the rows they replace are copied to MonthlyReportRevision with one INSERT … SELECT, and one
INSERT … SELECT … ON CONFLICT DO UPDATE writes them.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import polars as pl
from django.db import connection
from django.utils import timezone

from jingkai.core.contributions import announce
from jingkai.core.dates import add_months
from jingkai.core.models import ImportBatch
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS
from jingkai.stats.models import MonthlyReport

TABLE = MonthlyReport._meta.db_table
REVISION_TABLE = "stats_monthlyreportrevision"
INCOMING = "stats_incoming"
WRITE_COLUMNS = ["enterprise_id", "period", *VALUE_FIELDS, "derived", "issues"]


# --- Periods -------------------------------------------------------------------------------------


def period_label(period: dt.date) -> str:
    """2023年1-6月 (cumulative) as the statistics office names a delivery."""
    return f"{period.year}年1-{period.month}月" if period.month > 1 else f"{period.year}年1月"


# --- Derivation ----------------------------------------------------------------------------------


def derive(
    frame: pl.DataFrame, previous: pl.DataFrame | None, month: int, *, tolerance: float = 1.0
) -> pl.DataFrame:
    """Fill the month or cumulative figure a delivery lacks, and flag what does not add up.

    frame: enterprise_id + any value fields (month and/or cum per measure), one period of month N.
    previous: enterprise_id + <m>_cum of month N-1 (ignored in January, where cum = month).
    Money and energy: cum = previous cum + month. Employees: cum is the average over 1–N月, so
    cum = (previous cum × (N-1) + month) / N. Returns all VALUE_FIELDS plus derived/issues as JSON text.
    """
    for name in VALUE_FIELDS:
        if name not in frame.columns:
            dtype = pl.Int64 if name.startswith("employees") else pl.Float64
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    if month > 1 and previous is not None:
        for m in MEASURE_LIST:
            if m.cum_field not in previous.columns:
                previous = previous.with_columns(pl.lit(None, dtype=pl.Float64).alias(m.cum_field))
        prev = previous.select(
            "enterprise_id", *[pl.col(m.cum_field).alias(f"_prev_{m.code}") for m in MEASURE_LIST]
        )
        frame = frame.join(prev, on="enterprise_id", how="left")
    else:
        first = month == 1
        frame = frame.with_columns(
            [pl.lit(0.0 if first else None, dtype=pl.Float64).alias(f"_prev_{m.code}") for m in MEASURE_LIST]
        )
    exprs, derived_flags, issue_flags = [], [], []
    n = month
    for m in MEASURE_LIST:
        mm, cc, pc = pl.col(m.month_field), pl.col(m.cum_field), pl.col(f"_prev_{m.code}")
        if m.is_integer:
            from_month = ((pc * (n - 1) + mm) / n).round(0)
            from_cum = cc * n - pc * (n - 1)
            gap = (from_month - cc).abs() > 1
        else:
            from_month = pc + mm
            from_cum = cc - pc
            gap = (from_month - cc).abs() > tolerance
        need_month = mm.is_null() & cc.is_not_null()
        need_cum = cc.is_null() & mm.is_not_null()
        month_value = pl.when(need_month).then(from_cum).otherwise(mm)
        cum_value = pl.when(need_cum).then(from_month).otherwise(cc)
        if m.is_integer:
            month_value, cum_value = month_value.round(0).cast(pl.Int64), cum_value.round(0).cast(pl.Int64)
        else:
            month_value, cum_value = month_value.round(2), cum_value.round(2)
        exprs += [month_value.alias(m.month_field), cum_value.alias(m.cum_field)]
        derived_flags += [
            pl.when(need_month & pc.is_not_null()).then(pl.lit(m.month_field)),
            pl.when(need_cum & pc.is_not_null()).then(pl.lit(m.cum_field)),
        ]
        issue_flags += [
            pl.when(mm.is_not_null() & cc.is_not_null() & pc.is_not_null() & gap).then(
                pl.lit(f"{m.cum_field}:mismatch")
            ),
            pl.when((need_month | need_cum) & pc.is_null()).then(pl.lit(f"{m.code}:no_previous")),
            pl.when(need_month & pc.is_not_null() & (from_cum < 0)).then(pl.lit(f"{m.month_field}:negative")),
        ]
    frame = frame.with_columns(
        *exprs,
        _json_list(derived_flags).alias("derived"),
        _json_list(issue_flags).alias("issues"),
    )
    return frame.drop([c for c in frame.columns if c.startswith("_prev_")])


def _json_list(flags: list[pl.Expr]) -> pl.Expr:
    """A JSON array of the flags that are set (names are plain ASCII, so no escaping is needed)."""
    listed = pl.concat_list(flags).list.drop_nulls()
    return (
        pl.when(listed.list.len() == 0)
        .then(pl.lit("[]"))
        .otherwise(pl.lit('["') + listed.list.join('","') + pl.lit('"]'))
    )


def previous_cumulative(period: dt.date, enterprise_ids=None) -> pl.DataFrame:
    """<m>_cum of the month before period for every enterprise (one query)."""
    prev = add_months(period, -1)
    queryset = MonthlyReport.objects.filter(period=prev)
    if enterprise_ids is not None:
        queryset = queryset.filter(enterprise_id__in=enterprise_ids)
    names = ["enterprise_id", *(m.cum_field for m in MEASURE_LIST)]
    rows = list(queryset.values_list(*names))
    schema = {
        name: (pl.Int64 if name in ("enterprise_id", "employees_cum") else pl.Float64) for name in names
    }
    return pl.DataFrame(
        [
            [
                None if v is None else (float(v) if schema[n] == pl.Float64 else int(v))
                for n, v in zip(names, row, strict=True)
            ]
            for row in rows
        ],
        schema=schema,
        orient="row",
    )


# --- Writing ----------------------------------------------------------------------------------------


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _ids_param(ids: list[int]):
    """A list of ids as ONE parameter: a PostgreSQL array, or a JSON array read with SQLite's json_each."""
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def _in_ids(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def _archive_replaced(
    cursor, period: dt.date, ids: list[int], batch_id, user_id, now, *, joined: bool = False
) -> None:
    """Copy the rows about to be replaced into MonthlyReportRevision (one statement).

    joined: the incoming rows are in the temporary table (PostgreSQL), so the rows are found by a join.
    """
    keys = [*VALUE_FIELDS, "derived", "issues"]
    if connection.vendor == "postgresql":
        values = "jsonb_build_object(" + ", ".join(f"'{k}', r.{_q(k)}" for k in keys) + ")"
    else:
        values = (
            "json_object("
            + ", ".join(
                f"'{k}', " + (f"json(r.{_q(k)})" if k in ("derived", "issues") else f"r.{_q(k)}")
                for k in keys
            )
            + ")"
        )
    cursor.execute(
        f"INSERT INTO {REVISION_TABLE} (report_id, revision, {_q('values')}, batch_id, replaced_by_id, replaced_at) "
        f"SELECT r.id, r.revision, {values}, r.batch_id, %s, %s FROM {TABLE} r "
        + (
            f"JOIN {INCOMING} i ON i.enterprise_id = r.enterprise_id AND i.period = r.period WHERE r.period = %s"
            if joined
            else f"WHERE r.period = %s AND {_in_ids('r.enterprise_id')}"
        ),
        [user_id, now, period] if joined else [user_id, now, period, _ids_param(ids)],
    )


def _upsert_sql(source: str) -> str:
    columns = ", ".join(_q(c) for c in WRITE_COLUMNS)
    updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in WRITE_COLUMNS[2:])
    return (
        f"INSERT INTO {TABLE} ({columns}, batch_id, revision, updated_at) {source} "
        f"ON CONFLICT (enterprise_id, period) DO UPDATE SET {updates}, batch_id = excluded.batch_id, "
        f"revision = {TABLE}.revision + 1, updated_at = excluded.updated_at"
    )


def _write_postgresql(cursor, frame: pl.DataFrame, batch_id, now, archive) -> None:
    """COPY into a temporary table, archive the rows it replaces, then one INSERT … SELECT … ON CONFLICT."""
    columns = ", ".join(_q(c) for c in WRITE_COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {INCOMING}")
    cursor.execute(f"CREATE TEMPORARY TABLE {INCOMING} AS SELECT {columns} FROM {TABLE} WHERE 1 = 0")
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, float_precision=2, date_format="%Y-%m-%d")
    with cursor.cursor.copy(f"COPY {INCOMING} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())
    if archive is not None:
        # Statistics for the planner of the archiving join; a first import (nothing replaced) skips both
        # (ANALYZE costs 0.3 s at 100,000 rows).
        cursor.execute(f"ANALYZE {INCOMING}")
        archive()
    selected = ", ".join(f"i.{_q(c)}" for c in WRITE_COLUMNS)
    cursor.execute(_upsert_sql(f"SELECT {selected}, %s, 1, %s FROM {INCOMING} i"), [batch_id, now])
    cursor.execute(f"DROP TABLE {INCOMING}")


def _write_sqlite(cursor, frame: pl.DataFrame, batch_id, now) -> None:
    """One executemany of INSERT … ON CONFLICT (SQLite runs it in-process; no temporary table needed)."""
    placeholders = ", ".join(["%s"] * (len(WRITE_COLUMNS) + 3))
    rows = frame.with_columns(
        pl.col("period").cast(pl.String), pl.lit(batch_id, dtype=pl.Int64).alias("_b"), pl.lit(1).alias("_r"),
        pl.lit(connection.ops.adapt_datetimefield_value(now)).alias("_u"),
    ).rows()  # fmt: skip
    cursor.executemany(_upsert_sql(f"VALUES ({placeholders})"), rows)


def write_reports(
    frame: pl.DataFrame,
    *,
    batch: ImportBatch | None = None,
    user=None,
    replaced: dict[dt.date, list[int]] | None = None,
) -> int:
    """Insert or replace MonthlyReport rows from a frame of WRITE_COLUMNS; a constant number of statements.

    replaced: {period: [enterprise ids]} of rows that exist already; their values go to MonthlyReportRevision
    first (who, when, which batch). Must run inside a transaction (the caller's atomic block).
    """
    if frame.is_empty():
        return 0
    frame = frame.select(WRITE_COLUMNS)
    now = timezone.now()
    batch_id = batch.pk if batch else None
    with connection.cursor() as cursor:
        postgresql = connection.vendor == "postgresql"

        def archive():
            for period, ids in (replaced or {}).items():
                if ids:
                    _archive_replaced(
                        cursor, period, ids, batch_id, getattr(user, "pk", None), now, joined=postgresql
                    )

        replaces = any(ids for ids in (replaced or {}).values())
        if postgresql:
            _write_postgresql(cursor, frame, batch_id, now, archive if replaces else None)
        else:
            archive()
            _write_sqlite(cursor, frame, batch_id, now)
    return frame.height


# Announced (core.contributions.announce) inside the import's transaction with the sorted periods whose reports
# changed and the ids of the enterprises whose rows changed (None: not known, every enterprise). The analytics
# app listens: it gathers the change with the transaction's other changes (a registry edit in the same
# transaction) and refreshes its rollups once the transaction has committed (analytics.services.schedule_refresh).
PERIODS_CHANGED = "stats.periods_changed"


def refresh_analytics(periods, enterprises=None) -> None:
    """Tell the apps that read the statistics (the analytics rollups); they act after the commit.

    A listener defers its work to the commit (robust: a failing refresh must not turn a committed import into an
    error page, a retry would then be refused as already imported; it is logged, and `engine.refresh_all()`
    rebuilds the rollups).
    """
    periods = sorted(set(periods))
    ids = None if enterprises is None else sorted(set(enterprises))
    announce(PERIODS_CHANGED, periods, ids)
