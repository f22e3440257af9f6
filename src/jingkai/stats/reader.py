"""Reading the statistics office's monthly workbook (规上工业企业主要指标) as it really arrives.

The layout: a title row naming the period ("2023年1-6月规上工业企业主要指标"), a units row ("单位：万元" or
"千元"), a header of one or two rows (a measure merged over 本月 / 累计 / 同比 cells), then one row per enterprise,
a 合计 row, blank and note rows. Numbers arrive as numbers or as text with thousands separators or full-width
digits; the USCC in any case and spacing.

The cells are read with python-calamine (core.importing.open_workbook: the same file checks and limits as every
import), the header is mapped to MonthlyReport
fields (built-in aliases, extended by a saved StatsTemplate), and the value columns are parsed column by column
with Polars; only the cells that fail are looked at one by one, to say where and why.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.utils.translation import gettext as _

from jingkai.core.importing import (
    NOTE_PATTERN,
    RowError,
    column_letter,
    file_error,
    fold,
    is_blank,
    is_note_row,
    join_list,
    open_workbook,
    sheet_notices,
    shown,
)
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS, measure

HEADER_SEARCH_ROWS = 20

# Header spellings (data formats, compared after fold() as whole terms, never as parts of a longer header):
# measure -> aliases. A bare 产值 is not among them: it could be 工业总产值 or 工业销售产值, so it is listed as
# not read (a saved template may map it).
MEASURE_ALIASES: dict[str, tuple[str, ...]] = {
    "output": ("工业总产值", "工业总产值(当年价格)", "工业总产值(现价)", "工业总产值(当年价)", "总产值"),
    "sales": ("工业销售产值", "工业销售产值(当年价格)", "工业销售产值(现价)", "销售产值"),
    "new_product": ("新产品产值", "新产品产值(当年价格)"),
    "revenue": ("营业收入", "主营业务收入", "营业收入合计"),
    "profit": ("利润总额", "利润"),
    "tax": ("税金总额", "应交税金", "税金", "税收"),
    "rd": ("研发费用", "研究开发费用", "r&d经费", "研发经费"),
    "export": ("出口交货值",),
    "energy": ("综合能耗", "综合能源消费量", "能源消费量"),
    "employees": ("从业人员", "从业人员平均人数", "从业人员期末人数", "平均用工人数", "用工人数"),
}
# Sub-headers (or the part of a one-row header beside the measure), as whole terms. N月 and 1-N月 are
# patterns; the N they name is checked against the period.
MONTH_TERMS = ("本月", "当月", "本期", "当期", "月度", "本月数", "当月数", "本期数", "本月实际")
CUM_TERMS = ("累计", "本年累计", "年累", "本年", "1-本月", "1-本月累计", "累计数", "本年累计数", "自年初累计")
LAST_CUM_TERMS = (
    "上年同期", "去年同期", "上年累计", "去年累计", "上年同期累计", "去年同期累计", "上年同期数", "去年同期数",
    "上年1-本月", "去年1-本月",
)  # fmt: skip
LAST_MONTH_TERMS = ("上年同月", "去年同月", "上年本月", "去年本月", "上年当月", "去年当月", "上年同期本月")
GROWTH_TERMS = (
    "同比", "增长", "增速", "±", "同比±", "增减", "同比增长", "同比增减", "增幅", "增长率", "同比增速",
    "同比增幅", "比上年同期增长", "比上年同期±", "比上年同期增减", "比去年同期增长", "比去年同期±",
)  # fmt: skip
MONTH_GROWTH_PREFIXES = ("本月", "当月", "本期", "当期")
USCC_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "法人单位代码")
NAME_HEADERS = ("企业名称", "单位名称", "单位详细名称", "名称", "企业")
TOTAL_WORDS = ("合计", "总计", "小计", "全区合计")
NOTE_PREFIXES = ("注", "说明", "备注", "填报", "填表", "制表", "审核", "负责人", "单位负责人", "统计负责人",
                 "数据来源", "资料来源")  # fmt: skip

UNIT_SCALES = {"亿元": 100_000_000, "万元": 10_000, "千元": 1_000, "元": 1}
ENERGY_SCALES = {"万吨标准煤": 10_000, "吨标准煤": 1, "吨标煤": 1, "万吨标煤": 10_000}
_UNIT = re.compile(r"(?:单位|计量单位|金额单位|計量單位)\s*[:：]?\s*(亿元|万元|千元|元)")
# A unit in brackets at the end of a header: 工业总产值（万元）, 综合能耗(吨标准煤), 从业人员（人）.
_HEADER_UNIT = re.compile(
    r"^(?P<term>.+?)\((?P<unit>亿元|万元|千元|元|万吨标准煤|吨标准煤|万吨标煤|吨标煤|人)\)$"
)
_PERIOD = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*[-—–~～至]\s*)?(\d{1,2})\s*月")
_DASHES = str.maketrans({"—": "-", "–": "-", "~": "-", "～": "-", "至": "-", "－": "-", "到": "-"})
_MONTH_N = re.compile(r"^(\d{1,2})月(?:份)?(?:数)?$")
_CUM_N = re.compile(r"^1-(\d{1,2})月(?:份)?(?:累计)?(?:数)?$")
_LAST_CUM_N = re.compile(r"^(?:上年|去年)(?:同期)?1-(\d{1,2})月(?:累计)?(?:数)?$")
_LAST_MONTH_N = re.compile(r"^(?:上年|去年)(?:同期)?(\d{1,2})月(?:份)?$")
_FULLWIDTH_FROM = list("０１２３４５６７８９．，－＋％　")
_FULLWIDTH_TO = list("0123456789.,-+% ")
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
_PLAIN_CELLS = {float, int, str, type(None)}

MAX_SCALED = Decimal(10) ** 16  # max_digits 18, decimal_places 2
AMBIGUOUS = "?"  # map_header: the header names two measures

# What a column is read as, besides a value field: last year's figure or the growth of one (checked, not stored).
LAST, GROWTH = "last", "growth"


def _folded_aliases() -> dict[str, str]:
    return {fold(alias): code for code, aliases in MEASURE_ALIASES.items() for alias in aliases}


_FOLDED_TERMS = {
    kind: {fold(term) for term in terms}
    for kind, terms in (
        ("month", MONTH_TERMS),
        ("cum", CUM_TERMS),
        ("last_cum", LAST_CUM_TERMS),
        ("last_month", LAST_MONTH_TERMS),
        ("growth", GROWTH_TERMS),
    )
}


def classify(text: str) -> tuple[str, int | None] | None:
    """What a sub-header says, as a whole term: ("month" | "cum" | "last_month" | "last_cum" | "growth" |
    "growth_month", the N of N月 / 1-N月 or None); None for anything else (such a column is not read)."""
    folded = fold(text).translate(_DASHES)
    if not folded:
        return None
    for kind in ("month", "cum", "last_cum", "last_month"):
        if folded in _FOLDED_TERMS[kind]:
            return kind, None
    for kind, pattern in (("month", _MONTH_N), ("cum", _CUM_N), ("last_cum", _LAST_CUM_N),
                          ("last_month", _LAST_MONTH_N)):  # fmt: skip
        match = pattern.match(folded)
        if match:
            return kind, int(match.group(1))
    # Growth: 同比, 增长%, 同比增长(%), ±%, 本月增长%, 1-6月增长% …
    bare = folded.removesuffix("(%)").removesuffix("%")
    kind = "growth"
    for prefix in MONTH_GROWTH_PREFIXES:
        if bare.startswith(prefix) and bare != prefix:
            bare, kind = bare[len(prefix) :], "growth_month"
            break
    match = re.match(r"^1-(\d{1,2})月(.+)$", bare)
    months = None
    if match and kind == "growth":
        months, bare = int(match.group(1)), match.group(2)
    if bare in _FOLDED_TERMS["growth"] or (folded.endswith("%") and bare in ("", "±")):
        return kind, months
    return None


def _split_unit(folded: str) -> tuple[str, str]:
    """工业总产值(万元) -> (工业总产值, 万元); no unit -> (text, "")."""
    match = _HEADER_UNIT.match(folded)
    return (match.group("term"), match.group("unit")) if match else (folded, "")


def header_key(top: str, sub: str) -> str:
    """How a (possibly two-row) header is named in a saved template mapping: 工业总产值|本月."""
    top, sub = fold(top), fold(sub)
    return f"{top}|{sub}" if sub else top


@dataclass(frozen=True)
class HeaderMeaning:
    """What one column header means: a target (a value field, "uscc", "name", "last:<field>",
    "growth:<field>", "yoy" from a template, "" for a column a template says to skip), the unit its header
    states, and the N of N月 / 1-N月 it names."""

    target: str | None
    unit: str = ""
    months: int | None = None


def read_header(top: str, sub: str, template_mapping: dict[str, str] | None = None) -> HeaderMeaning:
    key = header_key(top, sub)
    if template_mapping:
        folded_mapping = {header_key(*(k.split("|", 1) + [""])[:2]): v for k, v in template_mapping.items()}
        if key in folded_mapping:
            return HeaderMeaning(folded_mapping[key])
    folded_top, unit = _split_unit(fold(top))
    if folded_top in {fold(h) for h in USCC_HEADERS} and not sub:
        return HeaderMeaning("uscc")
    if folded_top in {fold(h) for h in NAME_HEADERS} and not sub:
        return HeaderMeaning("name")
    aliases = _folded_aliases()
    candidates: set[tuple[str, tuple[str, int | None] | None]] = set()
    if folded_top in aliases:
        code = aliases[folded_top]
        if sub:
            said = classify(sub)
            if said is None:
                return HeaderMeaning(None)
            candidates.add((code, said))
        else:
            candidates.add((code, None))
    elif not sub:
        # A one-row header that says both, as two whole terms: 本月工业总产值, 工业总产值1-6月, 营业收入上年同期.
        for alias, code in aliases.items():
            for rest in (
                folded_top[len(alias) :] if folded_top.startswith(alias) else None,
                folded_top[: -len(alias)] if folded_top.endswith(alias) else None,
            ):
                if rest:
                    rest_term, rest_unit = _split_unit(rest)
                    said = classify(rest_term)
                    if said is not None:
                        candidates.add((code, said))
                        unit = unit or rest_unit
    if not candidates:
        return HeaderMeaning(None)
    if len({code for code, _said in candidates}) > 1 or len(candidates) > 1:
        return HeaderMeaning(AMBIGUOUS)
    code, said = candidates.pop()
    kind, months = said if said is not None else (None, None)
    if kind is None:
        # A measure alone: employees as 期末/平均人数 is the month's figure; money alone is the cumulative.
        kind = "month" if code == "employees" else "cum"
    target = {
        "month": f"{code}_month",
        "cum": f"{code}_cum",
        "last_month": f"{LAST}:{code}_month",
        "last_cum": f"{LAST}:{code}_cum",
        "growth": f"{GROWTH}:{code}_cum",
        "growth_month": f"{GROWTH}:{code}_month",
    }[kind]
    return HeaderMeaning(target, unit, months)


def map_header(top: str, sub: str, template_mapping: dict[str, str] | None = None) -> str | None:
    """The MonthlyReport field (or "uscc", "name", "last:…", "growth:…", "yoy", "", "?") a header means;
    None when unknown."""
    return read_header(top, sub, template_mapping).target


@dataclass
class Layout:
    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers
    positions: dict[str, int]  # field -> 0-based column index
    headers: dict[str, str]  # field -> header as written (top/sub)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header, letter) not read
    yoy: list[str] = field(default_factory=list)  # letters of growth columns a template marks as not read
    checks: dict[str, int] = field(default_factory=dict)  # "last:<field>" / "growth:<field>" -> column index
    scales: dict[str, int] = field(default_factory=dict)  # field -> the unit its header states (元 = 1)
    months: list[tuple[str, str, int]] = field(default_factory=list)  # (header, letter, N) of N月 / 1-N月
    period: dt.date | None = None  # what this sheet's title states
    period_cell: tuple[int, str, str] | None = None  # (row, letter, text) of that title
    period_from: str = ""  # the sheet whose title gave the period, when this one states none
    unit_scale: int = 0  # the money unit of the sheet (its units row, or the template's, or 元)
    unit_label: str = ""
    unit_cell: tuple[int, str, str] | None = None  # (row, letter, text) of the units row
    notes: list[int] = field(default_factory=list)  # rows of notes and signatures, not read

    def locate(self, key: str) -> tuple[str, str]:
        if key not in self.positions:
            return key, ""
        return self.headers[key], column_letter(self.positions[key])

    def scale_of(self, key: str) -> int:
        """元 (or 吨标准煤) per unit written in the column of a value field."""
        if key in self.scales:
            return self.scales[key]
        unit = measure(key.split(":")[-1].rsplit("_", 1)[0])
        return (self.unit_scale or 1) if unit.is_money else 1


@dataclass
class Delivery:
    """What one workbook delivers: one period, values in base units, every problem located."""

    period: dt.date | None = None
    unit_scale: int = 0
    unit_label: str = ""
    frame: pl.DataFrame | None = None  # sheet, row, uscc, name, <value fields> (元 / 吨标准煤 / persons)
    checks: pl.DataFrame | None = None  # sheet, row, uscc, name, last:<field>, growth:<field> (as written)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)
    totals: list[tuple[str, int, dict]] = field(
        default_factory=list
    )  # (sheet, row, {field: 元 value}) of 合计
    hidden_sheets: list[str] = field(default_factory=list)  # hidden and very hidden: not read
    skipped_sheets: list[str] = field(default_factory=list)  # visible, without a header row: not read
    fatal: bool = False
    unmapped: list[str] = field(default_factory=list)  # header keys a template could map

    @property
    def fields(self) -> list[str]:
        return [] if self.frame is None else [c for c in self.frame.columns if c in VALUE_FIELDS]

    @property
    def sheet_periods(self) -> list[dict]:
        """Each read sheet, the period it states (or inherits) and its unit, for the preview."""
        return [
            {
                "sheet": layout.sheet,
                "period": layout.period.isoformat() if layout.period else None,
                "from": layout.period_from,
                "unit": layout.unit_label,
            }
            for layout in self.layouts
        ]


def parse_period(text: str) -> dt.date | None:
    """2023年1-6月… -> 2023-06-01; 2023年6月 -> 2023-06-01."""
    match = _PERIOD.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(3))
    if not 1 <= month <= 12 or (match.group(2) and int(match.group(2)) != 1):
        return None
    return dt.date(year, month, 1)


def _cells(grid, index) -> list:
    return grid[index] if index < len(grid) else []


def _find_header(name: str, grid: list[list], mapping: dict | None) -> tuple[Layout | None, list[RowError]]:
    """The row with the USCC header and at least one measure; a second row below it may hold 本月/累计."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {map_header(shown(c), "", mapping) for c in cells if not is_blank(c)}
        if "uscc" not in found:
            continue
        below = _cells(grid, index + 1)
        two_rows = any(classify(shown(c)) for c in below if not is_blank(c)) or _mapped_below(
            cells, below, mapping
        )
        layout = Layout(name, (index + 1, index + 2) if two_rows else (index + 1,), {}, {})
        errors: list[RowError] = []
        top_value = ""
        width = max(len(cells), len(below) if two_rows else 0)
        last_read = ""  # the kind of the previous column of the same measure, for a bare 增长%
        for position in range(width):
            cell = cells[position] if position < len(cells) else ""
            if not is_blank(cell):
                top_value = shown(cell)  # a merged cell: calamine gives its value to the first cell only
                last_read = ""
            elif not two_rows:
                continue
            sub = (
                shown(below[position])
                if two_rows and position < len(below) and not is_blank(below[position])
                else ""
            )
            if is_blank(cell) and not sub:
                continue
            written = f"{top_value} / {sub}" if sub else top_value
            meaning = read_header(top_value, sub, mapping)
            target = meaning.target
            letter = column_letter(position)
            if target and target.startswith(GROWTH) and last_read.endswith("_month"):
                # 本月 | 上年同月 | 增长% : the growth of the month, not of the cumulative figure.
                target = f"{GROWTH}:{target.split(':', 1)[1].rsplit('_', 1)[0]}_month"
            if target and target not in (AMBIGUOUS, "yoy") and not target.startswith(GROWTH):
                last_read = target
            if meaning.months is not None:
                layout.months.append((written, letter, meaning.months))
            if target == "yoy":
                layout.yoy.append(letter)
            elif target == AMBIGUOUS:
                errors.append(
                    RowError(name, layout.header_rows[-1], written, letter,
                             _("The header “%(header)s” could mean two measures; write the measure's full name "
                               "(工业总产值, 工业销售产值 …) in its own cell") % {"header": written})
                )  # fmt: skip
            elif target in (None, ""):
                layout.ignored.append((written, letter))
            elif target.startswith((LAST, GROWTH)):
                if target in layout.checks:
                    layout.ignored.append((written, letter))
                else:
                    layout.checks[target] = position
                    layout.headers[target] = written
                    _note_unit(layout, target, meaning.unit)
            elif target in layout.positions:
                first = column_letter(layout.positions[target])
                errors.append(
                    RowError(
                        name,
                        layout.header_rows[-1],
                        written,
                        letter,
                        _("Column “%(header)s” appears twice (columns %(first)s and %(second)s)")
                        % {"header": written, "first": first, "second": letter},
                    )
                )
            else:
                layout.positions[target] = position
                layout.headers[target] = written
                _note_unit(layout, target, meaning.unit)
        if not any(key in VALUE_FIELDS for key in layout.positions):
            continue
        return layout, errors
    return None, []


