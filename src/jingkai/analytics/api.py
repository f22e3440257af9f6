"""/api/stats/summary, /api/stats/targets and /api/enterprises/{id}/stats.

Scoping as on the pages: zone administrators and department handlers read the zone's aggregates; grid leaders
and officers get the same figures computed over their grids' enterprises only; everyone else gets 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from ninja.errors import ValidationError as NinjaValidationError

from jingkai.analytics import engine, services
from jingkai.analytics.schemas import (
    EnterpriseStatsOut,
    SummaryOut,
    SummaryQuery,
    TargetOut,
)
from jingkai.core import bounds, dates
from jingkai.core.bounds import PathText, Year
from jingkai.enterprises.queries import find_by_id_or_uscc
from jingkai.stats.measures import BY_CODE

# Mounted at /api/stats (summary, targets …) and /api/enterprises (/{id}/stats) in jingkai/api/api.py.
router = Router(tags=["stats"])
enterprise_router = Router(tags=["stats"])


def _rate(value) -> float | None:
    return None if value is None else round(float(value), 6)


def _figures(f: engine.Figures) -> dict:
    return {
        "key": f.key,
        "label": f.label,
        "enterprises": f.enterprises,
        "comparable": f.comparable,
        "month": f.month,
        "cum": f.cum,
        "yoy_month": _rate(f.yoy_month),
        "yoy_cum": _rate(f.yoy_cum),
        "last_year_cum": f.last_year_cum,
    }


def _bad_query(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def _require_access(user) -> None:
    if not engine.may_use(user):
        raise Http404


def _period(text: str | None) -> dt.date:
    if not text:
        latest = services.latest_period()
        if latest is None:
            raise Http404
        return latest
    try:
        return dates.parse_month(text)
    except ValueError:
        raise _bad_query(
            "period",
            _("Give the month as YYYY-MM, between %(low)d-01 and %(high)d-12, e.g. 2022-12.")
            % {"low": bounds.YEAR_MIN, "high": bounds.YEAR_MAX},
        ) from None


@router.get("/summary", response=SummaryOut, summary="Totals, cumulative and comparable YoY by a dimension")
def stats_summary(request, q: Query[SummaryQuery]):
    """Amounts in 元 (energy in 吨标准煤, employees in persons); YoY as fractions on a comparable basis (同口径).

    An enterprise in several chains counts in each chain, so chain rows do not add up to the total.
    """
    user = request.user
    _require_access(user)
    if q.by not in engine.DIMENSIONS:
        raise _bad_query("by", _("Choose one of: %(choices)s.") % {"choices": ", ".join(engine.DIMENSIONS)})
    if q.measure not in BY_CODE:
        raise _bad_query("measure", _("Choose one of: %(choices)s.") % {"choices": ", ".join(BY_CODE)})
    period = _period(q.period)
    result = engine.summary(period, q.by, q.measure, user=user)
    return {
        "period": f"{period:%Y-%m}",
        "by": q.by,
        "measure": q.measure,
        "unit": BY_CODE[q.measure].unit,
        "basis": "comparable",
        "scope": "visible" if result.live else "zone",
        "total": _figures(result.total),
        "items": [_figures(item) for item in result.items],
    }


@router.get(
    "/targets", response=list[TargetOut], summary="Targets of a year with progress and the pace needed"
)
def stats_targets(request, year: Year):
    user = request.user
    if not engine.sees_zone_aggregates(user):
        raise Http404
    result = []
    for p in services.target_progress(year, user=user):
        t = p.target
        member = t.chain or t.group or t.enterprise
        result.append(
            {
                "id": t.pk,
                "title": str(t),
                "scope": t.scope,
                "member": str(member) if member else "",
                "measure": t.measure,
                "year": t.year,
                "kind": t.kind,
                "value": t.value,
                "period": f"{p.period:%Y-%m}",
                "actual": p.actual,
                "goal": p.goal,
                "share": _rate(p.share),
                "time_share": _rate(p.time_share),
                "pace_needed": None if p.pace_needed is None else p.pace_needed.quantize(Decimal("0.01")),
                "on_track": p.on_track,
            }
        )
    return result


@enterprise_router.get(
    "/{ident}/stats", response=EnterpriseStatsOut, summary="An enterprise's monthly statistics with YoY"
)
def enterprise_stats(
    request, ident: PathText, months: Annotated[int, Field(ge=1, le=240, description="Months back")] = 30
):
    enterprise = find_by_id_or_uscc(request.user, ident)  # 404 outside scope
    periods = []
    for entry in services.enterprise_series(enterprise, months):
        periods.append(
            {
                "period": f"{entry['period']:%Y-%m}",
                "measures": {
                    m: {
                        "month": entry[m]["month"],
                        "cum": entry[m]["cum"],
                        "yoy_month": _rate(entry[m]["yoy_month"]),
                        "yoy_cum": _rate(entry[m]["yoy_cum"]),
                    }
                    for m in engine.MEASURES
                },
            }
        )
    return {"id": enterprise.pk, "name": enterprise.name, "periods": periods}
