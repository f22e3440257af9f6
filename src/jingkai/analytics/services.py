"""Services of the economic-operation pages and API: targets, top enterprises, enterprise trends, and the one
door through which changes reach the rollups (schedule_refresh).

Aggregates come from engine (rollups or the scoped live computation). Enterprise-level lists come from the stored
lists (analytics.TopEnterprise) only for users who see every enterprise; anyone else's come through
MonthlyReport.objects.visible_to(user), so a list never names an enterprise the user may not see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery

from jingkai.analytics import engine
from jingkai.analytics.models import Rollup, Target, TargetKind, TargetScope, TopEnterprise
from jingkai.core import dates
from jingkai.core.money import YI
from jingkai.core.scoping import scope_of
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.models import MonthlyReport

HUNDRED_YI = 100 * YI


# --- refreshing the rollups ----------------------------------------------------------------------------------


def schedule_refresh(changes: list[dict]) -> None:
    """Refresh the rollups for these changes (engine.plan_changes lists the kinds) once the transaction commits.

    Every listener goes through here. The changes of one transaction are gathered and refreshed together after
    the commit (robust: a failed refresh is logged and never undoes a committed edit; `refresh_all()` rebuilds),
    so an import that moves a thousand enterprises refreshes once. Changes are serialisable (ids, ISO dates,
    strings): this is where the refresh becomes a background job.
    """
    changes = [dict(change) for change in changes]
    if not changes:
        return
    waiting = getattr(connection, "_analytics_pending", None)  # (its on_commit callback, its changes)
    if not (
        connection.in_atomic_block
        and waiting is not None
        and any(func is waiting[0] for _sids, func, _robust in connection.run_on_commit)
    ):
        # No refresh waiting in this transaction (one left over was rolled back with its savepoint): a new one.
        gathered: list[dict] = []

        def run() -> None:
            if getattr(connection, "_analytics_pending", None) is waiting_now:
                connection._analytics_pending = None
            _refresh(gathered)

        waiting_now = connection._analytics_pending = (run, gathered)
        gathered.extend(changes)
        transaction.on_commit(run, robust=True)  # outside a transaction: runs at once
        return
    waiting[1].extend(changes)


def _refresh(changes: list[dict]) -> None:
    """Run the refresh of gathered changes (each distinct change once)."""
    unique = []
    seen = set()
    for change in changes:
        key = repr(sorted(change.items()))
        if key not in seen:
            seen.add(key)
            unique.append(change)
    if not unique:
        return
    if settings.JINGKAI_ROLLUP_REFRESH_JOBS:
        # A worker recomputes them (seconds at province scale): the edit's request does not wait. The job is the
        # zone's, not the editor's (no owner): zone administrators see it among the jobs.
        from jingkai.analytics.jobs import refresh_rollups
        from jingkai.core import jobs

        jobs.enqueue(refresh_rollups, user=None, args={"changes": unique})
    else:
        engine.refresh_changes(unique)


def _origin_key(values: dict) -> str:
    """The origin dimension's member of an enterprise (as engine._mem_sql computes it)."""
    if values.get("origin") == "domestic":
        return "domestic"
    return values.get("origin_country") or values.get("origin") or ""


PLACEMENT_DIMENSIONS = {"grid_id": "grid", "park_id": "park", "group_id": "group"}


def on_periods_changed(periods, enterprises=None) -> None:
    """stats announced monthly rows written (an import): their periods, and the enterprises when known."""
    ids = None if enterprises is None else sorted({int(pk) for pk in enterprises})
    if ids is not None and len(ids) > engine.WHOLE_PERIOD_ABOVE:
        ids = None  # every member of the period is touched anyway; keep the change small
    schedule_refresh(
        [
            {
                "kind": "reports",
                "periods": [f"{dates.month_start(p):%Y-%m-%d}" for p in periods],
                "enterprises": ids,
            }
        ]
    )


