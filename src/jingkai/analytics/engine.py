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
from django.db.models import Q

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


# The periods as plain IN lists besides the VALUES list (see _select_sql); benchmarks/rollups.py turns it off to
# time the statement as it was.
PERIOD_IN_LISTS = True


def _mem_sql(t: dict[str, str], only: dict[str, set[str]] | None = None) -> tuple[str, list]:
    """The members of every enterprise, one row per (enterprise_id, dimension, member); returns (sql, params).

    only: {dimension: members} keeps just those rows, each dimension's branch filtered by its own column
    (`grid_id IN (…)`), which the planner estimates well (a join to a VALUES list it does not).
    """
    text = "CAST({} AS TEXT)"
    origin = (
        "CASE WHEN e.origin = 'domestic' THEN 'domestic' WHEN e.origin_country <> '' THEN e.origin_country "
        "ELSE e.origin END"
    )
    e, m, ch = t["enterprise"], t["membership"], t["chain"]
    alias = "{} AS enterprise_id, '{}' AS dimension, {} AS member"
    empty = "''"
    branches = {
        "zone": (f"SELECT {alias.format('e.id', 'zone', empty)} FROM {e} e", None),
        "grid": (f"SELECT {alias.format('e.id', 'grid', text.format('e.grid_id'))} FROM {e} e", "e.grid_id"),
        "park": (f"SELECT {alias.format('e.id', 'park', text.format('e.park_id'))} FROM {e} e", "e.park_id"),
        "group": (
            f"SELECT {alias.format('e.id', 'group', text.format('e.group_id'))} FROM {e} e",
            "e.group_id",
        ),
        "origin": (f"SELECT {alias.format('e.id', 'origin', origin)} FROM {e} e", origin),
        "chain": (
            f"SELECT {alias.format('m.enterprise_id', 'chain', text.format('m.chain_id'))} FROM {m} m",
            "m.chain_id",
        ),
        "digital": (
            f"SELECT DISTINCT {alias.format('m.enterprise_id', 'digital', empty)} FROM {m} m "
            f"JOIN {ch} ch ON ch.id = m.chain_id WHERE ch.is_digital_economy = %s",
            None,
        ),
    }
    parts: list[str] = []
    params: list = []
    for dimension, (select, column) in branches.items():
        if only is not None and dimension not in only:
            continue
        if dimension == "digital":
            parts.append(select)
            params.append(True)
            continue
        if column is None:
            parts.append(select)
            continue
        if only is None:
            parts.append(f"{select} WHERE {column} IS NOT NULL")
            continue
        members = sorted(only[dimension])
        if dimension in ("grid", "park", "group", "chain"):
            values = [int(m) for m in members if m.isdigit()]
        else:
            values = members
        if not values:
            continue
        parts.append(f"{select} WHERE {column} IN ({', '.join(['%s'] * len(values))})")
        params += values
    if not parts:  # nothing to keep
        parts.append(f"SELECT {alias.format('e.id', 'zone', empty)} FROM {e} e WHERE 1 = 0")
    return "\n  UNION ALL ".join(parts), params


