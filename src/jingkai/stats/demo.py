"""Demo monthly statistics, loaded by jingkai demo after the registry (see jingkai.demo.extensions).

load(): 2021-01 to 2023-06 for every industrial demo enterprise (every enterprise with an AnnualScale row for
the year), consistent with SEED-FACTS.md:

- the year's output (工业总产值, 1–12月 cumulative at December) is the registry's AnnualScale.revenue figure,
  which the generator built from the documents' output figures: the 254 规上 of 2022 sum to exactly 645亿元,
  the 尼得科 group's members to 159.7亿元, 日本电产汽车马达 has 33.8亿元 in 2022 and 2688086528.55 元 in 2021
  (3380000000 / 1.2574, rounded to the fen: +25.74% to two decimals), 轩田 has 1亿元 in 2022;
- 2023 stops at June: 1–6月 is a plausible share of the registry's 2023 figure, except 轩田's 1.5亿元 (file 000);
- the year's figure is split over the months in fen (integers), so the months add up to it exactly;
- the other measures are plausible ratios of output per enterprise and year (R&D 1.5–4.5%: over 14亿 for the
  2022 规上); operating revenue stays on the same side of the 2,000万元 规上 line as the registry says.

scale(n): 120 months (2013-07 … 2023-06) for the n synthetic enterprises `jingkai demo --scale n` added, generated
column-wise with Polars and written with COPY (PostgreSQL) or executemany (SQLite).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from decimal import Decimal

import polars as pl
from django.db import connection, transaction
from django.utils.translation import gettext as _

from jingkai.core.dates import add_months
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS
from jingkai.stats.models import MonthlyReport
from jingkai.stats.services import WRITE_COLUMNS, refresh_analytics, write_reports

FIRST_PERIOD = dt.date(2021, 1, 1)
LAST_PERIOD = dt.date(2023, 6, 1)
ABOVE_LINE = 20_000_000_00  # 2,000万元 in fen (RULES.md §2)
# Named figures of file 000 that the registry does not hold: 轩田's 2023 1–6月 output.
XUANTIAN_NAME = "浙江轩田智能科技有限公司"
XUANTIAN_H1_2023 = 150_000_000_00  # 1.5亿元 in fen

# Seasonality of industrial output in the zone (the Spring Festival month is low, December high).
SEASON = [0.80, 0.62, 0.90, 0.95, 0.98, 1.02, 0.98, 0.97, 1.03, 1.02, 1.10, 1.23]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split an integer total (fen) by weights so the parts add up to it exactly."""
    if not weights:
        return []
    scale = sum(weights)
    parts = [int(total * w / scale) for w in weights]
    parts[max(range(len(parts)), key=lambda i: weights[i])] += total - sum(parts)
    return parts


def _months(year: int, founded: dt.date | None) -> list[int]:
    last = LAST_PERIOD.month if year == LAST_PERIOD.year else 12
    first = founded.month if founded and founded.year == year else 1
    return list(range(first, last + 1)) if first <= last else [last]


def _enterprise_year(rng: random.Random, ent, year: int, output_year: int, above: bool) -> list[dict]:
    """The monthly rows of one enterprise and year; output_year in fen for the months reported."""
    months = _months(year, ent["founded_on"])
    weights = [SEASON[m - 1] * rng.uniform(0.9, 1.1) * (1 + 0.02 * m) for m in months]
    foreign = bool(ent["origin_country"])
    revenue_ratio = rng.uniform(0.94, 1.03)
    revenue_year = int(output_year * revenue_ratio)
    if year != LAST_PERIOD.year:  # the registry's 规上 line is on the full year's revenue
        if above and revenue_year < ABOVE_LINE:
            revenue_year = ABOVE_LINE + rng.randint(0, 10_000_000)
        if not above and revenue_year >= ABOVE_LINE:
            revenue_year = ABOVE_LINE - rng.randint(1_000_00, 10_000_000)
    totals = {
        "output": output_year,
        "revenue": revenue_year,
        "profit": int(output_year * rng.uniform(-0.02, 0.12)),
        "tax": int(output_year * rng.uniform(0.02, 0.05)),
        "rd": int(output_year * rng.uniform(0.015, 0.045)),
        "export": int(output_year * (rng.uniform(0.15, 0.6) if foreign else rng.uniform(0.0, 0.12))),
        # 吨标准煤 in hundredths: 0.01–0.06 t per 万元 of output.
        "energy": int(output_year / 1_000_000 * rng.uniform(0.01, 0.06) * 100),
    }
    # 工业销售产值 (产销率 about 97–99%) and 新产品产值, drawn apart so that the figures above stay as they were.
    extra = random.Random(f"stats-sales-{ent['id']}-{year}")
    totals["sales"] = int(output_year * extra.uniform(0.965, 0.995))
    totals["new_product"] = int(output_year * extra.uniform(0.08, 0.35))
    split = {code: _allocate(total, weights) for code, total in totals.items()}
    staff = ent["employees"] or max(8, int(output_year / 100 / rng.uniform(6e5, 1.8e6)))
    rows, cum, heads = [], dict.fromkeys(totals, 0), []
    for index, month in enumerate(months):
        row = {"enterprise_id": ent["id"], "period": dt.date(year, month, 1)}
        for code in totals:
            value = split[code][index]
            cum[code] += value
            row[f"{code}_month"] = value / 100
            row[f"{code}_cum"] = cum[code] / 100
        heads.append(max(1, int(staff * rng.uniform(0.95, 1.05))))
        row["employees_month"] = heads[-1]
        row["employees_cum"] = round(sum(heads) / len(heads))
        row["derived"], row["issues"] = "[]", "[]"
        rows.append(row)
    return rows