def on_placement_changed(items: list[dict]) -> None:
    """The registry announced enterprises moved between grids, parks, groups or capital origins."""
    changes = []
    for item in items:
        old, new = item["old"], item["new"]
        for name, dimension in PLACEMENT_DIMENSIONS.items():
            if name in old:
                members = [str(v) for v in (old[name], new[name]) if v is not None]
                changes.append(
                    {
                        "kind": "members",
                        "enterprises": [item["enterprise"]],
                        "dimension": dimension,
                        "members": members,
                    }
                )
        if "origin" in old or "origin_country" in old:
            changes.append(
                {
                    "kind": "members",
                    "enterprises": [item["enterprise"]],
                    "dimension": "origin",
                    "members": [_origin_key(old), _origin_key(new)],
                }
            )
    schedule_refresh(changes)


def on_scale_changed(items: list[dict]) -> None:
    """The registry announced a year's 规上 status of enterprises added, changed or removed."""
    schedule_refresh(
        [{"kind": "scale", "enterprises": [i["enterprise"]], "years": [i["year"]]} for i in items]
    )


def on_membership_changed(items: list[dict]) -> None:
    """chains announced memberships added or removed."""
    schedule_refresh(
        [
            {
                "kind": "members",
                "enterprises": [i["enterprise"]],
                "dimension": "chain",
                "members": [str(i["chain"])],
            }
            for i in items
        ]
    )


def on_digital_flag_changed(chains: list[int]) -> None:
    """chains announced a chain's digital-economy flag changed."""
    schedule_refresh([{"kind": "digital", "chains": sorted(set(chains))}])


def latest_period() -> dt.date | None:
    """The latest month with rollups (what the dashboards show unless the user picks another)."""
    return (
        Rollup.objects.filter(dimension="zone").order_by("-period").values_list("period", flat=True).first()
    )


def generation() -> str:
    """A token that changes whenever the rollups are refreshed or a target changes (cheap aggregate queries)."""
    from django.db.models import Count, Max

    from jingkai.analytics.models import Refresh

    refreshed = Refresh.objects.aggregate(last=Max("id"))["last"]
    targets = Target.objects.aggregate(last=Max("updated_at"), n=Count("id"))
    stamp = f"{targets['last']:%Y%m%d%H%M%S%f}" if targets["last"] else "-"
    return f"{refreshed}.{targets['n']}.{stamp}"


def available_periods() -> list[dt.date]:
    return list(Rollup.objects.filter(dimension="zone").order_by("-period").values_list("period", flat=True))


# --- targets -------------------------------------------------------------------------------------------------


@dataclass
class Progress:
    target: Target
    period: dt.date  # the month the actual figure is taken at
    actual: Decimal | None  # cumulative 1–N月 figure of the target's member
    goal: Decimal | None  # the level to reach (for an increment: last year's figure + the value)
    base: Decimal | None = None  # last year's full-year figure (increment targets)

    @property
    def months_elapsed(self) -> int:
        return self.period.month

    @property
    def months_total(self) -> int:
        return self.target.period.month if self.target.period else 12

    @property
    def months_left(self) -> int:
        return max(self.months_total - self.months_elapsed, 0)

    @property
    def share(self) -> Decimal | None:
        """Progress toward the goal as a fraction (0.5 = 50%)."""
        if self.actual is None or not self.goal:
            return None
        return self.actual / self.goal

    @property
    def time_share(self) -> Decimal:
        """Share of the target's time elapsed (时间进度): compare with share (任务进度)."""
        return Decimal(min(self.months_elapsed, self.months_total)) / Decimal(self.months_total)

    @property
    def remaining(self) -> Decimal | None:
        if self.actual is None or self.goal is None:
            return None
        return max(self.goal - self.actual, Decimal(0))

    @property
    def pace_needed(self) -> Decimal | None:
        """Average monthly figure needed in each remaining month to reach the goal (None when no month left)."""
        if self.remaining is None or not self.months_left:
            return None
        return self.remaining / self.months_left

    @property
    def pace_so_far(self) -> Decimal | None:
        if self.actual is None or not self.months_elapsed:
            return None
        return self.actual / self.months_elapsed

    @property
    def on_track(self) -> bool | None:
        """Whether the pace so far, kept up, reaches the goal in time."""
        if self.share is None:
            return None
        return self.share >= self.time_share


