"""Read-side services of the economic-operation pages and API: targets, top enterprises, enterprise trends.

Aggregates come from engine (rollups or the scoped live computation); enterprise-level rows always come
through MonthlyReport.objects.visible_to(user), so a list never names an enterprise the user may not see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery

from jingkai.analytics import engine
from jingkai.analytics.models import Rollup, Target, TargetKind, TargetScope
from jingkai.core import dates
from jingkai.core.money import YI
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.models import MonthlyReport

HUNDRED_YI = 100 * YI


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

    enterprises = (
        MonthlyReport.objects.visible_to(user)
        .filter(period=period, output_cum__gte=HUNDRED_YI)
        .order_by("-output_cum")
        .values_list("enterprise__name", flat=True)
    )
    return HundredYi(members("chain"), list(enterprises), members("group"))


# --- enterprises ---------------------------------------------------------------------------------------------


def top_enterprises(
    user, period: dt.date, measure: str = "output", limit: int = 10, enterprises=None
) -> list[dict]:
    """The largest enterprises of the period's 规上 set by cumulative figure, with comparable YoY (one query)."""
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
        {
            "id": r["enterprise_id"],
            "name": r["enterprise__name"],
            "short_name": r["enterprise__short_name"] or r["enterprise__name"],
            "cum": Decimal(r[field]),
            "last_year_cum": None if r["last"] is None else Decimal(r["last"]),
            "yoy": engine.growth(r[field], r["last"]),
        }
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