def _select_sql(
    periods: list[dt.date],
    enterprise_filter: tuple[str, list] | None = None,
    touched: list[tuple[dt.date, str, str]] | None = None,
):
    """The SELECT producing rollup rows for these periods; returns (sql, params).

    Columns: period, dimension, member, enterprises, comparable, then _value_columns() in order.
    enterprise_filter: (sql, params) of a subquery of enterprise ids to restrict the sums to.
    touched: only these (period, dimension, member) rows (the incremental refresh); each member's sums are
    still over all of its enterprises, so a row equals what a full refresh computes.
    """
    t = _tables()
    adapt = connection.ops.adapt_datefield_value
    params: list = []
    values = []
    for period in periods:
        values.append("(%s, %s, %s)")
        params += [adapt(period), adapt(add_months(period, -12)), period.year]
    # The periods also as plain IN lists: with them the planner reads the months through the (period,
    # enterprise) index instead of hash-joining the whole table to the VALUES list (one month: 3.4 s → ~0.3 s
    # at 12,000,000 rows, benchmarks/rollups.py).
    in_current = ", ".join(["%s"] * len(periods))
    current_params = [adapt(p) for p in periods]
    previous_params = [adapt(add_months(p, -12)) for p in periods]
    if not PERIOD_IN_LISTS:
        in_current, current_params, previous_params = "r.period", [], []
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
    only = None
    if touched:
        only = {}
        for _period, dimension, member in touched:
            only.setdefault(dimension, set()).add(member)
    mem_sql, mem_params = _mem_sql(t, only)
    restrict_touched = ""
    if only is not None and "zone" not in only:
        # Only the monthly rows of the touched members' enterprises (a grid's, not the zone's).
        restrict_touched = f" AND r.enterprise_id IN (SELECT tm.enterprise_id FROM ({mem_sql}) tm)"
    sql = f"""
WITH per (period, prev, yr) AS (VALUES {", ".join(values)}),
cur AS (
  SELECT per.period AS period, per.prev AS prev, r.enterprise_id AS enterprise_id, {cur_columns}
  FROM per
  JOIN {t["report"]} r ON r.period = per.period
  JOIN {t["scale"]} s ON s.enterprise_id = r.enterprise_id AND s.year = per.yr AND s.above_size = %s
  WHERE r.period IN ({in_current}){restrict}{restrict_touched}
),
prv AS (
  SELECT per.period AS period, r.enterprise_id AS enterprise_id, {cur_columns}
  FROM per JOIN {t["report"]} r ON r.period = per.prev
  WHERE r.period IN ({in_current}){restrict_touched}
),
mem AS ({mem_sql}
)
SELECT c.period AS period, mem.dimension AS dimension, mem.member AS member, COUNT(*) AS enterprises,
  COUNT(p.enterprise_id) AS comparable, {", ".join(f"{total} AS {name}" for total, name in zip(sums, _value_columns(), strict=True))}
FROM cur c
JOIN mem ON mem.enterprise_id = c.enterprise_id
LEFT JOIN prv p ON p.period = c.period AND p.enterprise_id = c.enterprise_id
GROUP BY c.period, mem.dimension, mem.member
"""
    params.append(True)
    params += current_params
    if enterprise_filter is not None:
        params += list(enterprise_filter[1])
    if restrict_touched:
        params += mem_params
    params += previous_params
    if restrict_touched:
        params += mem_params
    params += mem_params
    if touched:
        # The members were computed in every period of the statement; keep the touched (period, member) rows.
        keys = []
        key_params: list = []
        for period, dimension, member in touched:
            keys.append("(%s, %s, %s)")
            key_params += [adapt(period), dimension, member]
        sql = (
            f"SELECT g.* FROM ({sql}) g JOIN (VALUES {', '.join(keys)}) tk"
            f" ON {_column1} = g.period AND {_column2} = g.dimension AND {_column3} = g.member"
        )
        params += key_params
    return sql, params


# The columns of a VALUES list without names: column1… on SQLite and PostgreSQL alike.
_column1, _column2, _column3 = "tk.column1", "tk.column2", "tk.column3"


def affected_periods(periods: Iterable[dt.date]) -> list[dt.date]:
    """The periods themselves and, a year later, the periods whose YoY compares against them."""
    result = set()
    for period in periods:
        start = month_start(period)
        result.update((start, add_months(start, 12)))
    return sorted(result)


ROLLUP_COLUMNS = ["period", "dimension", "member", "enterprises", "comparable"]
REFRESH_WORK_MEM = "256MB"
REFRESH_LOCK = 7_413_013  # pg_advisory_xact_lock key: one refresh at a time, across workers and servers


