"""The project ledger as .xlsx (the import's own format, so an export imports back unchanged) and the city's
monthly report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from jingkai.core.dates import month_end
from jingkai.core.money import WAN, to_wan
from jingkai.core.xlsx import WorkbookBuilder, export_response
from jingkai.investment import services
from jingkai.investment.importers import COLUMNS, REFERENCES, STAGE_WORDS, UNIT_WORDS
from jingkai.investment.models import Figure, Project, Target


def project_ledger(queryset):
    """The projects of a scoped, filtered queryset in the ledger's import format (one query for the rows)."""
    stamp = services.today().strftime("%Y%m%d")
    return export_response(
        queryset.select_related(*REFERENCES).iterator(chunk_size=2000),
        [c.xlsx() for c in COLUMNS],
        sheet="招商项目台账",
        file_name=f"招商项目台账-{stamp}.xlsx",
    )


# --- The city's monthly report ---------------------------------------------------------------------

FIGURE_UNITS = {
    Figure.APPROVED: "个",
    Figure.CONTRACT_FOREIGN: "亿美元",
    Figure.FOREIGN_ARRIVED: "亿美元",
    Figure.KEY_PROJECTS: "个",
    Figure.DOMESTIC_ARRIVED: "亿元",
    Figure.ABOVE_YI: "个",
}


def _in_units(figure: str, value) -> Decimal | int:
    if FIGURE_UNITS[figure] in ("亿美元", "亿元"):
        return (Decimal(value) / (WAN * WAN)).quantize(Decimal("0.01"))
    return int(value)


def monthly_report(user, year: int, month: int, zone_name: str = "") -> bytes:
    """One sheet: the six figures for the month and year to date (with the year's target), then the month's projects."""
    months = services.monthly(user, year)
    current = months[month - 1]
    targets = dict(Target.objects.filter(year=year).values_list("figure", "value"))
    builder = WorkbookBuilder()
    sheet = builder.book.add_worksheet(f"{year}年{month}月")
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 6, 14)
    sheet.write(0, 0, f"{zone_name}招商引资工作月报（{year}年{month}月）", builder.title_format)
    headers = ["指标", "单位", "本月", f"1-{month}月累计", "全年目标", "完成率"]
    for col, header in enumerate(headers):
        sheet.write_string(2, col, header, builder.header_format)
    for index, figure in enumerate(Figure, start=3):
        target = targets.get(figure.value)
        to_date = _in_units(figure, current["to_date"][figure]["value"])
        target_in_units = _in_units(figure, target) if target is not None else None
        builder.write_cell(sheet, index, 0, str(figure.label))
        builder.write_cell(sheet, index, 1, FIGURE_UNITS[figure])
        builder.write_cell(
            sheet, index, 2, _in_units(figure, current["month_figures"][figure]["value"]), "number"
        )
        builder.write_cell(sheet, index, 3, to_date, "number")
        builder.write_cell(sheet, index, 4, target_in_units, "number")
        rate = f"{Decimal(to_date) / target_in_units * 100:.1f}%" if target_in_units else "—"
        builder.write_cell(sheet, index, 5, rate)
    start = 3 + len(Figure) + 2
    sheet.write(start - 1, 0, "本月项目", builder.title_format)
    first, last = dt.date(year, month, 1), month_end(dt.date(year, month, 1))
    project_headers = [
        "项目编号",
        "项目名称",
        "投资方",
        "国别",
        "阶段",
        "总投资",
        "币种/单位",
        "合同外资（万美元）",
        "签约日期",
        "报批日期",
        "开工日期",
    ]
    for col, header in enumerate(project_headers):
        sheet.write_string(start, col, header, builder.header_format)
    rows = Project.objects.visible_to(user).filter(_any_date_between(first, last)).order_by("code")
    for offset, p in enumerate(rows, start=1):
        cells = [
            p.code,
            p.name,
            p.investor,
            p.country_name,
            STAGE_WORDS[p.stage],
            to_wan(p.total_investment),
            UNIT_WORDS.get(p.total_investment_currency),
            to_wan(p.contract_foreign_capital),
            p.contract_on,
            p.approval_on,
            p.started_on,
        ]
        kinds = ["text"] * 5 + ["number", "text", "number", "date", "date", "date"]
        for col, (value, kind) in enumerate(zip(cells, kinds, strict=True)):
            builder.write_cell(sheet, start + offset, col, value, kind)
    return builder.to_bytes()


def _any_date_between(first, last):
    q = Q()
    for field in ("contract_on", "approval_on", "started_on", "production_on", "key_project_on"):
        q |= Q(**{f"{field}__range": (first, last)})
    return q
