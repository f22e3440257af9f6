"""The analytics engine: comparable-basis sums of the monthly statistics by dimension.

One set-based SQL statement computes, for a list of periods, the sums of every measure over the 规上 set of
the period's year, per member of every dimension (whole zone, chain, grid, origin, park, group, digital-economy
core), together with the 同口径 (comparable-basis) sums: the current and the previous-year figures of the
enterprises that reported in both periods. refresh() stores the result in analytics.Rollup, so a dashboard
reads a few hundred rows whatever the number of monthly rows (docs/decisions/0010-analytics-engine.md).

The same statement, restricted to the enterprises a user may see, serves users who see only part of the zone
(grid leaders and officers): their figures are computed live over their few hundred rows, so an aggregate never
includes an enterprise they may not see.

Dimensions:
- chain: an enterprise in several chains counts in each chain, so chain rows do not add up to the zone total;
- digital: the digital-economy core = enterprises in at least one chain flagged chains.Chain.is_digital_economy
  (zone configuration an admin edits; counted once however many flagged chains it is in);
- origin: "domestic", or the investor country (JP → 日资, DE → 德资 …), else the origin code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from jingkai.analytics.permissions import can_view_economy as may_use  # noqa: F401 (engine.may_use)
from jingkai.analytics.permissions import sees_zone_aggregates
from jingkai.core.dates import add_months, month_start
from jingkai.stats.measures import MEASURES

SUFFIXES = ("month", "cum", "cmp_month", "cmp_cum", "prev_month", "prev_cum")
DIMENSIONS = ("zone", "chain", "grid", "origin", "park", "group", "digital")


def _tables() -> dict[str, str]:
    from django.apps import apps

    def table(label: str) -> str:
        return connection.ops.quote_name(apps.get_model(label)._meta.db_table)

    return {
        "report": table("stats.MonthlyReport"),
        "scale": table("enterprises.AnnualScale"),
        "enterprise": table("enterprises.Enterprise"),
        "membership": table("chains.ChainMembership"),
        "chain": table("chains.Chain"),
        "rollup": table("analytics.Rollup"),
    }


def _value_columns() -> list[str]:
    return [f"{m}_{s}" for m in MEASURES for s in SUFFIXES]


def _select_sql(periods: list[dt.date], enterprise_filter: tuple[str, list] | None = None):
    """The SELECT producing rollup rows for these periods; returns (sql, params).

    Columns: period, dimension, member, enterprises, comparable, then _value_columns() in order.
    enterprise_filter: (sql, params) of a subquery of enterprise ids to restrict the sums to.
    """
    t = _tables()
    params: list = []
    values = []
    for period in periods:
        values.append("(%s, %s, %s)")
        params += [
            connection.ops.adapt_datefield_value(period),
            connection.ops.adapt_datefield_value(add_months(period, -12)),
            period.year,
        ]
    cur_columns = ", ".join(f"r.{m}_month AS {m}_month, r.{m}_cum AS {m}_cum" for m in MEASURES)
    restrict = ""
    if enterprise_filter is not None:
        restrict = f" AND r.enterprise_id IN ({enterprise_filter[0]})"
    sums = []
    for m in MEASURES:
        sums += [
            f"SUM(c.{m}_month)",
            f"SUM(c.{m}_cum)",
            f"SUM(CASE WHEN p.enterprise_id IS NOT NULL THEN c.{m}_month END)",
            f"SUM(CASE WHEN p.enterprise_id IS NOT NULL THEN c.{m}_cum END)",
            f"SUM(p.{m}_month)",
            f"SUM(p.{m}_cum)",
        ]
    text = "CAST({} AS TEXT)"
    sql = f"""