def _lock() -> None:
    """Serialise refreshes (inside their transaction): two that delete and re-insert the same rows at once would
    otherwise collide on the unique (period, dimension, member) constraint. SQLite serialises writers itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            # For this transaction only: no JIT (compiling 60 sums costs seconds, more than it saves) and room to
            # group a year's joined rows in memory instead of sorting them on disk (benchmarks/rollups.py).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'")


def _insert_whole_periods(targets: list[dt.date]) -> None:
    table = _tables()["rollup"]
    columns = [*ROLLUP_COLUMNS, *_value_columns()]
    # In chunks of a year: one statement per chunk keeps each join to a bounded slice of monthly rows.
    for start in range(0, len(targets), 12):
        sql, params = _select_sql(targets[start : start + 12])
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)


def refresh(periods: Iterable[dt.date]) -> None:
    """Recompute the rollups of these periods and of the periods a year later, whole (every member).

    The import path now goes through refresh_changes (only the members the import's enterprises belong to);
    this stays for rebuilds and for callers that know only the months.
    """
    targets = affected_periods(periods)
    if not targets:
        return
    from jingkai.analytics.models import Refresh, Rollup

    with transaction.atomic():
        _lock()
        Refresh.objects.create(periods=[f"{p:%Y-%m}" for p in targets])
        Rollup.objects.filter(period__in=targets).delete()
        _insert_whole_periods(targets)
        refresh_top(targets)


def refresh_all() -> int:
    """Rebuild every rollup from the monthly rows (a rebuild; registry edits reach the rollups by
    refresh_changes, announced by the registry)."""
    from jingkai.analytics.models import Rollup, TopEnterprise
    from jingkai.stats.models import MonthlyReport

    periods = list(MonthlyReport.objects.order_by().values_list("period", flat=True).distinct())
    with transaction.atomic():
        _lock()
        Rollup.objects.all().delete()
        TopEnterprise.objects.all().delete()
        refresh(periods)
    return len(periods)


# --- the per-enterprise lists of a period (top enterprises, 百亿 enterprises) ---------------------------------

TOP_N = 10  # the overview's list of top enterprises per measure


def _top_sql(period: dt.date) -> tuple[str, list]:
    """Rows of analytics.TopEnterprise for one period: per measure the TOP_N largest cumulative figures of the
    year's 规上 set (ties by enterprise id), and every enterprise (any scale) whose cumulative output reached
    100亿元 (services.hundred_yi); each with the enterprise's figure a year earlier."""
    from jingkai.core.money import YI

    t = _tables()
    adapt = connection.ops.adapt_datefield_value
    prev = adapt(add_months(period, -12))
    cum_columns = ", ".join(f"r.{m}_cum AS {m}_cum" for m in MEASURES)
    branches: list[str] = []
    params: list = [period.year, True, adapt(period)]
    for m in MEASURES:
        branches.append(
            f"""SELECT * FROM (SELECT 'top' AS kind, '{m}' AS measure, c.enterprise_id AS enterprise_id,
  c.{m}_cum AS cum, (SELECT p.{m}_cum FROM {t["report"]} p WHERE p.enterprise_id = c.enterprise_id
  AND p.period = %s) AS last_year_cum
  FROM c WHERE c.above = 1 AND c.{m}_cum IS NOT NULL ORDER BY c.{m}_cum DESC, c.enterprise_id LIMIT {TOP_N}) x"""
        )
        params.append(prev)
    branches.append(
        f"""SELECT 'hundred_yi', 'output', c.enterprise_id, c.output_cum,
  (SELECT p.output_cum FROM {t["report"]} p WHERE p.enterprise_id = c.enterprise_id AND p.period = %s)
  FROM c WHERE c.output_cum >= %s"""
    )
    params += [prev, 100 * YI]
    materialized = "MATERIALIZED " if connection.vendor in ("postgresql", "sqlite") else ""
    sql = f"""
WITH c AS {materialized}(
  SELECT r.enterprise_id AS enterprise_id, {cum_columns},
    CASE WHEN s.enterprise_id IS NULL THEN 0 ELSE 1 END AS above
  FROM {t["report"]} r
  LEFT JOIN {t["scale"]} s ON s.enterprise_id = r.enterprise_id AND s.year = %s AND s.above_size = %s
  WHERE r.period = %s
)
{" UNION ALL ".join(branches)}
"""
    return sql, params


def refresh_top(periods: Iterable[dt.date]) -> None:
    """Recompute the stored top-enterprise and 百亿 lists of these periods (whole periods; a few rows each)."""
    from jingkai.analytics.models import TopEnterprise

    periods = sorted(set(periods))
    if not periods:
        return
    table = connection.ops.quote_name(TopEnterprise._meta.db_table)
    with transaction.atomic():
        _lock()
        TopEnterprise.objects.filter(period__in=periods).delete()
        with connection.cursor() as cursor:
            for period in periods:
                sql, params = _top_sql(period)
                cursor.execute(
                    f"INSERT INTO {table} (period, kind, measure, enterprise_id, cum, last_year_cum) "
                    f"SELECT %s, kind, measure, enterprise_id, cum, last_year_cum FROM ({sql}) t",
                    [connection.ops.adapt_datefield_value(period), *params],
                )


# --- the incremental refresh ---------------------------------------------------------------------------------

# Above this many enterprises an import's change is taken as "every member of its periods" (a month's
# delivery touches every member anyway); below, only the members those enterprises belong to are recomputed.
WHOLE_PERIOD_ABOVE = 2000
_CHUNK = 500


def _chunks(values: list, size: int = _CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10] if len(value) >= 10 else f"{value}-01")
    return month_start(value)