def _note_unit(layout: Layout, target: str, unit: str) -> None:
    """A unit in the header (工业总产值（千元）) is that column's, whatever the units row says."""
    if not unit:
        return
    code = target.split(":")[-1].rsplit("_", 1)[0]
    kind = measure(code)
    if kind.is_money and unit in UNIT_SCALES:
        layout.scales[target] = UNIT_SCALES[unit]
    elif not kind.is_money and not kind.is_integer and unit in ENERGY_SCALES:
        layout.scales[target] = ENERGY_SCALES[unit]


def _mapped_below(cells: list, below: list, mapping: dict | None) -> bool:
    """A saved template names a two-row header (top|sub) that this row and the next one spell."""
    if not mapping:
        return False
    wanted = {header_key(*(key.split("|", 1) + [""])[:2]) for key in mapping if "|" in key}
    top = ""
    for position, cell in enumerate(below):
        if position < len(cells) and not is_blank(cells[position]):
            top = shown(cells[position])
        if not is_blank(cell) and header_key(top, shown(cell)) in wanted:
            return True
    return False


def _normalise_text(series: pl.Series) -> pl.Series:
    """Text numbers as typed: full-width digits, thousands separators, spaces and invisible characters;
    '-' or '—' alone is blank."""
    cleaned = series.cast(pl.String)
    if series.dtype == pl.String:
        cleaned = (
            cleaned.str.replace_many(_INVISIBLE, [""] * len(_INVISIBLE))
            .str.strip_chars()
            .str.replace_many(_FULLWIDTH_FROM, _FULLWIDTH_TO)
        )
    cleaned = cleaned.str.replace_all(r"[,\s\u00a0\u202f]", "")
    return cleaned.replace({"": None, "-": None, "—": None, "--": None, "/": None})