WITH per (period, prev, yr) AS (VALUES {", ".join(values)}),
cur AS (
  SELECT per.period AS period, per.prev AS prev, r.enterprise_id AS enterprise_id, {cur_columns}
  FROM per
  JOIN {t["report"]} r ON r.period = per.period
  JOIN {t["scale"]} s ON s.enterprise_id = r.enterprise_id AND s.year = per.yr AND s.above_size = %s
  WHERE 1 = 1{restrict}
),
prv AS (
  SELECT per.period AS period, r.enterprise_id AS enterprise_id, {cur_columns}
  FROM per JOIN {t["report"]} r ON r.period = per.prev
),
mem AS (
  SELECT e.id AS enterprise_id, 'zone' AS dimension, '' AS member FROM {t["enterprise"]} e
  UNION ALL SELECT e.id, 'grid', {text.format("e.grid_id")} FROM {t["enterprise"]} e WHERE e.grid_id IS NOT NULL
  UNION ALL SELECT e.id, 'park', {text.format("e.park_id")} FROM {t["enterprise"]} e WHERE e.park_id IS NOT NULL
  UNION ALL SELECT e.id, 'group', {text.format("e.group_id")} FROM {t["enterprise"]} e
    WHERE e.group_id IS NOT NULL
  UNION ALL SELECT e.id, 'origin', CASE WHEN e.origin = 'domestic' THEN 'domestic'
    WHEN e.origin_country <> '' THEN e.origin_country ELSE e.origin END FROM {t["enterprise"]} e
  UNION ALL SELECT m.enterprise_id, 'chain', {text.format("m.chain_id")} FROM {t["membership"]} m
  UNION ALL SELECT DISTINCT m.enterprise_id, 'digital', '' FROM {t["membership"]} m
    JOIN {t["chain"]} ch ON ch.id = m.chain_id WHERE ch.is_digital_economy = %s
)
SELECT c.period, mem.dimension, mem.member, COUNT(*), COUNT(p.enterprise_id), {", ".join(sums)}
FROM cur c
JOIN mem ON mem.enterprise_id = c.enterprise_id
LEFT JOIN prv p ON p.period = c.period AND p.enterprise_id = c.enterprise_id
GROUP BY c.period, mem.dimension, mem.member
"""
    params.append(True)
    if enterprise_filter is not None:
        params += list(enterprise_filter[1])
    params.append(True)
    return sql, params


def affected_periods(periods: Iterable[dt.date]) -> list[dt.date]:
    """The periods themselves and, a year later, the periods whose YoY compares against them."""
    result = set()
    for period in periods:
        start = month_start(period)
        result.update((start, add_months(start, 12)))
    return sorted(result)


def refresh(periods: Iterable[dt.date]) -> None:
    """Recompute the rollups of these periods and of the periods a year later; called when an import commits."""
    targets = affected_periods(periods)
    if not targets:
        return
    from jingkai.analytics.models import Refresh, Rollup

    columns = ["period", "dimension", "member", "enterprises", "comparable", *_value_columns()]
    table = _tables()["rollup"]
    with transaction.atomic():
        Refresh.objects.create(periods=[f"{p:%Y-%m}" for p in targets])
        Rollup.objects.filter(period__in=targets).delete()
        # In chunks of a year: one statement per chunk keeps each join to a bounded slice of monthly rows.
        for start in range(0, len(targets), 12):
            sql, params = _select_sql(targets[start : start + 12])
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


def refresh_all() -> int:
    """Rebuild every rollup from the monthly rows (after 规上 status or chain memberships changed)."""
    from jingkai.analytics.models import Rollup
    from jingkai.stats.models import MonthlyReport

    periods = list(MonthlyReport.objects.order_by().values_list("period", flat=True).distinct())
    with transaction.atomic():
        Rollup.objects.all().delete()
        refresh(periods)
    return len(periods)


# --- reading -----------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """One member's figures of one measure for a period."""

    key: str
    enterprises: int = 0
    comparable: int = 0
    month: Decimal | None = None
    cum: Decimal | None = None
    cmp_month: Decimal | None = None
    cmp_cum: Decimal | None = None
    prev_month: Decimal | None = None
    prev_cum: Decimal | None = None
    label: str = ""
    # The plain figure a year earlier (over that year's 规上 set), as last year's report published it.
    last_year_cum: Decimal | None = None

    @property
    def yoy_month(self) -> Decimal | None:
        return growth(self.cmp_month, self.prev_month)

    @property
    def yoy_cum(self) -> Decimal | None:
        return growth(self.cmp_cum, self.prev_cum)


def growth(current, previous) -> Decimal | None:
    """Growth rate as a fraction (0.2574 = +25.74%); None without a positive base."""
    if current is None or previous is None or Decimal(previous) <= 0:
        return None
    return Decimal(current) / Decimal(previous) - 1


@dataclass
class Summary:
    period: dt.date
    by: str
    measure: str
    total: Figures
    items: list[Figures] = field(default_factory=list)
    live: bool = False  # computed over the user's visible enterprises rather than read from rollups


def _to_decimal(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(Decimal("0.01"))
    return Decimal(value)


def _figures(row: dict, measure: str) -> Figures:
    return Figures(
        key=row["member"],
        enterprises=row["enterprises"],
        comparable=row["comparable"],
        **{s: _to_decimal(row[f"{measure}_{s}"]) for s in SUFFIXES},
    )


def _rows(periods: list[dt.date], dimensions: list[str], enterprise_filter=None, measure=None) -> list[dict]:
    """Rollup rows as dicts: stored ones, or computed live over a subset of enterprises.

    measure: read only that measure's columns of the stored rows (converting 48 decimals a row costs more
    than the query itself).
    """
    if enterprise_filter is None:
        from jingkai.analytics.models import Rollup

        values = [f"{measure}_{s}" for s in SUFFIXES] if measure else _value_columns()
        columns = ["period", "dimension", "member", "enterprises", "comparable", *values]
        return list(
            Rollup.objects.filter(period__in=periods, dimension__in=dimensions).order_by().values(*columns)
        )
    sql, params = _select_sql(periods, enterprise_filter)
    dims = ", ".join(["%s"] * len(dimensions))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) x WHERE x.dimension IN ({dims})", [*params, *dimensions])
        names = ["period", "dimension", "member", "enterprises", "comparable", *_value_columns()]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        if isinstance(row["period"], str):
            row["period"] = dt.date.fromisoformat(row["period"][:10])
    return rows


