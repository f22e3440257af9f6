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

from jingkai.core.importing import RowError, column_letter, file_error, fold, is_blank, open_workbook, shown
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS, measure

HEADER_SEARCH_ROWS = 20

# Header spellings (data formats, compared after fold()): measure -> aliases.
MEASURE_ALIASES: dict[str, tuple[str, ...]] = {
    "output": ("工业总产值", "工业总产值(当年价格)", "工业总产值(现价)", "总产值", "产值"),
    "revenue": ("营业收入", "主营业务收入", "营业收入合计"),
    "profit": ("利润总额", "利润"),
    "tax": ("税金总额", "应交税金", "税金", "税收"),
    "rd": ("研发费用", "研究开发费用", "r&d经费", "研发经费"),
    "export": ("出口交货值",),
    "energy": ("综合能耗", "综合能源消费量", "能源消费量"),
    "employees": ("从业人员", "从业人员平均人数", "从业人员期末人数", "平均用工人数", "用工人数"),
}
MONTH_WORDS = ("本月", "当月", "本期", "当期", "月度")
CUM_WORDS = ("累计", "本年累计", "年累", "1-本月", "1-n月", "本年")
YOY_WORDS = ("同比", "增长", "增速", "±%", "同比±%", "增减")
USCC_HEADERS = ("统一社会信用代码", "社会信用代码", "信用代码", "uscc", "法人单位代码")
NAME_HEADERS = ("企业名称", "单位名称", "单位详细名称", "名称", "企业")
TOTAL_WORDS = ("合计", "总计", "小计", "全区合计")
NOTE_PREFIXES = ("注", "说明", "备注", "填报", "制表", "数据来源", "资料来源")

UNIT_SCALES = {"亿元": 100_000_000, "万元": 10_000, "千元": 1_000, "元": 1}
_UNIT = re.compile(r"(?:单位|計量單位|计量单位)\s*[:：]?\s*(亿元|万元|千元|元)")
_PERIOD = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*[-—~至]\s*)?(\d{1,2})\s*月")
_FULLWIDTH_FROM = list("０１２３４５６７８９．，－＋％　")
_FULLWIDTH_TO = list("0123456789.,-+% ")
_PLAIN_CELLS = {float, int, str, type(None)}

MAX_SCALED = Decimal(10) ** 16  # max_digits 18, decimal_places 2


def _folded_aliases() -> dict[str, str]:
    return {fold(alias): code for code, aliases in MEASURE_ALIASES.items() for alias in aliases}


def _which(text: str) -> str | None:
    """'month', 'cum', 'yoy' or None for a sub-header such as 本月, 1-6月累计, 同比±%."""
    folded = fold(text)
    if not folded:
        return None
    if any(fold(word) in folded for word in YOY_WORDS) or folded.endswith("%"):
        return "yoy"
    if any(fold(word) in folded for word in CUM_WORDS) or re.search(r"1-\d{1,2}月", folded):
        return "cum"
    if any(fold(word) in folded for word in MONTH_WORDS):
        return "month"
    return None


def header_key(top: str, sub: str) -> str:
    """How a (possibly two-row) header is named in a saved template mapping: 工业总产值|本月."""
    top, sub = fold(top), fold(sub)
    return f"{top}|{sub}" if sub else top


def map_header(top: str, sub: str, template_mapping: dict[str, str] | None = None) -> str | None:
    """The MonthlyReport field (or "uscc", "name", "yoy", "") a header means; None when unknown."""
    key = header_key(top, sub)
    if template_mapping:
        folded_mapping = {header_key(*(k.split("|", 1) + [""])[:2]): v for k, v in template_mapping.items()}
        if key in folded_mapping:
            return folded_mapping[key]
    folded_top = fold(top)
    if folded_top in {fold(h) for h in USCC_HEADERS} and not sub:
        return "uscc"
    if folded_top in {fold(h) for h in NAME_HEADERS} and not sub:
        return "name"
    aliases = _folded_aliases()
    code = aliases.get(folded_top)
    which = _which(sub) if sub else None
    if code is None:
        # A one-row header that says both, e.g. 工业总产值本月 or 本月工业总产值.
        for alias, candidate in sorted(aliases.items(), key=lambda item: -len(item[0])):
            if alias in folded_top:
                code, which = candidate, _which(sub) if sub else _which(folded_top.replace(alias, ""))
                break
    if code is None:
        return None
    if which == "yoy":
        return "yoy"
    if which is None:
        # A measure alone: employees as 期末/平均人数 is the month's figure; money alone is the cumulative.
        which = "month" if code == "employees" else "cum"
    return f"{code}_{which}"


