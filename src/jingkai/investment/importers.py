"""The project ledger (台账) as zone staff keep it in Excel: import, export, and the city's monthly report.

One row per project, Chinese headers, amounts in 万 of the unit written in 币种/单位 (万元, 万美元 …);
合同外资 in 万美元. Import is preview → commit, all or nothing, idempotent by 项目编号 (core.importing).

The headers are a data format (the zone's ledger), not UI text, so they are not translated.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from jingkai.chains.models import Chain
from jingkai.core import importing
from jingkai.core.dates import month_end
from jingkai.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    ImportRejected,
    PlannedRow,
    choice,
    date,
    decimal,
    display,
    read_workbook,
    start_report,
    text,
)
from jingkai.core.models import ImportBatch, User
from jingkai.core.money import WAN, Currency, to_wan
from jingkai.core.xlsx import XlsxColumn
from jingkai.enterprises.choices import COUNTRY_NAMES, Origin
from jingkai.enterprises.importers import parse_country
from jingkai.enterprises.models import Enterprise
from jingkai.investment import services
from jingkai.investment.models import STAGE_ORDER, Figure, Project, ProjectKind, Stage, Status, Target
from jingkai.parks.models import Park

KIND = "investment_projects"  # ImportBatch.kind

ORIGIN_WORDS = {Origin.DOMESTIC: "内资", Origin.FOREIGN: "外资", Origin.HMT: "港澳台资"}
KIND_WORDS = {
    ProjectKind.NEW: "新设",
    ProjectKind.INCREASE: "增资",
    ProjectKind.HEADQUARTERS: "总部",
    ProjectKind.RND: "研发中心",
}
STAGE_WORDS = {
    Stage.LEAD: "线索",
    Stage.NEGOTIATING: "洽谈",
    Stage.SIGNED: "签约",
    Stage.APPROVED: "报批",
    Stage.STARTED: "开工",
    Stage.PRODUCING: "投产",
    Stage.FULL: "达产",
}
STATUS_WORDS = {
    Status.NORMAL: "正常",
    Status.DELAYED: "延期",
    Status.STALLED: "停滞",
    Status.TERMINATED: "终止",
}
UNIT_WORDS = {
    Currency.CNY: "万元",
    Currency.USD: "万美元",
    Currency.EUR: "万欧元",
    Currency.JPY: "万日元",
    Currency.HKD: "万港元",
}


def _choice(words: dict, aliases: dict | None = None):
    options = {word: value for value, word in words.items()}
    options.update(aliases or {})
    for value in words:
        options.setdefault(str(value), value)
    return choice(options, list(words.values()))


def _wan() -> object:
    return decimal(max_digits=18, decimal_places=2, scale=10_000)


def _word(words):
    return lambda value: words.get(value, value) if value else None


COLUMNS = [
    Column("code", "项目编号", text(40), required=True, width=14),
    Column("name", "项目名称", text(200), required=True, width=30),
    Column("investor", "投资方", text(200), required=True, width=24),
    Column(
        "country", "国别", parse_country, blank="", to_cell=lambda c: COUNTRY_NAMES.get(c, (c,))[0] or None
    ),
    Column(
        "origin",
        "内外资",
        _choice(ORIGIN_WORDS, {"港资": Origin.HMT, "台资": Origin.HMT}),
        required=True,
        to_cell=_word(ORIGIN_WORDS),
        choices=tuple(ORIGIN_WORDS.values()),
    ),
    Column(
        "kind",
        "项目类型",
        _choice(KIND_WORDS),
        required=True,
        to_cell=_word(KIND_WORDS),
        choices=tuple(KIND_WORDS.values()),
    ),
    Column("chain", "产业链", text(100), to_cell=lambda c: c.name if c else None),
    Column("industry_code", "行业代码", text(5), blank=""),
    Column("total_investment", "总投资", _wan(), kind="number", to_cell=to_wan),
    Column(
        "total_investment_currency",
        "币种/单位",
        _choice(UNIT_WORDS, {"万人民币": Currency.CNY}),
        aliases=("单位", "币种"),
        to_cell=_word(UNIT_WORDS),
        choices=tuple(UNIT_WORDS.values()),
    ),
    Column("registered_capital_increase", "新增注册资本", _wan(), kind="number", to_cell=to_wan),
    Column(
        "contract_foreign_capital",
        "合同外资（万美元）",
        _wan(),
        kind="number",
        to_cell=to_wan,
        aliases=("合同外资",),
    ),
    Column("expected_output", "达产产值（万元）", _wan(), kind="number", to_cell=to_wan),
    Column(
        "stage",
        "阶段",
        _choice(STAGE_WORDS, {"立项": Stage.APPROVED, "备案": Stage.APPROVED}),
        required=True,
        to_cell=_word(STAGE_WORDS),
        choices=tuple(STAGE_WORDS.values()),
    ),
    Column(
        "status",
        "状态",
        _choice(STATUS_WORDS),
        blank=Status.NORMAL,
        to_cell=_word(STATUS_WORDS),
        choices=tuple(STATUS_WORDS.values()),
    ),
    Column("status_reason", "状态原因", text(300), blank=""),
    Column("first_contact_on", "首次接触日期", date(), kind="date"),
    Column("contract_on", "签约日期", date(), kind="date"),
    Column("approval_on", "报批日期", date(), kind="date", aliases=("备案日期", "立项日期")),
    Column("approval_number", "批文号", text(100), blank="", aliases=("备案号",)),
    Column("started_on", "开工日期", date(), kind="date"),
    Column("production_on", "投产日期", date(), kind="date"),
    Column("full_production_on", "达产日期", date(), kind="date"),
    Column("key_project_on", "招大引强认定日期", date(), kind="date"),
    Column("owner", "负责人", text(150), to_cell=lambda u: u.username if u else None),
    Column("enterprise", "企业统一社会信用代码", text(18), to_cell=lambda e: e.uscc if e else None, width=22),
    Column("park", "园区", text(100), to_cell=lambda p: p.name if p else None),
    Column("land_area_mu", "用地（亩）", decimal(max_digits=12, decimal_places=2), kind="number"),
    Column("leased_area_sqm", "租赁面积（㎡）", decimal(max_digits=12, decimal_places=2), kind="number"),
    Column("note", "备注", text(2000), blank="", width=30),
]
MONEY_KEYS = ("total_investment", "registered_capital_increase", "expected_output")
REFERENCES = ("chain", "owner", "enterprise", "park")


class Lookups:
    """The zone's chains, parks, staff and enterprises, read once per file (a fixed number of queries)."""

    def __init__(self, rows):
        wanted = {key: set() for key in REFERENCES}
        for row in rows:
            for key in REFERENCES:
                if row.values.get(key):
                    wanted[key].add(row.values[key].strip())
        self.chains = {c.name: c for c in Chain.objects.filter(name__in=wanted["chain"])}
        self.chains |= {c.code: c for c in Chain.objects.filter(code__in=wanted["chain"])}
        self.parks = {p.name: p for p in Park.objects.filter(name__in=wanted["park"])}
        self.parks |= {p.code: p for p in Park.objects.filter(code__in=wanted["park"])}
        users = User.objects.filter(is_active=True).filter(
            username__in=wanted["owner"]
        ) | User.objects.filter(is_active=True, full_name__in=wanted["owner"])
        self.users: dict[str, list] = {}
        for user in users:
            self.users.setdefault(user.username, []).append(user)
            if user.full_name and user.full_name != user.username:
                self.users.setdefault(user.full_name, []).append(user)
        codes = {c.upper() for c in wanted["enterprise"]}
        self.enterprises = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)}
        self.projects = {
            p.code: p
            for p in Project.objects.select_related(*REFERENCES).filter(
                code__in=[row.values.get("code") for row in rows if row.values.get("code")]
            )
        }


