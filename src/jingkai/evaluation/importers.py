"""亩均效益 inputs in Excel (issue 14; RULES.md §3): upload → preview → commit, all or nothing.

The sheet format
----------------
One row per enterprise, found by its 统一社会信用代码 (required); 企业名称 is a cross-check (a name that is not the
enterprise's is a located error). The figure columns are those the offices send (实缴税金, 工业增加值, 综合能耗,
用电量, 主要污染物排放当量, 年平均职工人数, 自有用地, 出租用地, 承租用地, 在建, 安全生产事故, 环境违法处罚 …) under
the near-synonyms they use (``COLUMNS``). The headers are a data format staff type against, so they are constants
here, not translated.

Units
-----
A header may carry its unit in brackets: 实缴税金（万元）, 用电量（千瓦时）, 综合能耗（万吨标准煤）. The inputs are
kept in 万元, 吨标准煤, 万千瓦时, 吨, 人, 亩; a figure headed in another accepted unit is converted exactly (元 and 千元
to 万元, 千瓦时 to 万千瓦时 …), and a figure that does not fit the four decimals kept after conversion (12,345.67 元)
is a located error, never rounded. A money column without a unit in its header takes the unit of a units row
above the header (单位：元); without either it is read in the standard unit, and the preview says so. A header
naming a unit the column is not read in (实缴税金（美元）, 自有用地（平方米）) is a located error at the header.

Values
------
Numbers as numbers or as text (full-width digits, thousands separators); a blank cell, “—” or “-” is “not given”:
the figure already recorded is kept. A negative quantity (anything but tax and value added) is a located error,
as is a figure the database cannot hold. Each error is located by sheet, row, column letter, with the reason and
the cell's text.

What the commit writes
----------------------
The year is chosen at upload (default: last year) and kept on the batch. An enterprise needs its 规上/规下 status
for the year (AnnualScale): the row's population comes from it, its industry and founding year from the
registry, as ``services.assemble_inputs`` sets them. Every figure the file gives is written with its source
``import:<batch id>`` (flags: ``flag_<name>``), which assembly never overwrites; figures the file does not give are
kept. Rows are written through the model with history, all or nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import update_change_reason

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    CellError,
    Column,
    ImportRejected,
    ImportReport,
    PlannedRow,
    RowError,
    display,
    fold,
    join_list,
    normalize_header,
    shown,
    text,
)
from jingkai.core.models import ImportBatch
from jingkai.core.xlsx import WorkbookBuilder
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.enterprises.queries import by_uscc
from jingkai.evaluation.choices import FLAG_NAMES, Population
from jingkai.evaluation.forms import MAX_YEAR, MIN_YEAR, EvaluationImportForm, default_year
from jingkai.evaluation.models import EvaluationInput
from jingkai.evaluation.permissions import can_manage_evaluation

KIND = "evaluation_inputs"  # ImportBatch.kind
PLACES = 4  # EvaluationInput's DecimalField(max_digits=18, decimal_places=4)
LIMIT = Decimal(10) ** (18 - PLACES)  # the first value the field cannot hold
MAX_COUNT = 100_000  # a count of accidents or penalties above this is a typing error


# --- values ------------------------------------------------------------------------------------------------

# A cell holding only dashes is "not given", as a blank is (offices write — for a figure they do not have).
_DASHES = re.compile(r"^[-‐‑‒–—―－﹣━─]+$")


def _not_given(value) -> bool:
    return isinstance(value, str) and bool(_DASHES.match(importing.clean(value).strip()))


@dataclass(frozen=True)
class Raw:
    """A number as read, before the unit of its header is applied (plan() converts it)."""

    number: Decimal
    cell: object  # as typed, for messages

    @property
    def text(self) -> str:
        return shown(self.cell)


def _number(nonnegative: bool):
    def parse(value):
        if _not_given(value):
            return None
        number = importing.to_decimal(value)
        if nonnegative and number < 0:
            raise CellError(
                _("“%(value)s” is negative; this figure cannot be below zero") % {"value": shown(value)}
            )
        return Raw(number, value)

    return parse


def _count(value):
    if _not_given(value):
        return None
    number = importing.to_decimal(value)
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number") % {"value": shown(value)})
    if number < 0:
        raise CellError(_("“%(value)s” is negative; a count cannot be below zero") % {"value": shown(value)})
    if number > MAX_COUNT:
        raise CellError(_("“%(value)s” is too large") % {"value": shown(value)})
    return int(number)


YES_WORDS = ("是", "在建", "Y", "YES", "TRUE", "1", "√", "✓")
NO_WORDS = ("否", "不在建", "N", "NO", "FALSE", "0", "×", "✗", "无")
_YES_NO = {**{fold(w): 1 for w in YES_WORDS}, **{fold(w): 0 for w in NO_WORDS}}


def _yes_no(value):
    if _not_given(value):
        return None
    key = fold(shown(value))
    if key in _YES_NO:
        return _YES_NO[key]
    raise CellError(
        _("“%(value)s” is not one of: %(choices)s")
        % {"value": shown(value), "choices": join_list(("是", "否"))}
    )


# --- the columns -------------------------------------------------------------------------------------------

WAN_YUAN = "万元"
# 1 of the written unit is `factor` of the stored unit (a power of ten: conversions are exact).
MONEY_UNITS = {"万元": Decimal(1), "亿元": Decimal(10_000), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
ENERGY_UNITS = {
    "吨标准煤": Decimal(1),
    "吨标煤": Decimal(1),
    "tce": Decimal(1),
    "万吨标准煤": Decimal(10_000),
    "万吨标煤": Decimal(10_000),
}
ELECTRICITY_UNITS = {
    "万千瓦时": Decimal(1),
    "万kwh": Decimal(1),
    "万kw·h": Decimal(1),
    "万度": Decimal(1),
    "千瓦时": Decimal("0.0001"),
    "kwh": Decimal("0.0001"),
    "kw·h": Decimal("0.0001"),
    "度": Decimal("0.0001"),
}
TONNE_UNITS = {"吨": Decimal(1), "t": Decimal(1), "千克": Decimal("0.001"), "kg": Decimal("0.001")}
PEOPLE_UNITS = {"人": Decimal(1)}
LAND_UNITS = {"亩": Decimal(1)}


@dataclass(frozen=True)
class Measure:
    """One figure column: its field, the header stems offices use and the units it may be written in."""

    key: str  # EvaluationInput field, or flag_<name>
    stems: tuple[str, ...]  # the first is the template's
    units: dict[str, Decimal]  # written unit -> factor to the stored unit; the first is the stored unit
    nonnegative: bool = True
    kind: str = "number"  # number | count | yes_no
    width: float = 14

    @property
    def unit(self) -> str:
        return next(iter(self.units), "")

    @property
    def is_money(self) -> bool:
        return self.units is MONEY_UNITS

    @property
    def header(self) -> str:
        return f"{self.stems[0]}（{self.unit}）" if self.unit else self.stems[0]

    def headers(self) -> dict[str, str]:
        """Every header the column is recognised by (normalised) -> the unit it states ("" for none)."""
        out = {}
        for stem in self.stems:
            out[normalize_header(stem)] = ""
            for unit in self.units:
                out[normalize_header(f"{stem}（{unit}）")] = unit
        return out


MEASURES = (
    Measure("tax", ("实缴税金", "实缴税收", "税收实绩", "评价税收", "实缴税金总额"), MONEY_UNITS, False),
    Measure("value_added", ("工业增加值", "增加值"), MONEY_UNITS, False),
    Measure("output", ("工业总产值",), MONEY_UNITS),
    Measure("revenue", ("营业收入", "主营业务收入"), MONEY_UNITS),
    Measure("rd", ("研发经费支出", "R&D经费支出", "研发经费", "研发费用"), MONEY_UNITS),
    Measure("energy_tce", ("综合能耗", "综合能源消费量", "综合能耗（等价值）"), ENERGY_UNITS),
    Measure("electricity", ("用电量", "总用电量", "全年用电量"), ELECTRICITY_UNITS),
    Measure("emissions", ("主要污染物排放当量", "排放当量", "污染物排放当量"), TONNE_UNITS, width=18),
    Measure("employees", ("年平均职工人数", "平均从业人员", "年平均从业人员", "从业人员平均人数"), PEOPLE_UNITS),
    Measure("land_own_mu", ("自有用地", "自有土地面积", "自有用地面积"), LAND_UNITS),
    Measure("land_leased_out_mu", ("出租用地", "出租土地面积", "出租用地面积"), LAND_UNITS),
    Measure("land_leased_in_mu", ("承租用地", "租用土地", "承租用地面积", "租用土地面积"), LAND_UNITS),
    Measure("flag_under_construction", ("在建", "是否在建", "在建项目"), {}, kind="yes_no", width=10),
    Measure("flag_safety_accidents", ("安全生产事故", "安全事故"), {"起": Decimal(1)}, kind="count"),
    Measure("flag_environmental_penalties", ("环境违法处罚", "环境违法"), {"件": Decimal(1)}, kind="count"),
)  # fmt: skip
MEASURE = {m.key: m for m in MEASURES}
_UNIT_OF = {m.key: m.headers() for m in MEASURES}
# A header "stem（unit）" whose stem is one of ours: the unit is checked against the column's own.
_BRACKETED = re.compile(r"^(?P<stem>.+?)\((?P<unit>[^()]*)\)$")
_STEMS = {normalize_header(stem): m for m in MEASURES for stem in m.stems}
# A units row above the header: 单位：万元, 金额单位：元, （单位：千元）.
_UNITS_ROW = re.compile(r"(?:金额单位|计量单位|单位)[:：]?(亿元|万元|千元|元)(?![\w/])")


def _parser(measure: Measure):
    if measure.kind == "yes_no":
        return _yes_no
    if measure.kind == "count":
        return _count
    return _number(measure.nonnegative)


def _column(measure: Measure) -> Column:
    headers = [
        f"{stem}（{unit}）" if unit else stem for stem in measure.stems for unit in ("", *measure.units)
    ]
    return Column(
        measure.key,
        measure.header,
        _parser(measure),
        aliases=tuple(h for h in headers if normalize_header(h) != normalize_header(measure.header)),
        kind="integer" if measure.kind == "count" else "text" if measure.kind == "yes_no" else "number",
        width=measure.width,
        choices=("是", "否") if measure.kind == "yes_no" else (),
    )


COLUMNS = (
    Column(
        "uscc",
        "统一社会信用代码",
        text(max_length=40),
        required=True,
        aliases=("信用代码", "社会信用代码", "统一代码", "USCC"),
        width=22,
    ),
    Column(
        "name", "企业名称", text(max_length=200), aliases=("单位名称", "企业（单位）名称", "名称"), width=30
    ),
    *(_column(m) for m in MEASURES),
)
FIGURE_KEYS = tuple(m.key for m in MEASURES)
NUMBER_KEYS = tuple(m.key for m in MEASURES if m.kind == "number")
FLAG_KEYS = tuple(m.key for m in MEASURES if m.kind != "number")
assert all(key.removeprefix("flag_") in FLAG_NAMES for key in FLAG_KEYS)


# --- units of a sheet --------------------------------------------------------------------------------------


def units_row(preamble) -> tuple[str | None, list[str]]:
    """The money unit the texts above the header state (None: none, or several), and the texts that state one."""
    found: dict[str, str] = {}
    for cell in preamble or ():
        for match in _UNITS_ROW.finditer(fold(cell)):
            found.setdefault(match.group(1), shown(cell))
    units = list(found)
    return (units[0] if len(units) == 1 else None), list(found.values())


# A year the sheet states for itself: "2022年度…", "2022年亩均效益…" (not a date such as "2023年3月1日").
STATED_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")


def stated_year_errors(layout, year: int) -> list[RowError]:
    """A sheet whose name or title rows state another year than the one chosen at upload is refused (its
    figures would be stored as the wrong year's): one error naming the text and both years."""
    errors = []
    texts = [(None, layout.name)] + [
        (None, words) for words in layout.preamble or ()
    ]  # cells above the header
    for row, words in texts:
        stated = {int(y) for y in STATED_YEAR.findall(str(words or ""))}
        if stated and year not in stated:
            errors.append(
                RowError(
                    layout.name,
                    row,
                    "",
                    "",
                    _(
                        "“%(text)s” states %(stated)s, but the import is for %(year)s: choose the year the file is for"
                    )
                    % {"text": words, "stated": join_list(f"{y}年" for y in sorted(stated)), "year": year},
                )
            )
    return errors


def sheet_units(layout) -> tuple[dict[str, Decimal], list[RowError], list[str]]:
    """The factor of each figure column of a sheet, the located errors of its headers, and what was assumed.

    A header's bracketed unit is the column's; a money column without one takes the units row's; a column left
    with none is read in its standard unit (named in a notice). A header of ours with a unit it is not read in is
    an error at the header (the column is then not read: the kernel reports it among the columns not read).
    """
    factors: dict[str, Decimal] = {}
    errors: list[RowError] = []
    assumed: list[str] = []
    row_unit, statements = units_row(layout.preamble)
    for key in FIGURE_KEYS:
        if key not in layout.positions:
            continue
        measure = MEASURE[key]
        written, letter = layout.locate(key)
        unit = _UNIT_OF[key].get(normalize_header(written), "")
        if not unit and measure.is_money and statements:
            if row_unit is None:
                errors.append(
                    RowError(
                        layout.name,
                        layout.header_row,
                        written,
                        letter,
                        _(
                            "The rows above the header state more than one unit (%(units)s), so the unit of "
                            "“%(header)s” is not clear: write it in the header, such as %(example)s"
                        )
                        % {"units": join_list(statements), "header": written, "example": measure.header},
                    )
                )
                continue
            unit = row_unit
        if not unit and measure.units:
            unit = measure.unit
            if len(set(measure.units.values())) > 1:  # 人, 亩, 起, 件: nothing else to read it in
                assumed.append(f"{written} ({letter}): {unit}")
        factors[key] = measure.units.get(unit, Decimal(1))
    for written, letter in layout.ignored:
        match = _BRACKETED.match(normalize_header(written)) if written else None
        measure = _STEMS.get(match.group("stem")) if match else None
        if measure is None or measure.key in layout.positions:
            continue
        accepted = join_list(measure.units) if measure.units else _("no unit")
        errors.append(
            RowError(
                layout.name,
                layout.header_row,
                written,
                letter,
                _(
                    "“%(header)s”: this column is not read in “%(unit)s”; write it in %(units)s (header %(example)s)"
                )
                % {
                    "header": written,
                    "unit": match.group("unit"),
                    "units": accepted,
                    "example": measure.header,
                },
            )
        )
    return factors, errors, assumed


def converted(raw: Raw, factor: Decimal) -> Decimal:
    """The figure in the stored unit, exactly; CellError when it needs more than four decimals or is too large."""
    value = raw.number * factor
    if -value.normalize().as_tuple().exponent > PLACES:
        places = max(PLACES + factor.normalize().as_tuple().exponent, 0)
        raise CellError(
            _("“%(value)s” has too many decimal places for its unit (at most %(places)d)")
            % {"value": raw.text, "places": places}
        )
    if abs(value) >= LIMIT:
        raise CellError(_("“%(value)s” is too large") % {"value": raw.text})
    return value.quantize(Decimal(1).scaleb(-PLACES))


# --- the importer ------------------------------------------------------------------------------------------


def _source_word(source: str) -> str:
    return source_label(source) if source else "—"


def source_label(source: str) -> str:
    """What a source of an input figure means, for pages and exports."""
    if source.startswith("import:"):
        return _("Import #%(batch)s") % {"batch": source.split(":", 1)[1]}
    words = {
        "stats": _("Monthly statistics"),
        "registry": _("Enterprise registry"),
        "honours": _("Honours"),
        "manual": _("Manual correction"),
        "import": _("Import"),
    }
    return words.get(source, source)


def _population_label(value: str) -> str:
    return str(Population(value).label) if value in Population.values else value


class EvaluationInputImporter(importing.Importer):
    """A year's 亩均效益 inputs: one row per enterprise, updated field by field (see the module)."""

    may_import = staticmethod(can_manage_evaluation)

    kind = KIND
    namespace = "evaluation"
    columns = COLUMNS
    form_class = EvaluationImportForm
    denied = gettext_lazy("Only a zone administrator may import evaluation inputs.")
    title = gettext_lazy("Import evaluation inputs")
    heading = gettext_lazy("Import the per-mu benefit evaluation inputs")
    intro = gettext_lazy(
        "The year's figures per enterprise (tax paid, value added, energy, electricity, emissions, employees, "
        "land, under construction, accidents and penalties), found by the credit code. A preview lists every "
        "change and every error before anything is written; a file with any error writes nothing."
    )
    links = (("evaluation:import_template", gettext_lazy("Download the template")),)
    action_labels = {**importing.Importer.action_labels, CREATE: gettext_lazy("New input row")}
    template_file_name = gettext_lazy("Evaluation input template")

    # --- options -----------------------------------------------------------------------------------------

    def upload_options(self, form) -> dict:
        return {"year": form.cleaned_data.get("year") or default_year()}

    def prepare_options(self, options: dict) -> dict:
        try:
            year = int(options.get("year") or default_year())
        except (TypeError, ValueError):
            raise ValidationError({"year": [_("Give the year as four digits, such as 2022.")]}) from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValidationError({"year": [_("Give the year as four digits, such as 2022.")]})
        return {"year": year}

    @staticmethod
    def year_of(options: dict) -> int:
        return int(options.get("year") or default_year())

    def preview_lead(self, summary: dict) -> str:
        options = summary.get("options", {})
        return _("Evaluation year %(year)s") % {"year": options.get("year", "")}

    # --- checking ----------------------------------------------------------------------------------------

    def plan(self, read, report: ImportReport, user) -> None:
        year = self.year_of(report.options)
        factors: dict[int, dict[str, Decimal]] = {}
        assumed: list[str] = []
        for layout in read.sheets:
            factors[id(layout)], errors, guessed = sheet_units(layout)
            report.errors.extend(errors)
            report.errors.extend(stated_year_errors(layout, year))
            if guessed:
                assumed.append(
                    _("Sheet “%(sheet)s”: no unit stated, read in the standard unit: %(columns)s")
                    % {"sheet": layout.name, "columns": join_list(guessed)}
                )
        report.notices.extend(assumed)

        visible = Enterprise.objects.visible_to(user)
        found = by_uscc((row.values.get("uscc") for row in read.rows), visible)
        ids = [e.pk for e in found.values()]
        scales = dict(
            AnnualScale.objects.filter(year=year, enterprise_id__in=ids).values_list(
                "enterprise_id", "above_size"
            )
        )
        existing = {
            row.enterprise_id: row for row in EvaluationInput.objects.filter(year=year, enterprise_id__in=ids)
        }

        seen: dict[int, list] = defaultdict(list)
        planned: list[PlannedRow] = []
        for row in read.rows:
            values = row.values
            if "uscc" in row.failed or not values.get("uscc"):
                continue
            enterprise = found.get(uscc_rules.normalize(str(values["uscc"])))
            if enterprise is None:
                reason = uscc_rules.problem(values["uscc"]) or _(
                    "No enterprise in the platform has this code"
                )
                report.errors.append(row.error("uscc", reason))
                continue
            seen[enterprise.pk].append(row)
            if values.get("name") and fold(values["name"]) != fold(enterprise.name):
                report.errors.append(
                    row.error(
                        "name",
                        _("The credit code is that of “%(enterprise)s”, not “%(name)s”")
                        % {"enterprise": enterprise.name, "name": values["name"]},
                    )
                )
            if enterprise.pk not in scales:
                report.errors.append(
                    row.error(
                        "uscc",
                        _(
                            "“%(enterprise)s” has no above/below designated size status for %(year)s: "
                            "import the year's 规上名录 first"
                        )
                        % {"enterprise": enterprise.name, "year": year},
                    )
                )
                continue
            given: dict[str, object] = {}
            for key in FIGURE_KEYS:
                value = values.get(key)
                if value is None or key in row.failed:
                    continue
                if isinstance(value, Raw):
                    factor = factors[id(row.layout)].get(key)
                    if factor is None:  # the unit is not clear: an error at the header says so
                        continue
                    try:
                        value = converted(value, factor)
                    except CellError as exc:
                        report.errors.append(row.error(key, str(exc)))
                        continue
                given[key] = value
            planned.append(_plan_row(row, enterprise, year, scales[enterprise.pk], given, existing))
        for rows in seen.values():
            if len(rows) > 1:
                where = join_list(
                    str(r.number) if len({r.sheet for r in rows}) == 1 else f"{r.sheet} {r.number}"
                    for r in rows
                )
                report.errors.extend(
                    r.error(
                        "uscc",
                        _("The same enterprise appears more than once (rows %(rows)s)") % {"rows": where},
                    )
                    for r in rows
                )
        bad = {(e.sheet, e.row) for e in report.errors}
        report.rows = [p for p in planned if (p.sheet, p.row) not in bad]

    # --- writing -----------------------------------------------------------------------------------------

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        year = self.year_of(report.options)
        tag = f"import:{batch.pk}"
        reason = _("Excel import: %(file)s") % {"file": batch.file_name}
        todo = [p for p in report.rows if p.action != UNCHANGED]
        ids = [p.data["enterprise"].pk for p in todo]
        locked = {
            row.enterprise_id: row
            for row in EvaluationInput.objects.select_for_update().filter(year=year, enterprise_id__in=ids)
        }
        errors: list[RowError] = []
        for plan in todo:
            enterprise = plan.data["enterprise"]
            row = locked.get(enterprise.pk)
            if (row is None) != (plan.action == CREATE):
                errors.append(
                    plan.source.error("uscc", _("Changed by someone else meanwhile; upload the file again"))
                )
                continue
            row = row or EvaluationInput(enterprise=enterprise, year=year)
            row.population = plan.data["population"]
            row.industry = plan.data["industry"]
            row.founded_year = plan.data["founded_year"]
            sources = dict(row.sources)
            flags = dict(row.flags)
            for key, value in plan.data["given"].items():
                if key.startswith("flag_"):
                    flags[key.removeprefix("flag_")] = value
                else:
                    setattr(row, key, value)
                sources[key] = tag
            row.flags, row.sources = flags, sources
            row._history_user = user
            try:
                row.full_clean(validate_unique=False, validate_constraints=False)
                with transaction.atomic():
                    row.save()
            except ValidationError as exc:
                errors.extend(plan.source.errors_from(exc))
                continue
            except IntegrityError:
                errors.append(
                    plan.source.error("uscc", _("Changed by someone else meanwhile; upload the file again"))
                )
                continue
            update_change_reason(row, reason)
        if errors:
            raise ImportRejected(errors)

    def committed_message(self, report: ImportReport) -> str:
        counts = report.counts
        return _(
            "Evaluation inputs imported for %(year)s: %(create)d added, %(update)d updated, %(unchanged)d unchanged."
        ) % {**counts, "year": self.year_of(report.options)}

    # --- what the pages show -----------------------------------------------------------------------------

    def template_workbook(self, user) -> bytes:
        builder = WorkbookBuilder()
        builder.add_table(_("Evaluation inputs"), [column.xlsx() for column in COLUMNS], [])
        builder.add_notes(
            _("Instructions"), _("How to fill in the evaluation inputs"), self.instructions(), column_notes()
        )
        return builder.to_bytes()

    def instructions(self) -> list[str]:
        return instructions()


def _plan_row(row, enterprise, year: int, above: bool, given: dict, existing: dict) -> PlannedRow:
    population = Population.ABOVE if above else Population.BELOW
    derived = {
        "population": str(population),
        "industry": enterprise.industry_code or "",
        "founded_year": enterprise.founded_on.year if enterprise.founded_on else None,
    }
    before = existing.get(enterprise.pk)
    changes = []
    if before is not None:
        for key, value in derived.items():
            if getattr(before, key) != value:
                shown_before, shown_after = getattr(before, key), value
                if key == "population":
                    shown_before, shown_after = _population_label(shown_before), _population_label(value)
                changes.append(
                    {
                        "column": _field_label(key),
                        "before": display(shown_before),
                        "after": display(shown_after),
                    }
                )
    for key, value in given.items():
        header = MEASURE[key].header
        if before is None:
            changes.append({"column": header, "before": "", "after": display(value)})
            continue
        old = before.flags.get(key.removeprefix("flag_")) if key.startswith("flag_") else getattr(before, key)
        source = before.sources.get(key, "")
        if old is None or Decimal(old) != Decimal(value):
            changes.append({"column": header, "before": display(old), "after": display(value)})
        elif not source.startswith("import:"):
            # The same figure, now from the file: assembly will no longer replace it.
            changes.append(
                {
                    "column": header,
                    "before": f"{display(old)} ({_source_word(source)})",
                    "after": display(value),
                }
            )
    action = CREATE if before is None else UPDATE if changes else UNCHANGED
    return PlannedRow(
        sheet=row.sheet,
        row=row.number,
        action=action,
        key=enterprise.uscc,
        label=enterprise.name,
        changes=changes if action != UNCHANGED else [],
        data={"enterprise": enterprise, "given": given, **derived},
        instance=before,
        source=row,
    )


def _field_label(key: str) -> str:
    return str(EvaluationInput._meta.get_field(key).verbose_name)


def instructions() -> list[str]:
    return [
        _(
            "One enterprise per row, found by its unified social credit code (required); the name, when given, "
            "must be the enterprise's. Columns may be in any order and under the names offices use "
            "(实缴税金 or 评价税收, 综合能耗 or 综合能源消费量 …)."
        ),
        _(
            "The enterprise must have its above/below designated size status for the year: the population "
            "(规上/规下) comes from it, the industry and founding year from the registry."
        ),
        _(
            "Money is read in 万元. A header may state another unit in brackets, such as %(examples)s, or a units "
            "row above the header such as “单位：元”: the figure is converted exactly. A figure that would need "
            "more than four decimal places in 万元 is refused, never rounded."
        )
        % {"examples": join_list(("实缴税金（元）", "工业增加值（千元）", "用电量（千瓦时）"))},
        _(
            "A blank cell, “—” or “-” means not given: the figure already recorded is kept. Only tax and value "
            "added may be negative."
        ),
        _(
            "Every figure the file gives is recorded as coming from this import; assembling the inputs from the "
            "statistics again does not replace it."
        ),
    ]


def column_notes() -> list[list[str]]:
    table = [[_("Column"), _("Required"), _("What to write")]]
    for column in COLUMNS:
        measure = MEASURE.get(column.key)
        if measure is None:
            note = _("18 characters") if column.key == "uscc" else _("As registered")
        elif measure.kind == "yes_no":
            note = _("One of: %(choices)s.") % {"choices": join_list(("是", "否"))}
        elif measure.kind == "count":
            note = _("A whole number, 0 or more")
        else:
            note = _("Also read under: %(headers)s") % {"headers": join_list(measure.stems[1:]) or "—"}
        table.append([column.header, _("Yes") if column.required else "", note])
    return table