def _restriction(user, enterprises=None) -> tuple[str, list] | None:
    """None to read the stored rollups; else the SQL of the enterprise ids to sum over.

    user None or a zone-wide user with no `enterprises` queryset: the rollups. Otherwise the enterprises the
    user may see (all of them for a zone-wide user), further limited to `enterprises` when given.
    """
    from jingkai.enterprises.models import Enterprise

    zone_wide = user is None or sees_zone_aggregates(user)
    if zone_wide and enterprises is None:
        return None
    queryset = Enterprise.objects.all() if user is None or zone_wide else Enterprise.objects.visible_to(user)
    if enterprises is not None:
        queryset = queryset.filter(pk__in=enterprises.order_by().values("pk"))
    return queryset.order_by().values("pk").query.sql_with_params()


def summary(period: dt.date, by: str, measure: str = "output", user=None, enterprises=None) -> Summary:
    """Totals, cumulative and comparable-basis YoY of a period by one dimension (plus the zone total).

    user None (or a zone-wide user) reads the stored rollups; otherwise the figures are computed live
    over the enterprises the user may see; `enterprises` (a queryset) narrows the sums further (a grid's view).
    """
    if by not in DIMENSIONS:
        raise ValueError(by)
    if measure not in MEASURES:
        raise ValueError(measure)
    period = month_start(period)
    last_year = add_months(period, -12)
    restrict = _restriction(user, enterprises)
    rows = _rows([period, last_year], sorted({"zone", by}), restrict, measure)
    current = {(r["dimension"], r["member"]): r for r in rows if r["period"] == period}
    previous = {(r["dimension"], r["member"]): r for r in rows if r["period"] == last_year}

    def build(dimension: str, member: str) -> Figures:
        row = current.get((dimension, member))
        figures = _figures(row, measure) if row else Figures(key=member)
        before = previous.get((dimension, member))
        if before:
            figures.last_year_cum = _to_decimal(before[f"{measure}_cum"])
        return figures

    total = build("zone", "")
    items = [build(by, member) for (dimension, member) in current if dimension == by]
    labels = member_labels(by, [f.key for f in items])
    for item in items:
        item.label = labels.get(item.key, item.key)
    items.sort(key=lambda f: (-(f.cum or 0), f.label))
    total.label = str(labels.get("", "")) if by == "zone" else ""
    return Summary(period, by, measure, total, items, live=restrict is not None)


def member_labels_title(dimension: str) -> str:
    """The name of a dimension (产业链, 网格 …)."""
    from jingkai.analytics.models import Dimension

    return str(Dimension(dimension).label)


def member_labels(dimension: str, keys: list[str]) -> dict[str, str]:
    """Display names of dimension members (one query at most)."""
    from django.utils.translation import gettext as _

    from jingkai.chains.models import Chain
    from jingkai.enterprises.choices import COUNTRY_NAMES, Origin
    from jingkai.enterprises.models import EnterpriseGroup
    from jingkai.grids.models import Grid
    from jingkai.parks.models import Park

    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == "chain":
        return {str(pk): name for pk, name in Chain.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dimension == "grid":
        return {
            str(pk): f"{code} {name}"
            for pk, code, name in Grid.objects.filter(pk__in=ids).values_list("pk", "code", "name")
        }
    if dimension == "park":
        return {str(pk): name for pk, name in Park.objects.filter(pk__in=ids).values_list("pk", "name")}
    if dimension == "group":
        return {
            str(pk): short or name
            for pk, short, name in EnterpriseGroup.objects.filter(pk__in=ids).values_list(
                "pk", "short_name", "name"
            )
        }
    if dimension == "origin":
        labels = {}
        for key in keys:
            if key == Origin.DOMESTIC:
                labels[key] = "内资"
            elif key in COUNTRY_NAMES:
                labels[key] = COUNTRY_NAMES[key][1]
            else:
                labels[key] = "港澳台资" if key == Origin.HMT else "外资"
        return labels
    if dimension == "digital":
        return {"": _("Digital-economy core")}
    return {"": _("Whole zone")}


def series(
    year: int, measure: str = "output", dimension: str = "zone", member: str = "", user=None, enterprises=None
) -> list[Figures]:
    """The figures of each month of a year with data for one member, oldest first (rollups or live)."""
    restrict = _restriction(user, enterprises)
    periods = [dt.date(year, month, 1) for month in range(1, 13)]
    rows = _rows(periods, [dimension], restrict, measure)
    result = []
    for row in sorted(rows, key=lambda r: r["period"]):
        if row["member"] == member:
            figures = _figures(row, measure)
            figures.label = f"{row['period']:%Y-%m}"
            result.append(figures)
    return result