def validate_workbook(content: bytes, user, file_name: str = ""):
    read = read_workbook(content, COLUMNS, file_name=file_name)
    report = start_report(read)
    if read.fatal:
        return report
    if not services.can_edit(user):
        report.errors.append(
            importing.file_error(_("Only investment-attraction staff may import the ledger."))
        )
        return report
    lookups = Lookups(read.rows)
    seen: dict[str, int] = {}
    for row in read.rows:
        code = row.values.get("code")
        if code in seen:
            report.errors.append(
                row.error(
                    "code",
                    _("Project code %(code)s also appears in row %(row)d")
                    % {"code": code, "row": seen[code]},
                )
            )
            continue
        if code:
            seen[code] = row.number
        planned, errors = _plan_row(row, lookups)
        report.errors.extend(errors)
        if planned is not None and not errors:
            report.rows.append(planned)
    return report


def _plan_row(row, lookups: Lookups):
    values = dict(row.values)
    errors = []
    if row.failed:
        return None, []
    # Amounts are in 万 of the row's unit; a blank unit with an amount is an error, never a guess.
    currency = values.pop("total_investment_currency", None)
    if (
        any(values.get(k) is not None for k in ("total_investment", "registered_capital_increase"))
        and not currency
    ):
        errors.append(
            row.error("total_investment_currency", _("Write the unit of the amounts, e.g. 万元 or 万美元"))
        )
    values["total_investment_currency"] = currency or Currency.CNY
    for key, found in (
        ("chain", lookups.chains),
        ("park", lookups.parks),
        ("enterprise", lookups.enterprises),
    ):
        raw = values.get(key)
        if raw:
            match = found.get(raw.strip().upper() if key == "enterprise" else raw.strip())
            if match is None:
                errors.append(row.error(key, _("“%(value)s” is not known") % {"value": raw}))
            values[key] = match
        else:
            values[key] = None
    raw = values.get("owner")
    if raw:
        users = lookups.users.get(raw.strip(), [])
        if len(users) != 1:
            errors.append(
                row.error(
                    "owner",
                    _("“%(value)s” is not one staff member: write the login name") % {"value": raw}
                    if users
                    else _("“%(value)s” is not known") % {"value": raw},
                )
            )
        values["owner"] = users[0] if len(users) == 1 else None
    else:
        values["owner"] = None
    if errors:
        return None, errors
    stage = values.pop("stage")
    status = values.pop("status", None)  # None: the sheet has no 状态 column, the status stays
    status_reason = values.pop("status_reason", None)
    if status not in (None, Status.NORMAL) and not status_reason:
        errors.append(row.error("status_reason", _("Give the reason for this status.")))
    try:
        services.clean_project_data({k: v for k, v in values.items() if k in services.EDITABLE_FIELDS}, stage)
    except ValidationError as exc:
        errors += row.errors_from(exc)
    existing = lookups.projects.get(values["code"])
    if existing is not None and STAGE_ORDER.index(stage) < STAGE_ORDER.index(existing.stage):
        errors.append(
            row.error(
                "stage",
                _("The ledger has this project at “%(current)s”; an import does not move it back")
                % {"current": Stage(existing.stage).label},
            )
        )
    if errors:
        return None, errors
    data = {**values, "stage": stage}
    if status is not None:
        data |= {"status": status, "status_reason": status_reason or ""}
    label = values["name"]
    if existing is None:
        return PlannedRow(row.sheet, row.number, CREATE, values["code"], label, data=data, source=row), []
    changes = []
    for column in COLUMNS:
        if column.key not in data:
            continue  # a column the sheet does not have changes nothing
        before = getattr(existing, column.key)
        after = data.get(column.key)
        if before != after and not (before in ("", None) and after in ("", None)):
            changes.append(
                {
                    "column": column.header,
                    "before": display(column.cell(before)),
                    "after": display(column.cell(after)),
                }
            )
    action = UPDATE if changes else UNCHANGED
    return PlannedRow(row.sheet, row.number, action, values["code"], label, changes, data, existing, row), []


