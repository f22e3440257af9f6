"""Excel workbooks of the visit pages (core.xlsx.WorkbookBuilder): typed cells, one query per sheet."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingkai.core.xlsx import WorkbookBuilder, XlsxColumn

EXPORT_LIMIT = 100_000


def visits_workbook(visits, *, show_notes: bool) -> bytes:
    columns = [
        XlsxColumn(_("Visited on"), "date", 12),
        XlsxColumn(_("Enterprise"), "text", 36),
        XlsxColumn(_("Unified social credit code"), "text", 22),
        XlsxColumn(_("Grid"), "text", 14),
        XlsxColumn(_("Kind"), "text", 12),
        XlsxColumn(_("Visitors"), "text", 24),
        XlsxColumn(_("Policies publicised"), "text", 40),
        XlsxColumn(_("Policy tags"), "text", 24),
    ]
    if show_notes:
        columns.append(XlsxColumn(_("Notes"), "text", 40))
    rows = visits.select_related("enterprise", "grid").prefetch_related("visitors")[:EXPORT_LIMIT]

    def values():
        for visit in rows:
            line = [
                visit.visited_on,
                visit.enterprise.name,
                visit.enterprise.uscc,
                visit.grid.name if visit.grid else "",
                visit.get_kind_display(),
                "、".join(str(u) for u in visit.visitors.all()),
                visit.policies,
                "、".join(visit.policy_tags or []),
            ]
            if show_notes:
                line.append(visit.notes)
            yield line

    book = WorkbookBuilder()
    book.add_table(_("Visits"), columns, values())
    return book.to_bytes()


def not_visited_workbook(rows, on) -> bytes:
    columns = [
        XlsxColumn(_("Enterprise"), "text", 36),
        XlsxColumn(_("Unified social credit code"), "text", 22),
        XlsxColumn(_("Grid"), "text", 14),
        XlsxColumn(_("Community"), "text", 14),
        XlsxColumn(_("Scale"), "text", 10),
        XlsxColumn(_("Last visit"), "date", 12),
    ]
    book = WorkbookBuilder()
    book.add_table(
        _("Not visited in time"),
        columns,
        (
            [
                e.name,
                e.uscc,
                e.grid.name if e.grid else "",
                e.community.name if e.community else "",
                "规上" if e.above_size else "规下",
                e.last_visit,
            ]
            for e in rows[:EXPORT_LIMIT]
        ),
    )
    return book.to_bytes()


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