def normalise_codes(series: pl.Series) -> pl.Series:
    """Credit codes as core.uscc.normalize writes them (NFKC, no white space or invisible characters, upper
    case), column-wise.

    NFKC runs only on the cells that are not already plain letters and digits (a space, a full-width form):
    over a whole column of 100,000 codes it would cost 45 ms, the check costs 9.
    """
    odd = (~series.str.contains(r"^[0-9A-Za-z]*$")).fill_null(False)
    if odd.any():
        where = odd.arg_true()
        series = series.scatter(
            where,
            series.gather(where)
            .str.replace_many(_INVISIBLE, [""] * len(_INVISIBLE))
            .str.normalize("NFKC")
            .str.replace_all(r"\s", ""),
        )
    return series.str.to_uppercase()


@contextmanager
def _collector_paused():
    """The grid is millions of small objects: a cyclic-GC pass over them on every list built would cost more
    than the reading itself (none of them form cycles), so the collector waits until the reading is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_delivery(content: bytes, **kwargs) -> Delivery:
    """Read the workbook into a columnar frame; every problem located by sheet, row, column and reason."""
    with _collector_paused():
        return _read_delivery(content, **kwargs)


def _read_delivery(
    content: bytes,
    *,
    file_name: str = "",
    mapping: dict | None = None,
    unit_scale: int = 0,
    period: dt.date | None = None,
) -> Delivery:
    """Read the workbook into a columnar frame; every problem located by sheet, row, column and reason.

    unit_scale and period are what the upload chose (a template's unit, a period); a sheet that states
    something else is an error, never silently overridden either way.
    """
    delivery = Delivery(period=period, unit_scale=unit_scale)
    opened = open_workbook(content, file_name)
    if opened.fatal:
        delivery.errors, delivery.fatal = opened.errors, True
        return delivery
    delivery.hidden_sheets = opened.hidden
    delivery.notices.extend(opened.notices)

    sheets = []
    for sheet in opened.visible:
        layout, header_errors = _find_header(sheet.name, sheet.grid, mapping)
        if layout is None:
            delivery.skipped_sheets.append(sheet.name)
            continue
        delivery.layouts.append(layout)
        delivery.errors.extend(header_errors)
        _read_preamble(layout, sheet.grid[: layout.header_rows[0] - 1])
        sheets.append((layout, sheet.grid))

    if not delivery.layouts:
        delivery.errors.append(
            file_error(
                _(
                    "No header row found: no sheet has a row, among its first %(rows)d, with the column "
                    "统一社会信用代码 and at least one measure (工业总产值, 营业收入 …)"
                )
                % {"rows": HEADER_SEARCH_ROWS}
            )
        )
        delivery.fatal = True
        return delivery
    _settle_period(delivery)
    _settle_units(delivery)
    _check_months(delivery)

    frames, checks = [], []
    for layout, grid in sheets:
        read = _read_sheet(delivery, layout, grid)
        if read is not None:
            frames.append(read[0])
            if read[1] is not None:
                checks.append(read[1])

    delivery.notices.extend(sheet_notices(delivery.hidden_sheets, []))
    if delivery.skipped_sheets:
        delivery.notices.append(
            _("Sheets without a header row, not read: %(sheets)s")
            % {"sheets": join_list(delivery.skipped_sheets)}
        )
    for layout in delivery.layouts:
        delivery.notices.append(_sheet_line(layout))
        if layout.notes:
            delivery.notices.extend(sheet_notices([], [(layout.sheet, row) for row in layout.notes]))
        if layout.ignored:
            delivery.notices.append(
                _("Sheet “%(sheet)s”: columns not read: %(columns)s")
                % {
                    "sheet": layout.sheet,
                    "columns": "、".join(f"{header} ({letter})" for header, letter in layout.ignored),
                }
            )
            delivery.unmapped.extend(header_key(*(h.split(" / ", 1) + [""])[:2]) for h, _l in layout.ignored)
        if layout.yoy:
            delivery.notices.append(
                _("Sheet “%(sheet)s”: the growth columns (%(columns)s) are not read; growth is computed")
                % {"sheet": layout.sheet, "columns": "、".join(layout.yoy)}
            )
    if frames:
        delivery.frame = pl.concat(frames, how="diagonal_relaxed")
        _check_duplicates(delivery)
    elif not delivery.errors:
        delivery.errors.append(file_error(_("The workbook has a header row but no data rows")))
    if checks:
        delivery.checks = pl.concat(checks, how="diagonal_relaxed")
    return delivery


def _read_preamble(layout: Layout, rows: list[list]) -> None:
    """The period (the title) and the money unit (the units row) a sheet states above its header."""
    for index, cells in enumerate(rows):
        for position, cell in enumerate(cells):
            if is_blank(cell):
                continue
            text = unicodedata.normalize("NFKC", shown(cell))
            if layout.period is None and "月" in text:
                layout.period = parse_period(text)
                if layout.period is not None:
                    layout.period_cell = (index + 1, column_letter(position), shown(cell))
            unit = _UNIT.search(text)
            if unit and not layout.unit_label:
                layout.unit_scale = UNIT_SCALES[unit.group(1)]
                layout.unit_label = unit.group(1)
                layout.unit_cell = (index + 1, column_letter(position), shown(cell))


def _title_error(layout: Layout, reason: str) -> RowError:
    row, letter, written = layout.period_cell or (None, "", "")
    return RowError(layout.sheet, row, written, letter, reason)


def _settle_period(delivery: Delivery) -> None:
    """One workbook, one period: the one chosen at upload, or the one every sheet's title states."""
    stating = [layout for layout in delivery.layouts if layout.period is not None]
    if delivery.period is not None:  # chosen at upload
        for layout in stating:
            if layout.period != delivery.period:
                delivery.errors.append(
                    _title_error(
                        layout,
                        _("The title states %(stated)s, but %(chosen)s was chosen at upload")
                        % {"stated": _month_label(layout.period), "chosen": _month_label(delivery.period)},
                    )
                )
        for layout in delivery.layouts:
            if layout.period is None:
                layout.period, layout.period_from = delivery.period, "upload"
        return
    if not stating:
        delivery.errors.append(
            file_error(
                _(
                    "The period is not stated: the title should name it, e.g. “2023年1-6月规上工业企业主要指标”, "
                    "or choose the period when uploading"
                )
            )
        )
        return
    first = stating[0]
    conflicting = [layout for layout in stating if layout.period != first.period]
    for layout in conflicting:
        delivery.errors.append(
            _title_error(
                layout,
                _(
                    "Sheet “%(sheet)s” states %(stated)s but sheet “%(first)s” states %(other)s: a file holds one "
                    "period; put each period in a file of its own"
                )
                % {
                    "sheet": layout.sheet,
                    "stated": _month_label(layout.period),
                    "first": first.sheet,
                    "other": _month_label(first.period),
                },
            )
        )
    if conflicting:
        return  # no period: nothing is planned against a period the file does not agree on
    delivery.period = first.period
    for layout in delivery.layouts:
        if layout.period is None:
            layout.period, layout.period_from = first.period, first.sheet


def _settle_units(delivery: Delivery) -> None:
    """Each sheet's money unit: its units row; else the template's; else 元, said in a notice."""
    chosen = delivery.unit_scale
    chosen_label = next((label for label, scale in UNIT_SCALES.items() if scale == chosen), "")
    for layout in delivery.layouts:
        if layout.unit_label:
            if chosen and layout.unit_scale != chosen:
                row, letter, written = layout.unit_cell
                delivery.errors.append(
                    RowError(layout.sheet, row, written, letter,
                             _("The units row says %(stated)s, but the template chosen at upload reads amounts as "
                               "%(chosen)s") % {"stated": layout.unit_label, "chosen": chosen_label})
                )  # fmt: skip
        elif chosen:
            layout.unit_scale, layout.unit_label = chosen, chosen_label
        else:
            layout.unit_scale, layout.unit_label = UNIT_SCALES["元"], "元"
            delivery.notices.append(
                _("Sheet “%(sheet)s”: no units row (单位：万元 or 千元) found: amounts are read as 元")
                % {"sheet": layout.sheet}
            )
    labels = sorted({layout.unit_label for layout in delivery.layouts}, key=lambda label: -UNIT_SCALES[label])
    delivery.unit_label = "、".join(labels)
    delivery.unit_scale = max(layout.unit_scale for layout in delivery.layouts)


def _check_months(delivery: Delivery) -> None:
    """A header naming 1-5月 in a 2023年6月 file reads another period's figures: refused."""
    for layout in delivery.layouts:
        if layout.period is None:
            continue
        for written, letter, months in layout.months:
            if months != layout.period.month:
                delivery.errors.append(
                    RowError(layout.sheet, layout.header_rows[-1], written, letter,
                             _("The column “%(header)s” names month %(months)d, but the period is %(period)s")
                             % {"header": written, "months": months, "period": _month_label(layout.period)})
                )  # fmt: skip


def _month_label(period: dt.date) -> str:
    """2023年1-6月 (January: 2023年1月), as the statistics office names a delivery."""
    return f"{period.year}年1-{period.month}月" if period.month > 1 else f"{period.year}年1月"


def _sheet_line(layout: Layout) -> str:
    """What the preview says of each read sheet: its period, where it came from, its unit."""
    if layout.period is None:
        period = _("no period")
    elif layout.period_from == "upload":
        period = _("%(period)s (chosen at upload)") % {"period": _month_label(layout.period)}
    elif layout.period_from:
        period = _("%(period)s (from sheet “%(sheet)s”)") % {
            "period": _month_label(layout.period),
            "sheet": layout.period_from,
        }
    else:
        row, letter, _written = layout.period_cell
        period = _("%(period)s (title, %(cell)s)") % {
            "period": _month_label(layout.period),
            "cell": f"{letter}{row}",
        }
    read = join_list(
        f"{layout.headers[key]} ({column_letter(position)})"
        for key, position in sorted(layout.positions.items(), key=lambda item: item[1])
        if key in VALUE_FIELDS
    )
    line = _("Sheet “%(sheet)s”: period %(period)s, amounts in %(unit)s; columns read: %(columns)s") % {
        "sheet": layout.sheet,
        "period": period,
        "unit": layout.unit_label,
        "columns": read,
    }
    if layout.checks:
        checked = join_list(
            f"{layout.headers[key]} ({column_letter(position)})"
            for key, position in sorted(layout.checks.items(), key=lambda item: item[1])
        )
        line += _("; checked against the figures, not stored: %(columns)s") % {"columns": checked}
    return line


def _numbers(cells: list, count: int, key: str) -> tuple[pl.Series, pl.Series]:
    """(the cells as numbers, the text cells as typed and cleaned); a text that is no number is null in the
    first and kept in the second."""
    kinds = set(map(type, cells))
    if kinds <= _PLAIN_CELLS:
        # Polars converts the number cells itself (text becomes null); only the text cells are then
        # picked out by position, cleaned and parsed.
        numbers = pl.Series(key, cells, dtype=pl.Float64, strict=False)
        texts: list = [None] * count
        if str in kinds:
            for index in numbers.is_null().arg_true().to_list():
                texts[index] = cells[index] or None
    else:  # dates or booleans among the cells: shown as text so that the check below reports them
        numbers = pl.Series(key, [v if type(v) in (float, int) else None for v in cells], dtype=pl.Float64)
        texts = [
            v if type(v) is str else None if v is None or type(v) in (float, int) else shown(v) for v in cells
        ]
    if any(texts):
        text = _normalise_text(pl.Series(key, texts, dtype=pl.String))
        numbers = pl.select(pl.coalesce(numbers, text.cast(pl.Float64, strict=False))).to_series().alias(key)
    else:
        text = pl.Series(key, [None] * count, dtype=pl.String)
    return numbers, text


def _read_sheet(
    delivery: Delivery, layout: Layout, grid: list[list]
) -> tuple[pl.DataFrame, pl.DataFrame | None] | None:
    start = layout.header_rows[-1]  # 0-based index of the first row below the header
    if start >= len(grid):
        return None
    count = len(grid) - start
    rows = pl.Series("row", range(start + 1, start + 1 + count), dtype=pl.Int32)
    body = grid[start:]
    width = max(len(row) for row in body)
    if any(len(row) != width for row in body):
        body = [list(row) + [""] * (width - len(row)) for row in body]
    transposed = list(zip(*body, strict=True))  # column-wise, in C

    def text_column(name: str, key: str) -> pl.Series:
        position = layout.positions.get(key)
        if position is None:
            return pl.Series(name, [None] * count, dtype=pl.String)
        series = pl.Series(name, transposed[position], strict=False)
        if series.dtype != pl.String:
            series = pl.Series(
                name, [None if is_blank(v) else shown(v) for v in transposed[position]], dtype=pl.String
            )
        series = series.str.replace_many(_INVISIBLE, [""] * len(_INVISIBLE)).str.strip_chars()
        return series.replace({"": None})

    def original(key: str, row_number: int) -> str:
        """The cell as the user typed it, for an error message."""
        position = layout.positions.get(key, layout.checks.get(key))
        return shown(transposed[position][row_number - start - 1])

    # Whether a code is valid is checked against the registry and core.uscc by StatsImporter.plan.
    uscc = normalise_codes(text_column("uscc", "uscc"))
    columns = {"row": rows, "uscc": uscc, "name": text_column("name", "name")}
    for key in VALUE_FIELDS:
        position = layout.positions.get(key)
        if position is None:
            continue
        numbers, text = _numbers(transposed[position], count, key)
        columns[key] = numbers
        columns[f"_{key}_raw"] = text.alias(f"_{key}_raw")  # the text cells, as typed (cleaned)
    for key, position in layout.checks.items():
        columns[key] = _numbers(transposed[position], count, key)[0]
    frame = pl.DataFrame(columns)

    value_keys = [k for k in VALUE_FIELDS if k in frame.columns]
    any_value = pl.any_horizontal(
        [pl.col(k).is_not_null() | pl.col(f"_{k}_raw").is_not_null() for k in value_keys]
    )
    label = pl.coalesce([pl.col("name"), pl.col("uscc")]).fill_null("")
    is_total = label.str.contains("|".join(TOTAL_WORDS))
    # A note or signature line may sit in any column, the code's too (注：… in A, 填表人：李四 in C): a row whose
    # code or name opens like one is looked at cell by cell (core.importing.is_note_row).
    opens_like_note = pl.col("uscc").str.contains(NOTE_PATTERN) | pl.col("name").str.contains(NOTE_PATTERN)
    candidates = frame.select(opens_like_note.fill_null(False)).to_series()
    signed = pl.Series("_signed", [False] * count)
    if candidates.any():
        where = candidates.arg_true().to_list()
        signed = signed.scatter(where, [is_note_row(body[index]) for index in where])
    frame = frame.with_columns(signed)
    is_note = pl.col("_signed") | (
        pl.col("uscc").is_null() & (label.str.contains("^(" + "|".join(NOTE_PREFIXES) + ")") | ~any_value)
    )
    frame = frame.with_columns(is_total.alias("_total"), is_note.alias("_note"), any_value.alias("_any"))
    # Rows of text without a code and without figures (notes, signatures, a name alone) are listed as not
    # read; blank rows are not worth a line.
    noted = frame.filter(pl.col("_note") & ~pl.col("_total") & (label.str.len_chars() > 0))
    layout.notes.extend(noted["row"].to_list())
    frame = frame.filter(~pl.col("_note"))

    # Every check is one boolean column computed at once; only the checks that fail somewhere are looked
    # at row by row, to say where and why.
    checks: list[tuple[str, pl.Expr, str]] = [  # (field, failing, reason)
        ("uscc", pl.col("uscc").is_null() & ~pl.col("_total"), _("Required: this cell must not be blank")),
    ]
    money_keys = []
    for key in value_keys:
        checks.append((key, pl.col(f"_{key}_raw").is_not_null() & pl.col(key).is_null(),
                       _("“%(value)s” is not a number")))  # fmt: skip
        unit = measure(key.rsplit("_", 1)[0])
        if unit.is_integer:
            checks.append((key, pl.col(key).is_not_null() & (pl.col(key) != pl.col(key).round(0)),
                           _("“%(value)s” is not a whole number")))  # fmt: skip
        if not key.startswith("profit"):  # a loss is a negative profit; nothing else may be negative
            checks.append((key, pl.col(key) < 0, _("“%(value)s” is negative")))
        scaled = pl.col(key) * layout.scale_of(key)
        if unit.is_money:
            money_keys.append(key)
            checks.append(
                (key, (scaled - scaled.round(2)).abs() > 1e-6 * pl.max_horizontal(1, scaled.abs() / 1e8),
                 _("“%(value)s” has more decimal places than a fen (0.01 元)"))
            )  # fmt: skip
            checks.append((key, scaled.abs() >= float(MAX_SCALED), _("“%(value)s” is too large")))
        elif not unit.is_integer:
            checks.append(
                (key, (scaled - scaled.round(2)).abs() > 1e-6 * pl.max_horizontal(1, scaled.abs() / 1e8),
                 _("“%(value)s” has more than two decimal places"))
            )  # fmt: skip
            checks.append((key, scaled.abs() >= float(MAX_SCALED), _("“%(value)s” is too large")))
    flags = frame.select(
        [check.fill_null(False).alias(f"_check{i}") for i, (_k, check, _r) in enumerate(checks)]
    )
    failing = [i for i, hits in enumerate(flags.sum().row(0)) if hits]
    for i in failing:
        key, _check, reason = checks[i]
        header, letter = layout.locate(key)
        header = header if header != key else "统一社会信用代码"
        for (row_number,) in frame.select("row").filter(flags[f"_check{i}"]).iter_rows():
            text = original(key, row_number) if key in layout.positions else ""
            delivery.errors.append(
                RowError(layout.sheet, row_number, header, letter, reason % {"value": text})
            )

    # Base units: money to 元 (exact to the fen, checked above), energy to 吨标准煤, people as they are.
    exprs = []
    for key in value_keys:
        unit = measure(key.rsplit("_", 1)[0])
        if unit.is_integer:
            exprs.append(pl.col(key).round(0).cast(pl.Int64, strict=False).alias(key))
        else:
            exprs.append((pl.col(key) * layout.scale_of(key)).round(2).alias(key))
    for key in layout.checks:
        if key.startswith(LAST):
            exprs.append((pl.col(key) * layout.scale_of(key)).round(2).alias(key))
    frame = frame.with_columns(exprs)
    # Totals are kept aside to check the rows against.
    for record in frame.filter(pl.col("_total")).select(["row", *value_keys]).iter_rows(named=True):
        delivery.totals.append((layout.sheet, record.pop("row"), record))
    frame = frame.filter(~pl.col("_total")).with_columns(pl.lit(layout.sheet).alias("sheet"))
    compared = None
    if layout.checks:
        compared = frame.select(["sheet", "row", "uscc", "name", *value_keys, *layout.checks])
    return frame.select(["sheet", "row", "uscc", "name", *value_keys]), compared


def delivery_fields(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in VALUE_FIELDS]


def _check_duplicates(delivery: Delivery) -> None:
    frame = delivery.frame
    dup = frame.filter(pl.col("uscc").is_not_null() & pl.col("uscc").is_duplicated())
    if dup.is_empty():
        return
    layouts = {layout.sheet: layout for layout in delivery.layouts}
    order = {layout.sheet: i for i, layout in enumerate(delivery.layouts)}
    first: dict[str, tuple[str, int]] = {}
    rows = sorted(dup.select(["sheet", "row", "uscc"]).iter_rows(), key=lambda r: (order[r[0]], r[1]))
    for sheet, row_number, code in rows:
        if code not in first:
            first[code] = (sheet, row_number)
            continue
        header, letter = layouts[sheet].locate("uscc")
        other_sheet, other_row = first[code]
        if other_sheet == sheet:
            reason = _("The credit code %(code)s is listed twice (also row %(row)d)") % {
                "code": code, "row": other_row,
            }  # fmt: skip
        else:
            reason = _("The credit code %(code)s is listed twice (also sheet “%(sheet)s” row %(row)d)") % {
                "code": code, "sheet": other_sheet, "row": other_row,
            }  # fmt: skip
        delivery.errors.append(RowError(sheet, row_number, header, letter, reason))


__all__ = ["Delivery", "MEASURE_LIST", "read_delivery", "parse_period", "map_header", "header_key"]