def _periods_of(enterprise_ids: list[int], years: Iterable[int] | None = None) -> set[dt.date]:
    """The months in which these enterprises have monthly rows (optionally only in these years)."""
    from jingkai.stats.models import MonthlyReport

    found: set[dt.date] = set()
    if len(set(enterprise_ids)) > WHOLE_PERIOD_ABOVE:  # many enterprises: every month (of those years)
        rows = MonthlyReport.objects.all()
        if years is not None:
            rows = rows.filter(period__year__in=sorted(set(years)))
        return set(rows.order_by().values_list("period", flat=True).distinct())
    for chunk in _chunks(sorted(set(enterprise_ids))):
        rows = MonthlyReport.objects.filter(enterprise_id__in=chunk)
        if years is not None:
            rows = rows.filter(period__year__in=sorted(set(years)))
        found.update(rows.order_by().values_list("period", flat=True).distinct())
    return found


def _members_of(enterprise_ids: list[int]) -> set[tuple[str, str]]:
    """Every (dimension, member) these enterprises belong to now (one query per chunk of ids)."""
    t = _tables()
    mem_sql, mem_params = _mem_sql(t)
    found: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(set(enterprise_ids))):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT DISTINCT dimension, member FROM ({mem_sql}) mem WHERE enterprise_id IN ({marks})",
                [*mem_params, *chunk],
            )
            found.update((d, m or "") for d, m in cursor.fetchall())
    return found


def merged(changes: Iterable[dict]) -> list[dict]:
    """The same changes, fewer of them: the 规上 changes of the same years in one, the moves within one dimension
    in one (the union of their enterprises and members: a superset of the rows, refreshed once), the digital
    flags in one. A roll of 100,000 enterprises' 规上 status becomes one change instead of 100,000."""
    result: list[dict] = []
    scale: dict[tuple[int, ...], set[int]] = {}
    members: dict[str, tuple[set[int], set[str]]] = {}
    chains: set[int] = set()
    for change in changes:
        kind = change.get("kind")
        if kind == "scale":
            years = tuple(sorted({int(y) for y in change.get("years") or ()}))
            scale.setdefault(years, set()).update(change.get("enterprises") or ())
        elif kind == "members":
            ids, names = members.setdefault(change["dimension"], (set(), set()))
            ids.update(change.get("enterprises") or ())
            names.update(str(m) for m in change.get("members") or () if m not in (None, ""))
        elif kind == "digital":
            chains.update(change.get("chains") or ())
        else:
            result.append(change)
    result += [
        {"kind": "scale", "enterprises": sorted(ids), "years": list(years)} for years, ids in scale.items()
    ]
    result += [
        {"kind": "members", "enterprises": sorted(ids), "dimension": dimension, "members": sorted(names)}
        for dimension, (ids, names) in sorted(members.items())
    ]
    if chains:
        result.append({"kind": "digital", "chains": sorted(chains)})
    return result