def _member(target: Target) -> tuple[str, str]:
    if target.scope == TargetScope.CHAIN:
        return "chain", str(target.chain_id)
    if target.scope == TargetScope.GROUP:
        return "group", str(target.group_id)
    return "zone", ""


def _cumulative(target: Target, period: dt.date) -> Decimal | None:
    field = f"{target.measure}_cum"
    if target.scope == TargetScope.ENTERPRISE:
        value = (
            MonthlyReport.objects.filter(enterprise_id=target.enterprise_id, period=period)
            .values_list(field, flat=True)
            .first()
        )
    else:
        dimension, member = _member(target)
        value = (
            Rollup.objects.filter(period=period, dimension=dimension, member=member)
            .values_list(field, flat=True)
            .first()
        )
    return None if value is None else Decimal(value)


def progress(target: Target, period: dt.date | None = None) -> Progress:
    """Progress of a target at a month of its year (by default the latest month with figures in that year)."""
    if period is None:
        last = dt.date(target.year, 12, 1) if target.period is None else target.period
        period = (
            Rollup.objects.filter(dimension="zone", period__lte=last, period__gte=dt.date(target.year, 1, 1))
            .order_by("-period")
            .values_list("period", flat=True)
            .first()
        ) or dt.date(target.year, 1, 1)
    actual = _cumulative(target, period)
    base = None
    goal = Decimal(target.value)
    if target.kind == TargetKind.INCREMENT:
        base_period = (
            target.period.replace(year=target.year - 1) if target.period else dt.date(target.year - 1, 12, 1)
        )
        base = _cumulative(target, base_period)
        goal = None if base is None else base + goal
    return Progress(target, period, actual, goal, base)


def target_progress(year: int, period: dt.date | None = None, *, user=None) -> list[Progress]:
    """The year's targets with progress; with a user, an enterprise's target only if that user may see the
    enterprise (a department handler sees the zone's aggregates, not every enterprise's figures)."""
    targets = Target.objects.filter(year=year).select_related("chain", "group", "enterprise")
    if user is not None:
        targets = targets.filter(
            Q(enterprise__isnull=True) | Q(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))
        )
    return [progress(t, period) for t in targets]


@dataclass
class HundredYi:
    """The 五个百亿 tally at a month: chains, enterprises and groups whose cumulative output reached 100亿元."""

    chains: list[str]
    enterprises: list[str]
    groups: list[str]


def hundred_yi(period: dt.date, user) -> HundredYi:
    """Chains and groups from the rollups (zone-wide aggregates); enterprises among those the user may see."""

    def members(dimension: str) -> list[str]:
        keys = list(
            Rollup.objects.filter(period=period, dimension=dimension, output_cum__gte=HUNDRED_YI).values_list(
                "member", flat=True
            )
        )
        labels = engine.member_labels(dimension, keys)
        return sorted(labels.get(k, k) for k in keys)

    if sees_every_enterprise(user):
        enterprises = (
            TopEnterprise.objects.filter(period=period, kind="hundred_yi")
            .order_by("-cum", "enterprise_id")
            .values_list("enterprise__name", flat=True)
        )
    else:
        enterprises = hundred_yi_enterprises_live(period, user)
    return HundredYi(members("chain"), list(enterprises), members("group"))


def hundred_yi_enterprises_live(period: dt.date, user):
    """The 百亿 enterprises among those the user may see, from the monthly rows."""
    return (
        MonthlyReport.objects.visible_to(user)
        .filter(period=period, output_cum__gte=HUNDRED_YI)
        .order_by("-output_cum", "enterprise_id")
        .values_list("enterprise__name", flat=True)
    )


def sees_every_enterprise(user) -> bool:
    """Whether a user's enterprise lists may come from the stored lists (zone administrators see every
    enterprise; anyone else, a department handler included, gets them computed over what they may see)."""
    return user is not None and scope_of(user).everything


