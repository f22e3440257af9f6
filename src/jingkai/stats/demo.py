"""Demo monthly statistics, loaded by jingkai demo after the registry (see jingkai.demo.extensions).

load(): 2021-01 to the last complete month before the load date for every industrial demo enterprise (every
enterprise with an AnnualScale row for the year), consistent with SEED-FACTS.md for the documents' periods:

- the year's output (工业总产值, 1–12月 cumulative at December) is the registry's AnnualScale.revenue figure,
  which the generator built from the documents' output figures: the 254 规上 of 2022 sum to exactly 645亿元,
  the 尼得科 group's members to 159.7亿元, 日本电产汽车马达 has 33.8亿元 in 2022 and 2688086528.55 元 in 2021
  (3380000000 / 1.2574, rounded to the fen: +25.74% to two decimals), 轩田 has 1亿元 in 2022;
- 2023 1–6月 is a plausible share of the registry's 2023 figure, except 轩田's 1.5亿元 (file 000); the rows of
  2021-01 … 2023-06 are drawn exactly as they were when the demo stopped there, so every seed figure is unchanged;
- from 2023-07 the months continue to the load date (`continuation`, a random stream of its own): 2023's full year
  is the registry's 2023 figure (轩田's expected 3.5亿元), then each enterprise grows by the zone's trend
  (TREND, about 5–8% a year) plus its own noise and now and then a downturn, so some cross the 2,000万元 line either way; the other measures
  keep each enterprise's 2023 ratios to output (energy intensity falling 3% a year);
- once a year's December is loaded (2024 onwards), its 规上 roll is derived from the statistics by the roll service
  (stats.roll.commit_from_reports, as a zone admin would on /enterprises/roll/), and the enterprises it moves are
  assigned as the coverage invariant wants (entering → a grid, leaving → a community) through the registry service;
  the year under way gets the roll the statistics office lists at its start: every enterprise's status of the year
  before, carried (no revenue yet), so that its months are counted in the dashboards;
- the year's figure is split over the months in fen (integers), so the months add up to it exactly;
- the other measures are plausible ratios of output per enterprise and year (R&D 1.5–4.5%: over 14亿 for the
  2022 规上); operating revenue stays on the same side of the 2,000万元 规上 line as the registry says.

scale(n): 120 months up to the same last month for the n synthetic enterprises `jingkai demo --scale n` added, generated
column-wise with Polars and written with COPY (PostgreSQL) or executemany (SQLite).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from decimal import Decimal

import polars as pl
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.dates import add_months
from jingkai.enterprises import roll
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.enterprises.services import update_enterprise
from jingkai.grids.models import Community, Grid
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS
from jingkai.stats.models import MonthlyReport
from jingkai.stats.roll import commit_from_reports
from jingkai.stats.services import WRITE_COLUMNS, refresh_analytics, write_reports

FIRST_PERIOD = dt.date(2021, 1, 1)
LAST_PERIOD = dt.date(2023, 6, 1)  # the documents' last period (file 000: 2023年1–6月)
FIRST_ROLL_YEAR = 2024  # the registry holds 2021–2023; later years' rolls come from the statistics
# The zone's output trend after the documents (a year's growth before each enterprise's own noise).
TREND = {2024: 0.078, 2025: 0.064}
LATER_TREND = 0.055
DOWNTURN = 0.06  # the share of enterprises a year that lose a fifth to a half of their output
CODES = ("output", "revenue", "profit", "tax", "rd", "export", "energy", "sales", "new_product")
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
    extra = random.Random(f"stats-sales-{ent['name']}-{year}")
    totals["sales"] = int(output_year * extra.uniform(0.965, 0.995))
    totals["new_product"] = int(output_year * extra.uniform(0.08, 0.35))
    staff = ent["employees"] or max(8, int(output_year / 100 / rng.uniform(6e5, 1.8e6)))
    return _rows(ent["id"], year, months, weights, totals, staff, rng)


def last_period(today: dt.date | None = None) -> dt.date:
    """The last complete month before the load date (never before the documents' last period)."""
    today = today or timezone.localdate()
    return max(LAST_PERIOD, add_months(today.replace(day=1), -1))


def _weights(rng: random.Random, months: list[int]) -> list[float]:
    return [SEASON[m - 1] * rng.uniform(0.9, 1.1) * (1 + 0.02 * m) for m in months]


def _rows(
    ent_id: int,
    year: int,
    months: list[int],
    weights: list[float],
    totals: dict[str, int],
    staff: int,
    rng: random.Random,
    *,
    until: int = 12,
    cum: dict[str, int] | None = None,
    heads: list[int] | None = None,
) -> list[dict]:
    """Rows of the given months (up to month `until`), each total (fen) split over them by the weights; cum and
    heads carry on from the months of the year already written."""
    split = {code: _allocate(total, weights) for code, total in totals.items()}
    cum = dict(cum) if cum else dict.fromkeys(totals, 0)
    heads = list(heads or [])
    rows = []
    for index, month in enumerate(months):
        if month > until:
            break
        row = {"enterprise_id": ent_id, "period": dt.date(year, month, 1)}
        for code in totals:
            cum[code] += split[code][index]
            row[f"{code}_month"] = split[code][index] / 100
            row[f"{code}_cum"] = cum[code] / 100
        heads.append(max(1, int(staff * rng.uniform(0.95, 1.05))))
        row["employees_month"] = heads[-1]
        row["employees_cum"] = round(sum(heads) / len(heads))
        row["derived"], row["issues"] = "[]", "[]"
        rows.append(row)
    return rows


def continuation(
    seed: int, ent: dict, first_half: list[dict], full_2023: int, above_2023: bool, until: dt.date
) -> list[dict]:
    """The months after 2023-06 up to `until` for one enterprise, from its 2023 1–6月 rows (see the module doc)."""
    if not first_half or until <= LAST_PERIOD:
        return []
    rng = random.Random(f"stats-continued-{seed}-{ent['name']}")  # by name: the same on every database
    last = first_half[-1]
    h1 = {code: round(last[f"{code}_cum"] * 100) for code in CODES}
    if h1["output"] <= 0:
        return []
    ratio = {code: h1[code] / h1["output"] for code in CODES}
    heads = [row["employees_month"] for row in first_half]
    staff = heads[-1]
    rows: list[dict] = []
    # 2023-07 … 2023-12: the rest of the registry's 2023 figure.
    h2 = {
        code: int(max(0, full_2023 - h1["output"]) * ratio[code] * rng.uniform(0.97, 1.03)) for code in CODES
    }
    h2["output"] = max(0, full_2023 - h1["output"])
    revenue = h1["revenue"] + h2["revenue"]
    if above_2023 and revenue < ABOVE_LINE:  # the registry's 规上 line is on the full year's revenue
        h2["revenue"] = ABOVE_LINE - h1["revenue"] + rng.randint(0, 10_000_000)
    if not above_2023 and revenue >= ABOVE_LINE:
        h2["revenue"] = max(0, ABOVE_LINE - h1["revenue"] - rng.randint(1_000_00, 10_000_000))
    end = until.month if until.year == 2023 else 12
    second_half = list(range(7, 13))
    rows += _rows(
        ent["id"],
        2023,
        second_half,
        _weights(rng, second_half),
        h2,
        staff,
        rng,
        until=end,
        cum={code: h1[code] for code in CODES},
        heads=heads,
    )
    output = full_2023
    for year in range(2024, until.year + 1):
        growth = min(0.40, max(-0.25, TREND.get(year, LATER_TREND) + rng.gauss(0, 0.09)))
        if rng.random() < DOWNTURN:  # a lost customer, a line moved elsewhere
            growth = rng.uniform(-0.5, -0.2)
        output = int(output * (1 + growth))
        totals = {code: int(output * ratio[code] * rng.uniform(0.96, 1.04)) for code in CODES}
        totals["output"] = output
        totals["energy"] = int(totals["energy"] * 0.97 ** (year - 2023))
        staff = max(1, round(staff * (1 + growth / 3)))
        months = list(range(1, 13))
        rows += _rows(
            ent["id"],
            year,
            months,
            _weights(rng, months),
            totals,
            staff,
            rng,
            until=until.month if year == until.year else 12,
        )
    return rows


def build_rows(seed: int, until: dt.date | None = None) -> list[dict]:
    """Every demo row from 2021-01 to `until` (default: the last complete month before today)."""
    until = until or last_period()
    scales = AnnualScale.objects.filter(year__in=range(FIRST_PERIOD.year, LAST_PERIOD.year + 1))
    by_enterprise: dict[int, dict[int, tuple[Decimal, bool]]] = {}
    for enterprise_id, year, revenue, above in scales.values_list(
        "enterprise_id", "year", "revenue", "above_size"
    ):
        if revenue is not None:
            by_enterprise.setdefault(enterprise_id, {})[year] = (revenue, above)
    ents = Enterprise.objects.filter(pk__in=list(by_enterprise)).values(
        "id", "name", "founded_on", "origin_country", "employees", "status"
    )
    rows: list[dict] = []
    for ent in sorted(ents, key=lambda e: e["id"]):
        rng = random.Random(f"stats-{seed}-{ent['name']}")  # by name: the same rows on every database
        for year, (revenue, above) in sorted(by_enterprise[ent["id"]].items()):
            fen = int(revenue * 100)
            if year == LAST_PERIOD.year:
                fen = XUANTIAN_H1_2023 if ent["name"] == XUANTIAN_NAME else int(fen * rng.uniform(0.44, 0.50))
            year_rows = _enterprise_year(rng, ent, year, fen, above)
            rows.extend(year_rows)
            if year == LAST_PERIOD.year and ent["status"] == EnterpriseStatus.OPERATING:
                rows.extend(continuation(seed, ent, year_rows, int(revenue * 100), above, until))
    return rows


def _least_loaded(model, field: str) -> list:
    counts = {obj.pk: 0 for obj in model.objects.filter(is_active=True).order_by("code")}
    for pk in Enterprise.objects.filter(**{f"{field}__in": list(counts)}).values_list(field, flat=True):
        counts[pk] += 1
    return [counts, {obj.pk: obj for obj in model.objects.filter(pk__in=list(counts))}]


def later_rolls(until: dt.date) -> dict:
    """The 规上 rolls of the years whose December is loaded (from FIRST_ROLL_YEAR), derived and committed by the
    roll service as a zone admin, and the moved enterprises covered: entering → the least-loaded grid, leaving → the
    least-loaded community (registry service, with history)."""
    admin = get_user_model().objects.filter(username="zone_admin").first()
    out = {"rolls": 0, "roll_entering": 0, "roll_leaving": 0}
    if admin is None:
        return out
    grid_load, grids = _least_loaded(Grid, "grid_id")
    community_load, communities = _least_loaded(Community, "community_id")
    for year in range(FIRST_ROLL_YEAR, until.year + 1):
        if dt.date(year, 12, 1) <= until:
            plan = commit_from_reports(year, admin)
        else:
            # The year under way: the statistics office's list for it carries every enterprise's status of the
            # year before (the roll of its own revenue follows December), so its monthly figures are counted.
            plan = roll.plan_roll(year, [], source_name="carried")
            roll.commit_roll(plan, admin)
        out["rolls"] += 1
        reason = _("The %(year)s 规上 roll") % {"year": year}
        moves = (("entering", "grid", plan.entering, grid_load, grids), ("leaving", "community", plan.leaving,
                 community_load, communities))  # fmt: skip
        for move, field, items, load, areas in moves:
            other = "community" if field == "grid" else "grid"
            for item in items:
                ent = item.enterprise
                if ent.status != EnterpriseStatus.OPERATING or (getattr(ent, f"{field}_id") and not getattr(
                        ent, f"{other}_id")):  # fmt: skip
                    continue
                pk = min(load, key=lambda k, load=load: (load[k], k))
                load[pk] += 1
                update_enterprise(ent, {field: areas[pk], other: None}, admin, reason=reason)
                out[f"roll_{move}"] += 1
    return out


def load(seed: int, stdout=None) -> dict:
    started = time.perf_counter()
    until = last_period()
    rows = build_rows(seed, until)
    schema = dict.fromkeys(VALUE_FIELDS, pl.Float64) | {
        "enterprise_id": pl.Int64, "period": pl.Date, "employees_month": pl.Int64, "employees_cum": pl.Int64,
        "derived": pl.String, "issues": pl.String,
    }  # fmt: skip
    frame = pl.DataFrame(rows, schema=schema).select(WRITE_COLUMNS)
    with transaction.atomic():
        write_reports(frame)
        periods = sorted(set(frame["period"].to_list()))
        refresh_analytics(periods)
        rolls = later_rolls(until)
    if stdout is not None:
        stdout.write(
            _("Monthly statistics: %(rows)d rows to %(last)s, %(rolls)d later 规上 rolls in %(seconds).1f s")
            % {
                "rows": frame.height,
                "last": until.strftime("%Y-%m"),
                "rolls": rolls["rolls"],
                "seconds": time.perf_counter() - started,
            }
        )
    return {"monthly_reports": frame.height, **rolls}


# --- Scale -----------------------------------------------------------------------------------------------

SCALE_MONTHS = 120
SCALE_CHUNK = 2_000  # enterprises per chunk: 240,000 rows


def _uniform(expr: pl.Expr, seed: int) -> pl.Expr:
    """A deterministic pseudo-random number in [0, 1) from a column (a hash, so no per-row Python)."""
    return (expr.hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def scale_frame(enterprises: pl.DataFrame, seed: int, last: dt.date | None = None) -> pl.DataFrame:
    """120 months per enterprise up to `last` (enterprise_id, revenue of the registry year), all columns."""
    last = last or last_period()
    first = add_months(last, -(SCALE_MONTHS - 1))
    periods = pl.Series(
        "period", [add_months(first, i) for i in range(SCALE_MONTHS)], dtype=pl.Date
    ).to_frame()
    frame = enterprises.join(periods, how="cross")
    key = pl.col("enterprise_id") * 1000 + pl.col("period").dt.year() * 12 + pl.col("period").dt.month()
    month = pl.col("period").dt.month()
    # Growth of about 6% a year around the registry year's level, a seasonal dip in February, noise.
    years_back = (last.year - pl.col("period").dt.year()).cast(pl.Float64)
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
    first = add_months(last_period(), -(SCALE_MONTHS - 1))
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