@dataclass
class Plan:
    """What a list of changes touches: whole periods, and single (period, dimension, member) rollup rows."""

    whole: set[dt.date] = field(default_factory=set)
    keys: set[tuple[dt.date, str, str]] = field(default_factory=set)
    top: set[dt.date] = field(default_factory=set)  # periods whose stored enterprise lists are recomputed
    everything: bool = False

    def counts(self) -> dict[str, int]:
        return {"whole_periods": len(self.whole), "rows": len(self.keys), "top_periods": len(self.top)}


def plan_changes(changes: Iterable[dict]) -> Plan:
    """Resolve serialisable changes (analytics.services.schedule_refresh) into the rollup rows they touch.

    kinds:
    - {"kind": "reports", "periods": [...], "enterprises": [ids] or None}: monthly rows written or deleted;
      touches those periods and the periods a year later (their comparable basis), for every member the
      enterprises belong to (None: every member);
    - {"kind": "members", "enterprises": [ids], "dimension": d, "members": [old, new, …]}: enterprises moved
      between members of one dimension (grid, park, group, origin, chain); touches those members in every
      period the enterprises have rows in (a chain change also the digital-economy core);
    - {"kind": "scale", "enterprises": [ids], "years": [...]}: 规上 status of those years changed; touches
      every member of the enterprises in the months of those years they have rows in;
    - {"kind": "digital", "chains": [ids]}: a chain's digital-economy flag changed; touches the digital core
      in every period its member enterprises have rows in;
    - {"kind": "all"}: everything (refresh_all).
    """
    from jingkai.chains.models import ChainMembership

    plan = Plan()
    changes = merged(changes)
    # Changes of one batch see each other: rows written or deleted in a month the enterprise moved away from
    # still count in its old member there (so a move also covers the months of the batch's rows, and the rows'
    # change also covers the members the enterprise left).
    row_periods: dict[int, set[dt.date]] = {}
    left_members: dict[int, set[tuple[str, str]]] = {}
    for change in changes:
        if change.get("kind") == "reports" and change.get("enterprises") is not None:
            periods = {_as_date(p) for p in change.get("periods") or ()}
            for pk in change["enterprises"]:
                row_periods.setdefault(pk, set()).update(periods)
        elif change.get("kind") == "members":
            dimension = change["dimension"]
            names = {(dimension, str(m)) for m in change.get("members") or () if m not in (None, "")}
            if dimension == "chain":
                names.add(("digital", ""))
            for pk in change.get("enterprises") or ():
                left_members.setdefault(pk, set()).update(names)

    def also_periods(ids, years=None) -> set[dt.date]:
        found = set().union(*(row_periods.get(pk, set()) for pk in ids)) if ids else set()
        return {p for p in found if years is None or p.year in years}

    def also_members(ids) -> set[tuple[str, str]]:
        return set().union(*(left_members.get(pk, set()) for pk in ids)) if ids else set()

    for change in changes:
        kind = change.get("kind")
        if kind == "all":
            plan.everything = True
        elif kind == "reports":
            periods = {_as_date(p) for p in change.get("periods") or ()}
            touched = set(affected_periods(periods))
            ids = change.get("enterprises")
            if ids is None or len(ids) > WHOLE_PERIOD_ABOVE:
                plan.whole |= touched
            elif ids:
                members = _members_of(list(ids)) | also_members(ids)
                plan.keys |= {(p, d, m) for p in touched for d, m in members}
            plan.top |= touched
        elif kind == "members":
            ids = list(change.get("enterprises") or ())
            dimension = change["dimension"]
            if dimension not in DIMENSIONS or dimension == "zone":
                raise ValueError(f"unknown dimension {dimension!r}")
            members = {(dimension, str(m)) for m in change.get("members") or () if m not in (None, "")}
            if dimension == "chain":
                members.add(("digital", ""))
            if ids and members:
                periods = _periods_of(ids) | also_periods(ids)
                plan.keys |= {(p, d, m) for p in periods for d, m in members}
        elif kind == "scale":
            ids = list(change.get("enterprises") or ())
            years = [int(y) for y in change.get("years") or ()]
            if ids and years:
                periods = _periods_of(ids, years) | also_periods(ids, set(years))
                if len(ids) > WHOLE_PERIOD_ABOVE:
                    plan.whole |= periods
                else:
                    members = _members_of(ids) | {("zone", "")} | also_members(ids)
                    plan.keys |= {(p, d, m) for p in periods for d, m in members}
                plan.top |= periods
        elif kind == "digital":
            chains = list(change.get("chains") or ())
            ids = list(
                ChainMembership.objects.filter(chain_id__in=chains).values_list("enterprise_id", flat=True)
            )
            ids += list(change.get("enterprises") or ())
            if ids:
                plan.keys |= {(p, "digital", "") for p in _periods_of(ids) | also_periods(ids)}
        else:
            raise ValueError(f"unknown change {change!r}")
    plan.keys = {k for k in plan.keys if k[0] not in plan.whole}
    return plan