def build_rows(seed: int) -> list[dict]:
    scales = AnnualScale.objects.filter(year__in=range(FIRST_PERIOD.year, LAST_PERIOD.year + 1))
    by_enterprise: dict[int, dict[int, tuple[Decimal, bool]]] = {}
    for enterprise_id, year, revenue, above in scales.values_list(
        "enterprise_id", "year", "revenue", "above_size"
    ):
        if revenue is not None:
            by_enterprise.setdefault(enterprise_id, {})[year] = (revenue, above)
    ents = Enterprise.objects.filter(pk__in=list(by_enterprise)).values(
        "id", "name", "founded_on", "origin_country", "employees"
    )
    rows: list[dict] = []
    for ent in sorted(ents, key=lambda e: e["id"]):
        rng = random.Random(f"stats-{seed}-{ent['id']}")
        for year, (revenue, above) in sorted(by_enterprise[ent["id"]].items()):
            fen = int(revenue * 100)
            if year == LAST_PERIOD.year:
                fen = XUANTIAN_H1_2023 if ent["name"] == XUANTIAN_NAME else int(fen * rng.uniform(0.44, 0.50))
            rows.extend(_enterprise_year(rng, ent, year, fen, above))
    return rows


def load(seed: int, stdout=None) -> dict:
    started = time.perf_counter()
    rows = build_rows(seed)
    schema = dict.fromkeys(VALUE_FIELDS, pl.Float64) | {
        "enterprise_id": pl.Int64, "period": pl.Date, "employees_month": pl.Int64, "employees_cum": pl.Int64,
        "derived": pl.String, "issues": pl.String,
    }  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema).select(WRITE_COLUMNS)
    with transaction.atomic():
        write_reports(frame)
        periods = sorted(set(frame["period"].to_list()))
        refresh_analytics(periods)
    if stdout is not None:
        stdout.write(
            _("Monthly statistics: %(rows)d rows in %(seconds).1f s")
            % {"rows": frame.height, "seconds": time.perf_counter() - started}
        )
    return {"monthly_reports": frame.height}


# --- Scale -----------------------------------------------------------------------------------------------

SCALE_MONTHS = 120
SCALE_LAST = LAST_PERIOD
SCALE_CHUNK = 2_000  # enterprises per chunk: 240,000 rows


