"""The evaluation's .xlsx exports (core.xlsx.export_response): the published list and the annual inputs.

- ``results_export(run, queryset)``: the list in the layout of the official table (序号, 企业名称, 统一社会信用代码,
  规上/规下, per indicator of the run's frozen method its value and its points, headed with the indicator's name
  and unit, 加分, 减分, 综合得分, 排名, 分类: the class, or 不分类 / 不参评 with the reason); the queryset is the
  results list's FilterSet queryset (scoped and filtered by the view);
- ``inputs_export(year, queryset)``: the year's input rows in the import's own columns (so the file imports back),
  each figure followed by its source (统计月报, 企业名录, 导入 #12, 人工更正 …).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jingkai.core.xlsx import XlsxColumn, export_response
from jingkai.evaluation.choices import Population, ResultStatus
from jingkai.evaluation.importers import COLUMNS, MEASURE, source_label
from jingkai.evaluation.method import Method

EXPORT_LIMIT = 100_000

# The reason codes of the shipped methods (a method may name others: they are shown as written).
REASONS = {
    "young": lambda: _("founded too recently"),
    "under_construction": lambda: _("under construction"),
    "utility": lambda: _("public utility"),
    "excluded_industry": lambda: _("industry not evaluated"),
    "land_below_minimum": lambda: _("land below the minimum"),
    "no_land": lambda: _("no land used"),
}


def reason_label(reason: str, method: Method | None = None) -> str:
    """A result's reason as words: “founded too recently”, “missing data: 亩均税收” …"""
    if not reason:
        return ""
    if reason in REASONS:
        return REASONS[reason]()
    kind, _sep, code = reason.partition(":")
    names = _indicator_names(method)
    if kind == "missing" and code:
        return _("missing data: %(indicator)s") % {"indicator": names.get(code, code)}
    if kind == "zero_denominator" and code:
        return _("divides by zero: %(indicator)s") % {"indicator": names.get(code, code)}
    return reason


def _indicator_names(method: Method | None) -> dict[str, str]:
    if method is None:
        return {}
    return {ind.code: ind.name for part in method.populations.values() for ind in part.indicators}


def class_label(result, method: Method | None = None) -> str:
    """分类: the class (A, B …), or 不分类 / 不参评 with the reason."""
    if result.status == ResultStatus.CLASSED and result.grade:
        return result.grade
    reason = reason_label(result.reason, method)
    if result.status == ResultStatus.NOT_CLASSED:
        word = pgettext("evaluation class", "Not classed")
    else:
        word = (
            str(ResultStatus(result.status).label) if result.status in ResultStatus.values else result.status
        )
    return _("%(word)s (%(reason)s)") % {"word": word, "reason": reason} if reason else word


def _population(value: str) -> str:
    return str(Population(value).label) if value in Population.values else value


def _indicator_columns(method: Method) -> list[XlsxColumn]:
    """Value and points of every indicator of the method, in its order (规上 first); an indicator code the two
    populations share is one pair of columns."""
    columns, seen = [], set()
    for part in method.populations.values():
        for ind in part.indicators:
            if ind.code in seen:
                continue
            seen.add(ind.code)
            header = _("%(name)s (%(unit)s)") % {"name": ind.name, "unit": ind.unit} if ind.unit else ind.name
            columns.append(XlsxColumn(header, "number", 14, value=_indicator(ind.code, "value")))
            columns.append(
                XlsxColumn(
                    _("%(name)s points") % {"name": ind.name},
                    "number",
                    10,
                    value=_indicator(ind.code, "points"),
                )
            )
    return columns


def _indicator(code: str, key: str):
    def value(numbered):
        return ((numbered[1].indicators or {}).get(code) or {}).get(key)

    return value


def result_columns(method: Method) -> list[XlsxColumn]:
    return [
        XlsxColumn(_("No."), "integer", 6, value=lambda n: n[0]),
        XlsxColumn(_("Enterprise name"), "text", 32, value=lambda n: n[1].enterprise.name),
        XlsxColumn(_("Unified social credit code"), "text", 22, value=lambda n: n[1].enterprise.uscc),
        XlsxColumn(
            _("Above/below designated size"), "text", 10, value=lambda n: _population(n[1].population)
        ),
        *_indicator_columns(method),
        XlsxColumn(_("Bonus"), "number", 8, value=lambda n: n[1].bonus),
        XlsxColumn(_("Penalty"), "number", 8, value=lambda n: n[1].penalty),
        XlsxColumn(_("Total score"), "number", 10, value=lambda n: n[1].total),
        XlsxColumn(_("Rank"), "integer", 8, value=lambda n: n[1].rank),
        XlsxColumn(pgettext("evaluation", "Class"), "text", 24, value=lambda n: class_label(n[1], method)),
    ]


def results_export(run, queryset):
    """The run's results (the list's scoped, filtered queryset) as the official table."""
    method = run.frozen_method()
    rows = enumerate(queryset.select_related("enterprise")[:EXPORT_LIMIT], start=1)
    return export_response(
        rows,
        result_columns(method),
        sheet=_("%(year)s results") % {"year": run.year},
        file_name=f"{_('Per-mu benefit evaluation %(year)s') % {'year': run.year}}.xlsx",
    )


# --- the inputs --------------------------------------------------------------------------------------------


def _figure(key: str):
    if key.startswith("flag_"):
        name = key.removeprefix("flag_")
        yes_no = MEASURE[key].kind == "yes_no"

        def flag(row):
            value = (row.flags or {}).get(name)
            if value is None:
                return None
            return ("是" if value else "否") if yes_no else int(value)

        return flag
    return lambda row: getattr(row, key)


def _source(key: str):
    def source(row):
        written = (row.sources or {}).get(key, "")
        return source_label(written) if written else ""

    return source


def input_columns() -> list[XlsxColumn]:
    """The import's columns (same headers and units, so the file imports back), each figure with its source."""
    columns = [
        XlsxColumn(COLUMNS[0].header, "text", 22, True, value=lambda row: row.enterprise.uscc),
        XlsxColumn(COLUMNS[1].header, "text", 30, value=lambda row: row.enterprise.name),
        XlsxColumn(
            _("Above/below designated size"), "text", 10, value=lambda row: _population(row.population)
        ),
        XlsxColumn(_("Industry code"), "text", 10, value=lambda row: row.industry),
        XlsxColumn(_("Year founded"), "integer", 10, value=lambda row: row.founded_year),
    ]
    for column in COLUMNS[2:]:
        columns.append(XlsxColumn(column.header, column.kind, column.width, value=_figure(column.key)))
        columns.append(
            XlsxColumn(
                _("%(column)s source") % {"column": column.header}, "text", 12, value=_source(column.key)
            )
        )
    columns.append(
        XlsxColumn(_("Land used, overridden (mu)"), "number", 12, value=lambda row: row.land_override_mu)
    )
    columns.append(
        XlsxColumn(_("Reason for the land override"), "text", 30, value=lambda row: row.land_override_reason)
    )
    return columns


def inputs_export(year: int, queryset):
    """The year's input rows (a scoped queryset of EvaluationInput) with the source of every figure."""
    rows = queryset.filter(year=year).select_related("enterprise")[:EXPORT_LIMIT]
    stamp = timezone.localdate().strftime("%Y%m%d")
    return export_response(
        rows,
        input_columns(),
        sheet=_("%(year)s inputs") % {"year": year},
        file_name=f"{_('Evaluation inputs %(year)s') % {'year': year}}-{stamp}.xlsx",
    )