@dataclass
class Layout:
    sheet: str
    header_rows: tuple[int, ...]  # Excel row numbers
    positions: dict[str, int]  # field -> 0-based column index
    headers: dict[str, str]  # field -> header as written (top/sub)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header, letter) not read
    yoy: list[str] = field(default_factory=list)  # letters of 同比 columns (recomputed, not read)

    def locate(self, key: str) -> tuple[str, str]:
        if key not in self.positions:
            return key, ""
        return self.headers[key], column_letter(self.positions[key])


@dataclass
class Delivery:
    """What one workbook delivers: one period, values in base units, every problem located."""

    period: dt.date | None = None
    unit_scale: int = 0
    unit_label: str = ""
    frame: pl.DataFrame | None = None  # sheet, row, uscc, name, <value fields> (元 / 吨标准煤 / persons)
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)
    totals: list[tuple[str, int, dict]] = field(default_factory=list)  # (sheet, row, {field: value}) of 合计
    fatal: bool = False
    unmapped: list[str] = field(default_factory=list)  # header keys a template could map

    @property
    def fields(self) -> list[str]:
        return [] if self.frame is None else [c for c in self.frame.columns if c in VALUE_FIELDS]


def parse_period(text: str) -> dt.date | None:
    """2023年1-6月… -> 2023-06-01; 2023年6月 -> 2023-06-01."""
    match = _PERIOD.search(unicodedata.normalize("NFKC", text))
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(3))
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1)


def _cells(grid, index) -> list:
    return grid[index] if index < len(grid) else []


