"""Economic-operation (经济运行) pages: zone overview, a breakdown by dimension, a grid's view, the enterprise
trend panel, and every chart's table as .xlsx. Thin views: the figures come from engine and services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.analytics import engine, services
from jingkai.core import bounds, dates
from jingkai.core.models import Role
from jingkai.core.money import YI
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import XlsxColumn, audited_download, export_response
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import Grid
from jingkai.stats.measures import BY_CODE, MEASURE_LIST

BREAKDOWNS = ("chain", "grid", "origin", "park", "group")
CACHE_SECONDS = 600


def _require_access(request) -> None:
    if not engine.may_use(request.user):
        raise Http404


def _choices(request) -> tuple[dt.date | None, str]:
    """The period (?period=2022-12, else the latest) and measure (?measure=output) a page shows."""
    measure = request.GET.get("measure", "output")
    if measure not in BY_CODE:
        measure = "output"
    period = None
    if request.GET.get("period"):
        try:
            period = dates.parse_month(request.GET["period"])
        except ValueError:
            # Said on the page (never a silently different month without a word), then the latest is shown.
            messages.warning(request, f"{period_message()} {_('The latest month is shown.')}")
            period = None
    return period or services.latest_period(), measure


def period_message() -> str:
    return _("Give the month as YYYY-MM, between %(low)d-01 and %(high)d-12.") % {
        "low": bounds.YEAR_MIN,
        "high": bounds.YEAR_MAX,
    }


def amount(value, measure: str) -> Decimal | None:
    """A figure in the unit the dashboards write it in: 亿元 for money, else as stored."""
    if value is None:
        return None
    value = Decimal(value)
    if BY_CODE[measure].is_money:
        return (value / YI).quantize(Decimal("0.01"))
    return value.quantize(Decimal("1"))


def unit_label(measure: str) -> str:
    unit = BY_CODE[measure].unit
    return {
        "money": _("100 million yuan"),
        "energy": _("tonnes of standard coal"),
        "headcount": _("persons"),
    }[unit]


def percent(rate) -> Decimal | None:
    return None if rate is None else (Decimal(rate) * 100).quantize(Decimal("0.01"))


def _rows(figures: list[engine.Figures], measure: str) -> list[dict]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "enterprises": f.enterprises,
            "month": amount(f.month, measure),
            "cum": amount(f.cum, measure),
            "yoy_month": percent(f.yoy_month),
            "yoy_cum": percent(f.yoy_cum),
        }
        for f in figures
    ]


def _chart(rows: list[dict], measure: str, bars: str = "cum", kind: str = "bar") -> dict:
    """What static/js/charts.js draws as "bar-line": bars of an amount and a line of the comparable YoY (%)."""
    return {
        "kind": kind,
        "names": [r["label"] for r in rows],
        "bars": [None if r[bars] is None else float(r[bars]) for r in rows],
        "line": [None if r["yoy_cum"] is None else float(r["yoy_cum"]) for r in rows],
        "unit": unit_label(measure),
        "barName": _("This month") if bars == "month" else _("Cumulative"),
        "lineName": _("Cumulative YoY (%)"),
        "lineUnit": "%",
    }


def _base_context(request, period, measure) -> dict:
    return {
        "period": period,
        "measure": measure,
        "measure_label": BY_CODE[measure].label,
        "unit": unit_label(measure),
        "measures": MEASURE_LIST,
        "periods": services.available_periods(),
        "zone_wide": engine.sees_zone_aggregates(request.user),
        "breakdowns": [(b, engine.member_labels_title(b)) for b in BREAKDOWNS],
    }


@login_required
@require_GET
def overview(request):
    _require_access(request)
    period, measure = _choices(request)
    user = request.user
    # Zone-wide users' figures change only when the rollups or the targets do: their page body is cached under
    # a key naming that state (rollups are rebuilt with new ids), so a refresh or a target edit shows at once.
    key = None
    if engine.sees_zone_aggregates(user) and period is not None:
        scope = "admin" if user.is_zone_admin else f"user{user.pk}"  # top enterprises depend on the scope
        key = f"analytics:overview:{services.generation()}:{period:%Y-%m}:{measure}:{scope}:{get_language()}"
        body = cache.get(key)
        if body is not None:
            return render(request, "analytics/overview.html", {"body": body})
    context = _base_context(request, period, measure)
    if period is not None:
        chains = engine.summary(period, "chain", measure, user=user)
        origins = engine.summary(period, "origin", measure, user=user)
        trend = engine.series(period.year, measure, user=user)
        context.update(
            total=_rows([chains.total], measure)[0],
            last_year_cum=amount(chains.total.last_year_cum, measure),
            chains=_rows(chains.items, measure),
            origins=_rows(origins.items, measure),
            trend=_rows(trend, measure),
            top=[
                {**t, "cum": amount(t["cum"], measure), "yoy": percent(t["yoy"])}
                for t in services.top_enterprises(user, period, measure)
            ],
            live=chains.live,
        )
        context["charts"] = {
            "chain_chart": _chart(context["chains"], measure),
            "origin_chart": _chart(context["origins"], measure, kind="pie"),
            "trend_chart": _chart(context["trend"], measure, bars="month"),
        }
        if context["zone_wide"]:
            context["targets"] = [
                _progress_row(p) for p in services.target_progress(period.year, period, user=request.user)
            ]
            context["hundred_yi"] = services.hundred_yi(period, user)
    body = render_to_string("analytics/_overview_body.html", context, request)
    if key is not None:
        cache.set(key, body, CACHE_SECONDS)
    return render(request, "analytics/overview.html", {"body": body})


def _progress_row(p: services.Progress) -> dict:
    t = p.target
    measure = t.measure
    return {
        "title": str(t),
        "member": t.chain or t.group or t.enterprise or "",
        "kind": t.get_kind_display(),
        "value": amount(t.value, measure),
        "goal": amount(p.goal, measure),
        "actual": amount(p.actual, measure),
        "share": percent(p.share),
        "time_share": percent(p.time_share),
        "pace_needed": amount(p.pace_needed, measure),
        "pace_so_far": amount(p.pace_so_far, measure),
        "on_track": p.on_track,
        "months_left": p.months_left,
        "unit": unit_label(measure),
    }


@login_required
@require_GET
def breakdown(request, by: str):
    _require_access(request)
    if by not in BREAKDOWNS:
        raise Http404
    period, measure = _choices(request)
    context = _base_context(request, period, measure)
    context["by"] = by
    # Grid pages open for the grids a user may see (Grid.visible_to): none for department handlers, who see
    # the zone's aggregates only.
    context["by_is_grid"] = by == "grid" and (
        request.user.is_zone_admin or request.user.role in (Role.GRID_LEADER, Role.GRID_OFFICER)
    )
    context["by_label"] = engine.member_labels_title(by)
    if period is not None:
        result = engine.summary(period, by, measure, user=request.user)
        items = _rows(result.items, measure)
        context.update(total=_rows([result.total], measure)[0], breakdown_rows=items, live=result.live)
        context["charts"] = {"breakdown_chart": _chart(items, measure)}
    return render(request, "analytics/breakdown.html", context)


@login_required
@require_GET
def grid_view(request, pk: int):
    _require_access(request)
    grid = get_visible_or_404(Grid.objects.all(), request.user, pk=pk)  # a grid leader sees only their grids
    period, measure = _choices(request)
    context = _base_context(request, period, measure)
    context["grid"] = grid
    if period is not None:
        members = Enterprise.objects.filter(grid=grid)
        result = engine.summary(period, "chain", measure, user=request.user, enterprises=members)
        trend = engine.series(period.year, measure, user=request.user, enterprises=members)
        top = services.top_enterprises(request.user, period, measure, limit=20, enterprises=members)
        context.update(
            total=_rows([result.total], measure)[0],
            chains=_rows(result.items, measure),
            trend=_rows(trend, measure),
            top=[{**t, "cum": amount(t["cum"], measure), "yoy": percent(t["yoy"])} for t in top],
        )
        context["charts"] = {
            "chain_chart": _chart(context["chains"], measure),
            "trend_chart": _chart(context["trend"], measure, bars="month"),
        }
    return render(request, "analytics/grid.html", context)


@login_required
@require_GET
def enterprise_panel(request, pk: int):
    """The trend panel of an enterprise profile (loaded by htmx, so the profile's own queries do not change)."""
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    # The chart shows the last 30 months; the table every year on record (up to ten), from the same one query.
    on_record = services.enterprise_series(enterprise, 120)
    series = on_record[-30:]
    trend = [
        {
            "label": f"{entry['period']:%Y-%m}",
            "period": entry["period"],
            "month": amount(entry["output"]["month"], "output"),
            "cum": amount(entry["output"]["cum"], "output"),
            "yoy_cum": percent(entry["output"]["yoy_cum"]),
        }
        for entry in series
    ]
    years = [
        {**y, "cum": amount(y["cum"], "output"), "yoy": percent(y["yoy"])}
        for y in services.year_figures(on_record)
    ]
    chart = _chart(trend, "output", bars="month")
    return render(
        request,
        "analytics/enterprise_panel.html",
        {"enterprise": enterprise, "trend": trend, "years": years, "chart": chart},
    )


# --- .xlsx downloads of every chart's table ------------------------------------------------------------------


def _xlsx(request, name: str, columns: list[XlsxColumn], rows: list[list]) -> HttpResponse:
    return audited_download(
        request, export_response(rows, columns, sheet=name[:31], file_name=f"{name}.xlsx")
    )


def _figure_columns(first: str, measure: str) -> list[XlsxColumn]:
    unit = unit_label(measure)
    return [
        XlsxColumn(first, width=24),
        XlsxColumn(_("Enterprises"), "integer"),
        XlsxColumn(_("This month (%(unit)s)") % {"unit": unit}, "number"),
        XlsxColumn(_("Cumulative (%(unit)s)") % {"unit": unit}, "number"),
        XlsxColumn(_("Month YoY (%)"), "number"),
        XlsxColumn(_("Cumulative YoY (%)"), "number"),
    ]


def _figure_values(rows: list[dict]) -> list[list]:
    return [[r["label"], r["enterprises"], r["month"], r["cum"], r["yoy_month"], r["yoy_cum"]] for r in rows]


@login_required
@require_GET
def export(request, kind: str):
    """The table behind a chart: by/<dimension>, trend, top, targets; grid=<id> narrows to a grid."""
    _require_access(request)
    if request.GET.get("period"):
        try:
            dates.parse_month(request.GET["period"])
        except ValueError:
            # An export answers 400 for a bad parameter (core.filtersets.refuse_invalid), never another month.
            return HttpResponseBadRequest(period_message())
    period, measure = _choices(request)
    if period is None:
        raise Http404
    user = request.user
    enterprises = None
    suffix = ""
    if request.GET.get("grid"):
        try:
            grid = get_visible_or_404(Grid.objects.all(), user, pk=int(request.GET["grid"]))
        except ValueError:
            raise Http404 from None
        enterprises = Enterprise.objects.filter(grid=grid)
        suffix = f"-{grid.code}"
    label = f"{BY_CODE[measure].label}{period:%Y-%m}{suffix}"
    if kind in BREAKDOWNS:
        result = engine.summary(period, kind, measure, user=user, enterprises=enterprises)
        rows = _rows([*result.items], measure)
        total = _rows([result.total], measure)[0]
        total["label"] = _("Total")
        title = engine.member_labels_title(kind)
        return _xlsx(
            request, f"{title}-{label}", _figure_columns(title, measure), _figure_values([*rows, total])
        )
    if kind == "trend":
        rows = _rows(engine.series(period.year, measure, user=user, enterprises=enterprises), measure)
        return _xlsx(
            request,
            f"{_('Monthly trend')}-{label}",
            _figure_columns(_("Month"), measure),
            _figure_values(rows),
        )
    if kind == "top":
        top = services.top_enterprises(user, period, measure, limit=50, enterprises=enterprises)
        columns = [
            XlsxColumn(_("Enterprise"), width=36),
            XlsxColumn(_("Cumulative (%(unit)s)") % {"unit": unit_label(measure)}, "number"),
            XlsxColumn(_("Cumulative YoY (%)"), "number"),
        ]
        rows = [[t["name"], amount(t["cum"], measure), percent(t["yoy"])] for t in top]
        return _xlsx(request, f"{_('Top enterprises')}-{label}", columns, rows)
    if kind == "targets" and engine.sees_zone_aggregates(user):
        columns = [
            XlsxColumn(_("Target"), width=30),
            XlsxColumn(_("Goal"), "number"),
            XlsxColumn(_("Actual"), "number"),
            XlsxColumn(_("Progress (%)"), "number"),
            XlsxColumn(_("Time elapsed (%)"), "number"),
            XlsxColumn(_("Needed per remaining month"), "number"),
            XlsxColumn(_("Unit"), width=16),
        ]
        rows = [
            [r["title"], r["goal"], r["actual"], r["share"], r["time_share"], r["pace_needed"], r["unit"]]
            for r in map(_progress_row, services.target_progress(period.year, period, user=request.user))
        ]
        return _xlsx(request, f"{_('Year targets')}-{period:%Y-%m}", columns, rows)
    raise Http404