def _uniform(expr: pl.Expr, seed: int) -> pl.Expr:
    """A deterministic pseudo-random number in [0, 1) from a column (a hash, so no per-row Python)."""
    return (expr.hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def scale_frame(enterprises: pl.DataFrame, seed: int) -> pl.DataFrame:
    """120 months per enterprise (enterprise_id, revenue of the registry year), all columns, column-wise."""
    first = add_months(SCALE_LAST, -(SCALE_MONTHS - 1))
    periods = pl.Series(
        "period", [add_months(first, i) for i in range(SCALE_MONTHS)], dtype=pl.Date
    ).to_frame()
    frame = enterprises.join(periods, how="cross")
    key = pl.col("enterprise_id") * 1000 + pl.col("period").dt.year() * 12 + pl.col("period").dt.month()
    month = pl.col("period").dt.month()
    # Growth of about 6% a year around the registry year's level, a seasonal dip in February, noise.
    years_back = (SCALE_LAST.year - pl.col("period").dt.year()).cast(pl.Float64)
    level = pl.col("revenue") / 12 / (1.06**years_back)
    seasonal = pl.when(month == 2).then(0.65).when(month == 12).then(1.2).otherwise(1.0)
    output = (level * seasonal * (0.85 + 0.3 * _uniform(key, seed))).round(2)
    frame = frame.with_columns(output.alias("output_month"))
    ratios = {"revenue": (0.94, 0.09), "profit": (-0.02, 0.14), "tax": (0.02, 0.03), "rd": (0.015, 0.03),
              "export": (0.0, 0.3), "sales": (0.965, 0.03), "new_product": (0.08, 0.27)}  # fmt: skip
    exprs = []
    for index, (code, (low, span)) in enumerate(ratios.items()):
        exprs.append(
            (pl.col("output_month") * (low + span * _uniform(pl.col("enterprise_id"), seed + index + 1)))
            .round(2)
            .alias(f"{code}_month")
        )
    exprs.append((pl.col("output_month") / 10_000 * 0.03).round(2).alias("energy_month"))
    exprs.append(
        (pl.col("revenue") / 1e6 * (0.95 + 0.1 * _uniform(key, seed + 9)))
        .round(0)
        .clip(1, 5000)
        .cast(pl.Int64)
        .alias("employees_month")
    )
    frame = frame.with_columns(exprs).sort(["enterprise_id", "period"])
    year = pl.col("period").dt.year()
    cum = [
        pl.col(f"{m.code}_month").cum_sum().over(["enterprise_id", year]).round(2).alias(m.cum_field)
        for m in MEASURE_LIST
        if not m.is_integer
    ]
    cum.append(
        pl.col("employees_month")
        .cum_sum()
        .over(["enterprise_id", year])
        .truediv(pl.col("employees_month").cum_count().over(["enterprise_id", year]))
        .round(0)
        .cast(pl.Int64)
        .alias("employees_cum")
    )
    frame = frame.with_columns(*cum, pl.lit("[]").alias("derived"), pl.lit("[]").alias("issues"))
    return frame.select(WRITE_COLUMNS)


def _insert_rows_sqlite(cursor, frame: pl.DataFrame, now: str) -> None:
    columns = ", ".join(connection.ops.quote_name(c) for c in [*WRITE_COLUMNS, "revision", "updated_at"])
    placeholders = ", ".join(["%s"] * (len(WRITE_COLUMNS) + 2))
    cursor.executemany(
        f"INSERT INTO {MonthlyReport._meta.db_table} ({columns}) VALUES ({placeholders})",
        frame.with_columns(
            pl.col("period").cast(pl.String), pl.lit(1).alias("_r"), pl.lit(now).alias("_u")
        ).rows(),
    )


def scale(n: int, seed: int, stdout=None) -> int:
    """Monthly rows for the n enterprises generate_scale() just added (the n highest ids with a scale row)."""
    if n <= 0:
        return 0
    from django.utils import timezone

    started = time.perf_counter()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    now = now.isoformat() if hasattr(now, "isoformat") else now
    added = list(AnnualScale.objects.order_by("-enterprise_id").values_list("enterprise_id", "revenue")[:n])
    added.sort()
    total = 0
    for start in range(0, len(added), SCALE_CHUNK):
        chunk = added[start : start + SCALE_CHUNK]
        enterprises = pl.DataFrame(
            {"enterprise_id": [e for e, _r in chunk], "revenue": [float(r or 0) for _e, r in chunk]},
            schema={"enterprise_id": pl.Int64, "revenue": pl.Float64},
        )
        frame = scale_frame(enterprises, seed)
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _copy_rows_pg(cursor, frame.with_columns(pl.lit(now).alias("updated_at")))
            else:
                _insert_rows_sqlite(cursor, frame, now)
        total += frame.height
        if stdout is not None and (start // SCALE_CHUNK) % 10 == 9:
            stdout.write(
                _("Monthly statistics: %(rows)d rows so far, %(seconds).1f s")
                % {"rows": total, "seconds": time.perf_counter() - started}
            )
    first = add_months(SCALE_LAST, -(SCALE_MONTHS - 1))
    refresh_analytics([add_months(first, i) for i in range(SCALE_MONTHS)])
    if stdout is not None:
        note = ""
        if connection.vendor != "postgresql":
            note = " " + _("(SQLite: expect minutes and several GB at 100,000 enterprises; use PostgreSQL)")
        stdout.write(
            _("Monthly statistics: %(rows)d rows for %(count)d synthetic enterprises in %(seconds).1f s")
            % {"rows": total, "count": len(added), "seconds": time.perf_counter() - started}
            + note
        )
    return total


def _copy_rows_pg(cursor, frame: pl.DataFrame) -> None:
    columns = ", ".join(connection.ops.quote_name(c) for c in [*WRITE_COLUMNS, "revision", "updated_at"])
    buffer = io.BytesIO()
    frame.with_columns(pl.lit(1).alias("revision")).select(
        [*WRITE_COLUMNS, "revision", "updated_at"]
    ).write_csv(buffer, include_header=False, float_precision=2, date_format="%Y-%m-%d")
    with cursor.cursor.copy(
        f"COPY {MonthlyReport._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv)"
    ) as copy:
        copy.write(buffer.getvalue())