def _find_header(name: str, grid: list[list], mapping: dict | None) -> tuple[Layout | None, list[RowError]]:
    """The row with the USCC header and at least one measure; a second row below it may hold 本月/累计."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = {map_header(shown(c), "", mapping) for c in cells if not is_blank(c)}
        if "uscc" not in found and not (mapping and "uscc" in found):
            continue
        below = _cells(grid, index + 1)
        two_rows = any(_which(shown(c)) for c in below if not is_blank(c)) or _mapped_below(
            cells, below, mapping
        )
        layout = Layout(name, (index + 1, index + 2) if two_rows else (index + 1,), {}, {})
        errors: list[RowError] = []
        top_value = ""
        width = max(len(cells), len(below) if two_rows else 0)
        for position in range(width):
            cell = cells[position] if position < len(cells) else ""
            if not is_blank(cell):
                top_value = shown(cell)  # a merged cell: calamine gives its value to the first cell only
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
            target = map_header(top_value, sub, mapping)
            letter = column_letter(position)
            if target == "yoy":
                layout.yoy.append(letter)
            elif target in (None, ""):
                layout.ignored.append((written, letter))
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
        if not any(key in VALUE_FIELDS for key in layout.positions):
            continue
        return layout, errors
    return None, []


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
    """Text numbers as typed: full-width digits, thousands separators, spaces; '-' or '—' alone is blank."""
    cleaned = series.cast(pl.String)
    if series.dtype == pl.String:
        cleaned = cleaned.str.strip_chars().str.replace_many(_FULLWIDTH_FROM, _FULLWIDTH_TO)
    cleaned = cleaned.str.replace_all(r"[,\s\u00a0]", "")
    return cleaned.replace({"": None, "-": None, "—": None, "--": None, "/": None})


def normalise_codes(series: pl.Series) -> pl.Series:
    """Credit codes as core.uscc.normalize writes them (NFKC, no white space, upper case), column-wise.

    NFKC runs only on the cells that are not already plain letters and digits (a space, a full-width form):
    over a whole column of 100,000 codes it would cost 45 ms, the check costs 9.
    """
    odd = (~series.str.contains(r"^[0-9A-Za-z]*$")).fill_null(False)
    if odd.any():
        where = odd.arg_true()
        series = series.scatter(where, series.gather(where).str.normalize("NFKC").str.replace_all(r"\s", ""))
    return series.str.to_uppercase()


def _column(grid, start: int, position: int) -> list:
    return [row[position] if position < len(row) else None for row in grid[start:]]


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
    """Read the workbook into a columnar frame; every problem located by sheet, row, column and reason."""
    delivery = Delivery(period=period, unit_scale=unit_scale)
    opened = open_workbook(content, file_name)
    if opened.fatal:
        delivery.errors, delivery.fatal = opened.errors, True
        return delivery

    frames = []
    for sheet in opened.sheets:
        layout, header_errors = _find_header(sheet.name, sheet.grid, mapping)
        if layout is None:
            continue
        delivery.layouts.append(layout)
        delivery.errors.extend(header_errors)
        _read_preamble(delivery, sheet.name, sheet.grid[: layout.header_rows[0] - 1])
        frame = _read_sheet(delivery, layout, sheet.grid)
        if frame is not None:
            frames.append(frame)

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
    if delivery.period is None:
        delivery.errors.append(
            file_error(
                _(
                    "The period is not stated: the title should name it, e.g. “2023年1-6月规上工业企业主要指标”, "
                    "or choose the period when uploading"
                )
            )
        )
    if not delivery.unit_scale:
        delivery.unit_scale = UNIT_SCALES["元"]
        delivery.unit_label = "元"
        delivery.notices.append(_("No units row (单位：万元 or 千元) found: amounts are read as 元"))
    for layout in delivery.layouts:
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
                _(
                    "Sheet “%(sheet)s”: the year-on-year columns (%(columns)s) are not read; growth is computed"
                )
                % {"sheet": layout.sheet, "columns": "、".join(layout.yoy)}
            )
    if frames:
        delivery.frame = _scale(delivery, pl.concat(frames, how="diagonal_relaxed"))
        _check_duplicates(delivery)
    elif not delivery.errors:
        delivery.errors.append(file_error(_("The workbook has a header row but no data rows")))
    return delivery


def _read_preamble(delivery: Delivery, sheet: str, rows: list[list]) -> None:
    for cells in rows:
        for cell in cells:
            if is_blank(cell):
                continue
            text = unicodedata.normalize("NFKC", shown(cell))
            if delivery.period is None and "月" in text:
                delivery.period = parse_period(text)
            unit = _UNIT.search(text)
            if unit and not delivery.unit_scale:
                delivery.unit_scale = UNIT_SCALES[unit.group(1)]
                delivery.unit_label = unit.group(1)


def _read_sheet(delivery: Delivery, layout: Layout, grid: list[list]) -> pl.DataFrame | None:
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
        series = series.str.strip_chars()
        return series.replace({"": None})

    # Whether a code is valid is checked against the registry and core.uscc by StatsImporter.plan.
    uscc = normalise_codes(text_column("uscc", "uscc"))
    columns = {"row": rows, "uscc": uscc, "name": text_column("name", "name")}
    for key in VALUE_FIELDS:
        position = layout.positions.get(key)
        if position is None:
            continue
        cells = transposed[position]
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
            numbers = pl.Series(
                key, [v if type(v) in (float, int) else None for v in cells], dtype=pl.Float64
            )
            texts = [
                v if type(v) is str else None if v is None or type(v) in (float, int) else shown(v)
                for v in cells
            ]
        if any(texts):
            text = _normalise_text(pl.Series(key, texts, dtype=pl.String))
            columns[key] = (
                pl.select(pl.coalesce(numbers, text.cast(pl.Float64, strict=False))).to_series().alias(key)
            )
        else:
            text = pl.Series(key, [None] * count, dtype=pl.String)
            columns[key] = numbers
        columns[f"_{key}_raw"] = text.alias(f"_{key}_raw")  # the text cells, as typed (cleaned)
    frame = pl.DataFrame(columns)

    value_keys = [k for k in VALUE_FIELDS if k in frame.columns]
    any_value = pl.any_horizontal(
        [pl.col(k).is_not_null() | pl.col(f"_{k}_raw").is_not_null() for k in value_keys]
    )
    label = pl.coalesce([pl.col("name"), pl.col("uscc")]).fill_null("")
    is_total = label.str.contains("|".join(TOTAL_WORDS))
    is_note = pl.col("uscc").is_null() & (
        label.str.contains("^(" + "|".join(NOTE_PREFIXES) + ")") | ~any_value
    )
    frame = frame.with_columns(is_total.alias("_total"), is_note.alias("_note"), any_value.alias("_any"))
    # Totals are kept aside to check the rows against; notes and blank rows are not data.
    for record in frame.filter(pl.col("_total")).select(["row", *value_keys]).iter_rows(named=True):
        delivery.totals.append((layout.sheet, record.pop("row"), record))
    frame = frame.filter(~pl.col("_total") & ~pl.col("_note"))

    # Every check is one boolean column computed at once; only the checks that fail somewhere are looked
    # at row by row, to say where and why.
    checks: list[tuple[str, pl.Expr, str, str]] = [  # (field, failing, value column, reason)
        ("uscc", pl.col("uscc").is_null(), "uscc", _("Required: this cell must not be blank")),
    ]
    for key in value_keys:
        checks.append((key, pl.col(f"_{key}_raw").is_not_null() & pl.col(key).is_null(), f"_{key}_raw",
                       _("“%(value)s” is not a number")))  # fmt: skip
        if measure(key.rsplit("_", 1)[0]).is_integer:
            checks.append((key, pl.col(key).is_not_null() & (pl.col(key) != pl.col(key).round(0)), key,
                           _("“%(value)s” is not a whole number")))  # fmt: skip
        if not key.startswith("profit"):  # a loss is a negative profit; nothing else may be negative
            checks.append((key, pl.col(key) < 0, key, _("“%(value)s” is negative")))
    flags = frame.select(
        [check.fill_null(False).alias(f"_check{i}") for i, (_k, check, _v, _r) in enumerate(checks)]
    )
    failing = [i for i, hits in enumerate(flags.sum().row(0)) if hits]
    for i in failing:
        key, _check, value_column, reason = checks[i]
        header, letter = layout.locate(key)
        header = header if header != key else "统一社会信用代码"
        hits = frame.select("row", value_column).filter(flags[f"_check{i}"])
        for row_number, value in hits.iter_rows():
            text = shown(value) if value is not None else ""
            delivery.errors.append(
                RowError(layout.sheet, row_number, header, letter, reason % {"value": text})
            )
    frame = frame.with_columns(pl.lit(layout.sheet).alias("sheet"))
    return frame.select(["sheet", "row", "uscc", "name", *value_keys])


def _scale(delivery: Delivery, frame: pl.DataFrame) -> pl.DataFrame:
    """Money to 元 (two decimals; more is an error, never a silent rounding); energy and people as they are."""
    exprs = []
    for key in delivery_fields(frame):
        unit = measure(key.rsplit("_", 1)[0])
        if unit.is_money:
            scaled = pl.col(key) * delivery.unit_scale
            exprs.append(scaled.round(2).alias(key))
            exprs.append(
                ((scaled - scaled.round(2)).abs() > 1e-6 * pl.max_horizontal(1, scaled.abs() / 1e8)).alias(
                    f"_{key}_places"
                )
            )
            exprs.append((scaled.abs() >= float(MAX_SCALED)).alias(f"_{key}_big"))
        elif unit.is_integer:
            exprs.append(pl.col(key).round(0).cast(pl.Int64, strict=False).alias(key))
        else:
            exprs.append(pl.col(key).round(2).alias(key))
    frame = frame.with_columns(exprs)
    layouts = {layout.sheet: layout for layout in delivery.layouts}
    for key in delivery_fields(frame):
        for suffix, reason in (
            ("places", _("“%(value)s” has more decimal places than a fen (0.01 元)")),
            ("big", _("“%(value)s” is too large")),
        ):
            flag = f"_{key}_{suffix}"
            if flag not in frame.columns:
                continue
            for sheet, row_number, value in (
                frame.filter(pl.col(flag)).select(["sheet", "row", key]).iter_rows()
            ):
                header, letter = layouts[sheet].locate(key)
                delivery.errors.append(
                    RowError(sheet, row_number, header, letter, reason % {"value": shown(value)})
                )
    return frame.select([c for c in frame.columns if not c.startswith("_")])


def delivery_fields(frame: pl.DataFrame) -> list[str]:
    return [c for c in frame.columns if c in VALUE_FIELDS]


def _check_duplicates(delivery: Delivery) -> None:
    frame = delivery.frame
    dup = frame.filter(pl.col("uscc").is_not_null() & pl.col("uscc").is_duplicated())
    if dup.is_empty():
        return
    layouts = {layout.sheet: layout for layout in delivery.layouts}
    first: dict[str, tuple[str, int]] = {}
    for sheet, row_number, code in dup.sort(["sheet", "row"]).select(["sheet", "row", "uscc"]).iter_rows():
        if code not in first:
            first[code] = (sheet, row_number)
            continue
        header, letter = layouts[sheet].locate("uscc")
        delivery.errors.append(
            RowError(
                sheet, row_number, header, letter,
                _("The credit code %(code)s is listed twice (also row %(row)d)")
                % {"code": code, "row": first[code][1]},
            )
        )  # fmt: skip


__all__ = ["Delivery", "MEASURE_LIST", "read_delivery", "parse_period", "map_header", "header_key"]
