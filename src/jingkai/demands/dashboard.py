"""The zone dashboard's figures: overall, by department, by category, month by month (fixed queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from jingkai.core.dates import add_months
from jingkai.demands.metrics import demand_summary
from jingkai.demands.models import FINAL_STATES, SATISFIED_MIN, DemandCategory, DemandState


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


GROUP_COUNTS = {
    "total": Count("pk"),
    "closed": Count("pk", filter=Q(state=DemandState.CLOSED)),
    "countable": Count("pk", filter=~Q(state__in=(DemandState.REJECTED, DemandState.MERGED))),
    "on_time": Count("pk", filter=Q(state=DemandState.CLOSED, ever_overdue=False)),
    "rated": Count("pk", filter=Q(rating__isnull=False)),
    "satisfied": Count("pk", filter=Q(rating__gte=SATISFIED_MIN)),
    "open": Count("pk", filter=~Q(state__in=FINAL_STATES)),
}


def _with_rates(row: dict) -> dict:
    row["closure_rate"] = _rate(row["closed"], row["countable"])
    row["on_time_rate"] = _rate(row["on_time"], row["closed"])
    row["satisfaction_rate"] = _rate(row["satisfied"], row["rated"])
    return row


def build(demands, *, today: dt.date, months: int = 12) -> dict:
    start = add_months(today, -(months - 1))
    summary = demand_summary(demands, today=today)
    by_department = [
        _with_rates(row)
        for row in demands.exclude(department__isnull=True)
        .values("department__name")
        .annotate(**GROUP_COUNTS)
        .order_by("-total")
    ]
    # Top-level categories: a sub-category counts towards its parent.
    roots = {c.pk: (c.parent_id or c.pk) for c in DemandCategory.objects.only("pk", "parent_id")}
    names = dict(DemandCategory.objects.values_list("pk", "name"))
    per_category: dict[int, dict] = {}
    for row in demands.values("category_id").annotate(**GROUP_COUNTS).order_by():
        root = roots.get(row.pop("category_id"))
        acc = per_category.setdefault(root, {"name": names.get(root, "?"), **dict.fromkeys(GROUP_COUNTS, 0)})
        for key in GROUP_COUNTS:
            acc[key] += row[key]
    by_category = sorted((_with_rates(v) for v in per_category.values()), key=lambda r: -r["total"])
    monthly_rows = {
        row["month"].date() if hasattr(row["month"], "date") else row["month"]: _with_rates(row)
        for row in demands.filter(submitted_at__date__gte=start)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(**GROUP_COUNTS)
        .order_by("month")
    }
    labels, submitted, closure, on_time, satisfaction = [], [], [], [], []
    for back in range(months - 1, -1, -1):
        month = add_months(today, -(back))
        row = monthly_rows.get(month, {})
        labels.append(f"{month:%Y-%m}")
        submitted.append(row.get("total", 0))
        closure.append(row.get("closure_rate"))
        on_time.append(row.get("on_time_rate"))
        satisfaction.append(row.get("satisfaction_rate"))
    chart = {
        "labels": labels,
        "series": [
            {"name": _("Demands filed"), "type": "bar", "data": submitted, "yAxisIndex": 0},
            {"name": _("Closure rate"), "type": "line", "data": closure, "yAxisIndex": 1},
            {"name": _("On-time rate"), "type": "line", "data": on_time, "yAxisIndex": 1},
            {"name": _("Satisfaction rate"), "type": "line", "data": satisfaction, "yAxisIndex": 1},
        ],
    }
    return {
        "summary": summary,
        "by_department": by_department,
        "by_category": by_category,
        "chart": chart,
        "start": start,
    }