# --- enterprises ---------------------------------------------------------------------------------------------


def top_enterprises(
    user, period: dt.date, measure: str = "output", limit: int = 10, enterprises=None
) -> list[dict]:
    """The largest enterprises of the period's 规上 set by cumulative figure, with comparable YoY (one query).

    From the stored list (analytics.TopEnterprise) for a user who sees every enterprise, when it holds enough
    rows; else computed over the monthly rows the user may see (top_enterprises_live).
    """
    if enterprises is None and limit <= engine.TOP_N and sees_every_enterprise(user):
        rows = (
            TopEnterprise.objects.filter(period=period, kind="top", measure=measure)
            .order_by("-cum", "enterprise_id")
            .values("enterprise_id", "enterprise__name", "enterprise__short_name", "cum", "last_year_cum")[
                :limit
            ]
        )
        return [_top_row(r["enterprise_id"], r["enterprise__name"], r["enterprise__short_name"], r["cum"],
                         r["last_year_cum"]) for r in rows]  # fmt: skip
    return top_enterprises_live(user, period, measure, limit, enterprises)


def _top_row(pk, name, short_name, cum, last) -> dict:
    return {
        "id": pk,
        "name": name,
        "short_name": short_name or name,
        "cum": Decimal(cum),
        "last_year_cum": None if last is None else Decimal(last),
        "yoy": engine.growth(cum, last),
    }


def top_enterprises_live(
    user, period: dt.date, measure: str = "output", limit: int = 10, enterprises=None
) -> list[dict]:
    """top_enterprises over the monthly rows the user may see (grid staff, department handlers, a member's
    or a grid's list)."""
    field = f"{measure}_cum"
    above = AnnualScale.objects.filter(year=period.year, above_size=True).values("enterprise_id")
    last_year = MonthlyReport.objects.filter(
        enterprise=OuterRef("enterprise"), period=dates.add_months(period, -12)
    ).values(field)[:1]
    reports = MonthlyReport.objects.visible_to(user)
    if enterprises is not None:
        reports = reports.filter(enterprise__in=enterprises.order_by().values("pk"))
    rows = (
        reports.filter(period=period, enterprise__in=above, **{f"{field}__isnull": False})
        .annotate(last=Subquery(last_year))
        .order_by(f"-{field}", "enterprise_id")
        .values("enterprise_id", "enterprise__name", "enterprise__short_name", field, "last")[:limit]
    )
    return [
        _top_row(r["enterprise_id"], r["enterprise__name"], r["enterprise__short_name"], r[field], r["last"])
        for r in rows
    ]


def enterprise_series(enterprise, months: int = 30) -> list[dict]:
    """An enterprise's monthly rows (oldest first, up to `months` of them), each with YoY of month and cum."""
    rows = list(
        MonthlyReport.objects.filter(enterprise=enterprise)
        .order_by("-period")[: months + 12]
        .values("period", *[f"{m}_{s}" for m in engine.MEASURES for s in ("month", "cum")])
    )
    rows.reverse()
    by_period = {r["period"]: r for r in rows}
    result = []
    for row in rows[-months:]:
        before = by_period.get(dates.add_months(row["period"], -12))
        entry = {"period": row["period"]}
        for m in engine.MEASURES:
            month, cum = row[f"{m}_month"], row[f"{m}_cum"]
            entry[m] = {
                "month": month,
                "cum": cum,
                "yoy_month": engine.growth(month, before and before[f"{m}_month"]),
                "yoy_cum": engine.growth(cum, before and before[f"{m}_cum"]),
            }
        result.append(entry)
    return result


def year_figures(series: list[dict], measure: str = "output") -> list[dict]:
    """The December (or latest) cumulative figure of each year in a series, with its YoY."""
    latest: dict[int, dict] = {}
    for entry in series:
        latest[entry["period"].year] = entry
    return [
        {"year": year, "period": e["period"], "cum": e[measure]["cum"], "yoy": e[measure]["yoy_cum"]}
        for year, e in sorted(latest.items())
    ]