def refresh_changes(changes: Iterable[dict]) -> dict[str, int]:
    """Recompute only the rollup rows a list of changes touched (set-based: one DELETE and one INSERT … SELECT
    per chunk of rows); equal, row for row, to refresh_all() (tests/analytics/test_incremental.py).

    Returns what was recomputed: whole periods, single rows, periods of the enterprise lists.
    """
    from jingkai.analytics.models import Refresh, Rollup

    changes = list(changes)
    plan = plan_changes(changes)
    if plan.everything:
        refresh_all()
        return {"all": 1}
    if not (plan.whole or plan.keys or plan.top):
        return plan.counts()
    table = _tables()["rollup"]
    columns = [*ROLLUP_COLUMNS, *_value_columns()]
    with transaction.atomic():
        _lock()
        touched_periods = sorted(plan.whole | {k[0] for k in plan.keys})
        Refresh.objects.create(periods=[f"{p:%Y-%m}" for p in touched_periods])
        if plan.whole:
            whole = sorted(plan.whole)
            Rollup.objects.filter(period__in=whole).delete()
            _insert_whole_periods(whole)
        by_period: dict[dt.date, list[tuple[dt.date, str, str]]] = {}
        for key in sorted(plan.keys):
            by_period.setdefault(key[0], []).append(key)
        keys = [key for period in sorted(by_period) for key in by_period[period]]
        # Chunks of rows, each within at most 12 months, so that every statement reads a bounded slice.
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            groups: dict[tuple[dt.date, str], list[str]] = {}
            for period, dimension, member in chunk:
                groups.setdefault((period, dimension), []).append(member)
            condition = Q()
            for (period, dimension), members in groups.items():
                condition |= Q(period=period, dimension=dimension, member__in=members)
            Rollup.objects.filter(condition).delete()
            periods = sorted({k[0] for k in chunk})
            for p_start in range(0, len(periods), 12):
                slice_periods = periods[p_start : p_start + 12]
                wanted = set(slice_periods)
                sql, params = _select_sql(slice_periods, touched=[k for k in chunk if k[0] in wanted])
                with connection.cursor() as cursor:
                    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        if plan.top:
            refresh_top(plan.top)
    return plan.counts()


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
