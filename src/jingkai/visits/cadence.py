"""Which enterprises have not been visited in time, in a fixed number of queries.

The cadence says how often each scale class must be visited (VisitCadence; 规上 every quarter by
default). Periods are calendar periods: a quarter, a half-year or a year. "Not visited in time" for a
day means: due in the period containing that day and with no visit from the period's first day to its
last. 规上 is judged on the latest year with 规上 data, as the coverage check does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from jingkai.core.dates import add_months, month_end
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale
from jingkai.enterprises.queries import latest_scale_year, with_scale
from jingkai.visits.models import (
    DEFAULT_CADENCE,
    PERIOD_MONTHS,
    CadencePeriod,
    ScaleClass,
    Visit,
    VisitCadence,
)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == CadencePeriod.QUARTER:
            return f"{year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == CadencePeriod.HALF_YEAR:
            return f"{year}年{'上' if self.start.month == 1 else '下'}半年"
        return f"{year}年"


def period_containing(kind: str, on: dt.date) -> Period | None:
    months = PERIOD_MONTHS.get(kind)
    if months is None:
        return None
    first_month = (on.month - 1) // months * months + 1
    start = dt.date(on.year, first_month, 1)
    return Period(kind, start, month_end(add_months(start, months - 1)))


def quarter_containing(on: dt.date) -> Period:
    return period_containing(CadencePeriod.QUARTER, on)


def current_cadence() -> dict[str, str]:
    """Scale class → period kind, the administrator's settings over the defaults (one query)."""
    cadence = dict(DEFAULT_CADENCE)
    cadence.update(dict(VisitCadence.objects.values_list("scale_class", "period")))
    return cadence


@dataclass
class Obligations:
    """The due enterprises for a day, and which of them were not visited in their period."""

    year: int | None
    periods: dict[str, Period]  # scale class → its period (classes without a cadence absent)
    due: QuerySet  # enterprises due in their period
    unvisited_q: Q  # over `due`: not visited in the period

    @property
    def not_visited(self) -> QuerySet:
        return self.due.filter(self.unvisited_q)


def obligations(enterprises: QuerySet, on: dt.date) -> Obligations:
    """Build the due/not-visited querysets over already scoped enterprises; nothing is evaluated here."""
    year = latest_scale_year()
    cadence = current_cadence()
    above = AnnualScale.objects.filter(year=year, above_size=True).values("enterprise_id")
    periods = {}
    due_q = Q(pk__in=[])
    unvisited_q = Q(pk__in=[])
    for scale_class, in_class in ((ScaleClass.ABOVE, Q(pk__in=above)), (ScaleClass.BELOW, ~Q(pk__in=above))):
        period = period_containing(cadence.get(scale_class, CadencePeriod.NONE), on)
        if period is None:
            continue
        periods[scale_class] = period
        visited = Visit.objects.filter(visited_on__range=(period.start, period.end)).values("enterprise_id")
        due_q |= in_class
        unvisited_q |= in_class & ~Q(pk__in=visited)
    due = enterprises.filter(status=EnterpriseStatus.OPERATING).filter(due_q)
    return Obligations(year, periods, due, unvisited_q)


def last_visit_subquery(on: dt.date):
    return Subquery(
        Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__lte=on)
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def not_visited_rows(enterprises: QuerySet, on: dt.date) -> QuerySet:
    """Enterprises not visited in time, with above_size and last_visit (the latest visit up to `on`)."""
    duty = obligations(enterprises, on)
    end = max((p.end for p in duty.periods.values()), default=on)
    rows = with_scale(duty.not_visited, duty.year).annotate(last_visit=last_visit_subquery(end))
    return rows.select_related("grid", "community").order_by("grid__number", "community__number", "name")


def summary_by_area(enterprises: QuerySet, on: dt.date, area: str = "grid") -> list[dict]:
    """Per grid (or community): enterprises due, visited, not visited; one query."""
    duty = obligations(enterprises, on)
    rows = (
        duty.due.order_by()
        .values(f"{area}_id", f"{area}__code", f"{area}__name")
        .annotate(due=Count("pk"), not_visited=Count("pk", filter=duty.unvisited_q))
        .order_by(f"{area}__number")
    )
    out = []
    for row in rows:
        out.append(
            {
                "id": row[f"{area}_id"],
                "code": row[f"{area}__code"],
                "name": row[f"{area}__name"],
                "due": row["due"],
                "not_visited": row["not_visited"],
                "visited": row["due"] - row["not_visited"],
            }
        )
    return out
