"""The grid dashboard's figures: visits against the cadence, demands (demands.metrics), month by month.

Every figure comes from rows the user may see, in a fixed number of queries whatever the grid's size.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncMonth

from jingkai.core.dates import month_end, months_back
from jingkai.enterprises.models import Enterprise
from jingkai.visits import cadence
from jingkai.visits.models import Visit, VisitKind

MONTHS = 12
NOT_VISITED_SHOWN = 20


def _month_key(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%Y-%m")


def grid_figures(grid, user, on: dt.date) -> dict:
    from jingkai.demands.metrics import demand_summary
    from jingkai.demands.models import Demand

    enterprises = Enterprise.objects.visible_to(user).filter(grid=grid)
    duty = cadence.obligations(enterprises, on)
    quarter = cadence.quarter_containing(on)
    due = duty.due.count()
    not_visited = duty.not_visited.count()
    visits = Visit.objects.visible_to(user).filter(grid=grid)
    quarter_visits = visits.filter(visited_on__range=(quarter.start, quarter.end))
    visited_enterprises = quarter_visits.values("enterprise_id").distinct().count()

    demands = Demand.objects.visible_to(user).filter(enterprise__in=enterprises.values("pk"))
    summary = demand_summary(demands, today=on)

    months = months_back(on, MONTHS)
    first = months[0]
    labels = [m.strftime("%Y-%m") for m in months]
    by_kind = {kind: dict.fromkeys(labels, 0) for kind in VisitKind.values}
    for row in (
        visits.filter(visited_on__gte=first, visited_on__lte=month_end(on))
        .annotate(month=TruncMonth("visited_on"))
        .order_by()
        .values("month", "kind")
        .annotate(n=Count("pk"))
    ):
        key = _month_key(row["month"])
        if key in by_kind.get(row["kind"], {}):
            by_kind[row["kind"]][key] = row["n"]
    submitted = dict.fromkeys(labels, 0)
    closed = dict.fromkeys(labels, 0)
    for field, target in (("submitted_at", submitted), ("closed_at", closed)):
        for row in (
            demands.filter(**{f"{field}__date__gte": first, f"{field}__date__lte": month_end(on)})
            .annotate(month=TruncMonth(field))
            .order_by()
            .values("month")
            .annotate(n=Count("pk"))
        ):
            key = _month_key(row["month"])
            if key in target:
                target[key] += row["n"]
    table = [
        [month, *(by_kind[kind][month] for kind in VisitKind.values), submitted[month], closed[month]]
        for month in labels
    ]
    return {
        "table": table,
        "quarter": quarter,
        "periods": duty.periods,
        "due": due,
        "not_visited": not_visited,
        "visited_due": due - not_visited,
        "coverage_rate": (due - not_visited) / due if due else None,
        "quarter_visits": quarter_visits.count(),
        "visited_enterprises": visited_enterprises,
        "not_visited_rows": list(cadence.not_visited_rows(enterprises, on)[:NOT_VISITED_SHOWN]),
        "demands": summary,
        "chart": {
            "months": labels,
            "visits": [
                {"kind": kind, "label": str(label), "data": list(by_kind[kind].values())}
                for kind, label in VisitKind.choices
            ],
            "submitted": list(submitted.values()),
            "closed": list(closed.values()),
        },
    }
