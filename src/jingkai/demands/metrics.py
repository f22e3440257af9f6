"""Closure, timeliness and satisfaction figures of a set of demands, in a fixed number of queries.

Definitions (docs/demands.md):
- open: not yet 已办结 / 不予受理 / 合并 (a replied demand waiting for its rating is open);
- overdue: in a state with a deadline (已提交 … 办理中) and past it;
- closure_rate: 已办结 / (all − 不予受理 − 合并);
- on_time_rate: share of 已办结 demands that never missed a deadline;
- avg_closure_working_days: official working days from submission to 已办结;
- satisfaction_rate: share of ratings ≥ 3 (基本满意 or better) among rated demands.
Rates are floats 0–1, or None when there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from jingkai.core.calendar import WorkingCalendar
from jingkai.demands.models import ESCALATING_STATES, FINAL_STATES, SATISFIED_MIN, DemandState


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def working_day_counter(first: dt.date, last: dt.date, calendar: WorkingCalendar | None = None):
    """A function (start, end) -> working days in (start, end], by one pass over the range."""
    calendar = calendar or WorkingCalendar()
    ordinal: dict[dt.date, int] = {}
    count, day = 0, first
    while day <= last:
        count += calendar.is_working_day(day)
        ordinal[day] = count
        day += dt.timedelta(days=1)
    return lambda start, end: ordinal[end] - ordinal[start]


def demand_summary(demands, *, today: dt.date) -> dict:
    """Figures of a queryset of demands (already scoped and filtered by the caller). Two queries."""
    figures = demands.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=~Q(state__in=FINAL_STATES)),
        overdue=Count("pk", filter=Q(state__in=ESCALATING_STATES, due_on__lt=today)),
        closed=Count("pk", filter=Q(state=DemandState.CLOSED)),
        countable=Count("pk", filter=~Q(state__in=(DemandState.REJECTED, DemandState.MERGED))),
        closed_on_time=Count("pk", filter=Q(state=DemandState.CLOSED, ever_overdue=False)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_MIN)),
    )
    pairs = list(
        demands.filter(state=DemandState.CLOSED, closed_at__isnull=False)
        .annotate(start=TruncDate("submitted_at"), end=TruncDate("closed_at"))
        .values("start", "end")
        .annotate(n=Count("pk"))
        .order_by()
    )
    avg_days = None
    if pairs:
        first = min(p["start"] for p in pairs)
        last = max(max(p["end"] for p in pairs), first)
        between = working_day_counter(first, last)
        total_days = sum(max(between(p["start"], max(p["end"], p["start"])), 0) * p["n"] for p in pairs)
        avg_days = total_days / sum(p["n"] for p in pairs)
    return {
        "total": figures["total"],
        "open": figures["open"],
        "overdue": figures["overdue"],
        "closed": figures["closed"],
        "closure_rate": _ratio(figures["closed"], figures["countable"]),
        "on_time_rate": _ratio(figures["closed_on_time"], figures["closed"]),
        "avg_closure_working_days": avg_days,
        "satisfaction_rate": _ratio(figures["satisfied"], figures["rated"]),
        "rated": figures["rated"],
    }
