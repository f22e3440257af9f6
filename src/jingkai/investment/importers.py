"""The project ledger (台账) as zone staff keep it in Excel: the import (its export and the city's monthly
report are exports.py).

One row per project, Chinese headers, amounts in 万 of the unit written in 币种/单位 (万元, 万美元 …);
合同外资 in 万美元. Import is preview → commit, all or nothing, idempotent by 项目编号 (core.importing).

The headers are a data format (the zone's ledger), not UI text, so they are not translated.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.chains.models import Chain
from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
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
    text,
)
from jingkai.core.models import ImportBatch, User
from jingkai.core.money import Currency, to_wan
from jingkai.enterprises.choices import COUNTRY_NAMES, Origin
from jingkai.enterprises.importers import parse_country
from jingkai.enterprises.queries import by_uscc
from jingkai.investment import services
from jingkai.investment.models import STAGE_ORDER, Project, ProjectKind, Stage, Status
from jingkai.investment.permissions import can_edit_ledger
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
        self.enterprises = by_uscc(wanted["enterprise"])
        self.projects = {
            p.code: p
            for p in Project.objects.select_related(*REFERENCES).filter(
                code__in=[row.values.get("code") for row in rows if row.values.get("code")]
            )
        }


class LedgerImporter(importing.Importer):
    """The project ledger: upsert by 项目编号, through the investment services (stage events, history)."""

    kind = KIND
    namespace = "investment"
    columns = COLUMNS
    may_import = staticmethod(can_edit_ledger)
    denied = gettext_lazy("Only investment-attraction staff may change the project ledger.")
    title = gettext_lazy("Import the project ledger")
    intro = gettext_lazy(
        "One row per project; amounts in 10,000 of the unit in the unit column (万元, 万美元). A row whose project "
        "code exists updates it; nothing is written unless every row is correct."
    )
    back = ("investment:list", gettext_lazy("Investment projects"))
    links = (("investment:export", gettext_lazy("Download the current ledger as a template")),)
    submit_label = gettext_lazy("Check the file")
    commit_label = gettext_lazy("Import")
    key_label = gettext_lazy("Project code")
    label_label = gettext_lazy("Project")

    def plan(self, read, report, user) -> None:
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

    def apply(self, report, user, batch: ImportBatch) -> None:
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
                if status is not None and (
                    status != project.status or status_reason != project.status_reason
                ):
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
            match = found.get(uscc_rules.normalize(raw) if key == "enterprise" else raw.strip())
            if match is None:
                problem = uscc_rules.problem(raw) if key == "enterprise" else ""
                errors.append(row.error(key, problem or _("“%(value)s” is not known") % {"value": raw}))
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


def header_row() -> list[str]:
    return [c.header for c in COLUMNS]