def apply_report(report, user, batch: ImportBatch) -> None:
    reason = _("Excel import: %(file)s") % {"file": batch.file_name}
    errors = []
    for plan in report.rows:
        data = dict(plan.data)
        stage, status = data.pop("stage"), data.pop("status", None)
        status_reason = data.pop("status_reason", "")
        try:
            if plan.action == CREATE:
                project = services.create_project(data, user, stage=stage, note=reason)
            elif plan.action == UPDATE:
                project = services.update_project(plan.instance, data, user, reason=reason)
                if stage != project.stage:
                    services.advance_to(project, stage, user, note=reason)
            else:
                continue
            if status is not None and (status != project.status or status_reason != project.status_reason):
                services.set_status(project, status, user, reason=status_reason)
        except ValidationError as exc:
            errors.extend(plan.source.errors_from(exc))
        except IntegrityError:
            errors.append(
                plan.source.error(
                    "code", _("This project was changed by someone else meanwhile; upload the file again")
                )
            )
    if errors:
        raise ImportRejected(errors)


def preview_batch(batch: ImportBatch, user):
    return importing.preview_batch(batch, user, validate_workbook)


def commit_batch(batch_id: int, user):
    return importing.commit_batch(batch_id, user, validate_workbook, apply_report)


# --- Export ---------------------------------------------------------------------------------------


def _cell(column: Column, project: Project):
    if column.key == "total_investment_currency":
        return UNIT_WORDS.get(project.total_investment_currency)
    value = getattr(project, column.key)
    return column.cell(value)


def export_workbook(queryset) -> bytes:
    from jingkai.core.xlsx import WorkbookBuilder

    rows = (
        [_cell(c, p) for c in COLUMNS] for p in queryset.select_related(*REFERENCES).iterator(chunk_size=2000)
    )
    builder = WorkbookBuilder()
    builder.add_table("招商项目台账", [c.xlsx() for c in COLUMNS], rows)
    return builder.to_bytes()


def header_row() -> list[str]:
    return [c.header for c in COLUMNS]


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
    from jingkai.core.xlsx import WorkbookBuilder

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
    first = dt.date(year, month, 1)
    last = month_end(first)
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
    from django.db.models import Q

    q = Q()
    for field in ("contract_on", "approval_on", "started_on", "production_on", "key_project_on"):
        q |= Q(**{f"{field}__range": (first, last)})
    return q


def column_help() -> list[XlsxColumn]:
    return [c.xlsx() for c in COLUMNS]
