"""Excel workbooks of the visit pages: the two lists through core.xlsx.export_response, the grid dashboard's
figures as a two-sheet report; typed cells, one query per sheet."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.xlsx import WorkbookBuilder, XlsxColumn, export_response

EXPORT_LIMIT = 100_000


def _visitors(visit) -> str:
    return "、".join(str(u) for u in visit.visitors.all())


VISIT_COLUMNS = [
    XlsxColumn(gettext_lazy("Visited on"), "date", 12, value=lambda v: v.visited_on),
    XlsxColumn(gettext_lazy("Enterprise"), "text", 36, value=lambda v: v.enterprise.name),
    XlsxColumn(gettext_lazy("Unified social credit code"), "text", 22, value=lambda v: v.enterprise.uscc),
    XlsxColumn(gettext_lazy("Grid"), "text", 14, value=lambda v: v.grid.name if v.grid else ""),
    XlsxColumn(gettext_lazy("Kind"), "text", 12, value=lambda v: v.get_kind_display()),
    XlsxColumn(gettext_lazy("Visitors"), "text", 24, value=_visitors),
    XlsxColumn(gettext_lazy("Policies publicised"), "text", 40, value=lambda v: v.policies),
    XlsxColumn(gettext_lazy("Policy tags"), "text", 24, value=lambda v: "、".join(v.policy_tags or [])),
]
NOTES_COLUMN = XlsxColumn(gettext_lazy("Notes"), "text", 40, value=lambda v: v.notes)

NOT_VISITED_COLUMNS = [
    XlsxColumn(gettext_lazy("Enterprise"), "text", 36, value=lambda e: e.name),
    XlsxColumn(gettext_lazy("Unified social credit code"), "text", 22, value=lambda e: e.uscc),
    XlsxColumn(gettext_lazy("Grid"), "text", 14, value=lambda e: e.grid.name if e.grid else ""),
    XlsxColumn(
        gettext_lazy("Community"), "text", 14, value=lambda e: e.community.name if e.community else ""
    ),
    XlsxColumn(gettext_lazy("Scale"), "text", 10, value=lambda e: "规上" if e.above_size else "规下"),
    XlsxColumn(gettext_lazy("Last visit"), "date", 12, value=lambda e: e.last_visit),
]


def visit_log(visits, *, show_notes: bool):
    """The visits of a scoped, filtered queryset (notes only for who may read them)."""
    columns = [*VISIT_COLUMNS, NOTES_COLUMN] if show_notes else VISIT_COLUMNS
    rows = visits.select_related("enterprise", "grid").prefetch_related("visitors")[:EXPORT_LIMIT]
    stamp = timezone.localdate().strftime("%Y%m%d")
    return export_response(rows, columns, sheet=_("Visits"), file_name=f"{_('Visit log')}-{stamp}.xlsx")


def not_visited(rows, on):
    """The enterprises not visited in time on a day (rows: cadence.not_visited_rows)."""
    return export_response(
        rows[:EXPORT_LIMIT],
        NOT_VISITED_COLUMNS,
        sheet=_("Not visited in time"),
        file_name=f"{_('Not visited in time')}-{on:%Y%m%d}.xlsx",
    )


def _pct(value):
    return round(100 * value, 1) if value is not None else None


def dashboard_workbook(grid, figures: dict) -> bytes:
    demands = figures["demands"]
    book = WorkbookBuilder()
    book.add_table(
        _("Figures"),
        [XlsxColumn(_("Figure"), "text", 36), XlsxColumn(_("Value"), "number", 16)],
        [
            [_("Grid"), grid.name],
            [_("Quarter"), figures["quarter"].label],
            [_("Enterprises due a visit"), figures["due"]],
            [_("Due enterprises visited"), figures["visited_due"]],
            [_("Not visited in time"), figures["not_visited"]],
            [_("Visits this quarter"), figures["quarter_visits"]],
            [_("Enterprises visited this quarter"), figures["visited_enterprises"]],
            [_("Demands"), demands["total"]],
            [_("Open demands"), demands["open"]],
            [_("Overdue demands"), demands["overdue"]],
            [_("Closure rate (%)"), _pct(demands["closure_rate"])],
            [_("On-time rate (%)"), _pct(demands["on_time_rate"])],
            [
                _("Average closure time (working days)"),
                round(demands["avg_closure_working_days"], 1)
                if demands["avg_closure_working_days"] is not None
                else None,
            ],
            [_("Satisfaction (%)"), _pct(demands["satisfaction_rate"])],
            [_("Rated demands"), demands["rated"]],
        ],
    )
    chart = figures["chart"]
    columns = [XlsxColumn(_("Month"), "text", 10)]
    columns += [XlsxColumn(series["label"], "integer", 12) for series in chart["visits"]]
    columns += [
        XlsxColumn(_("Demands submitted"), "integer", 12),
        XlsxColumn(_("Demands closed"), "integer", 12),
    ]
    book.add_table(_("By month"), columns, figures["table"])
    return book.to_bytes()
