"""The manifest of the hand-made import corpus (issue 10 §6): what each file holds and what the import must do.

make_corpus.py writes the files from this module (openpyxl, then LibreOffice re-saves each as .xlsx and .xls);
tests/core/imports/test_corpus.py reads the files through the real readers and checks them against it. So the
files and the tests agree by construction, and neither computes a credit code at run time: the codes below were
built once with jingkai.core.uscc.make_code("91", "330482", body) and printed here as constants.

Values are Decimal strings in the unit the sheet states (万元 for the statistics sheets, 万 of the currency for the
enterprise sheets); a reader stores them ×10,000.

Excel rows are 1-based, as staff see them. The grids below are the cells exactly as written, row 1 first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

FORMATS = ("xlsx", "xls")
WAN = 10_000  # 万元 → 元

# --- Credit codes (make_code("91", "330482", body); the body in the comment) ------------------------------------
JIA = "91330482MA2ABC010P"  # MA2ABC01
YI = "91330482MA2CJK114P"  # MA2CJK11
BING = "91330482MA2CJK229X"  # MA2CJK22
DING = "91330482MA2CJK3332"  # MA2CJK33
ENT_1 = "91330482MA2CJK4488"  # MA2CJK44
ENT_2 = "91330482MA2CJK552C"  # MA2CJK55
ENT_3 = "91330482MA2CJK667J"  # MA2CJK66
ENT_CAPITAL = "91330482MA2CJK771N"  # MA2CJK77
ENT_VISIBLE_1 = "91330482MA2CJK886W"  # MA2CJK88
ENT_VISIBLE_2 = "91330482MA2CJK9901"  # MA2CJK99
ENT_HIDDEN_1 = "91330482MA2CJKA11H"  # MA2CJKA1
ENT_HIDDEN_2 = "91330482MA2CJKB26P"  # MA2CJKB2
CSV_1 = "91330482MA2CJKC30U"  # MA2CJKC3
CSV_2 = "91330482MA2CJKD452"  # MA2CJKD4
WU_VALID = "91330482MA2CJKE5X3"  # MA2CJKE5: the real code …
WU_WRONG = "91330482MA2CJKE5X4"  # … typed with a wrong 18th character
WU_EXPECTED_CHECK = "3"  # what `jingkai uscc` says position 18 should be

NAMES = {
    JIA: "嘉兴甲精工机械有限公司",
    YI: "平湖乙新材料科技有限公司",
    BING: "丙光电器件（平湖）有限公司",
    DING: "丁智能装备有限公司",
    ENT_1: "平湖市星河纺织有限公司",
    ENT_2: "浙江朗川医疗器械有限公司",
    ENT_3: "平湖宏达包装材料有限公司",
    ENT_CAPITAL: "美联精密部件（平湖）有限公司",
    ENT_VISIBLE_1: "平湖锦程物流有限公司",
    ENT_VISIBLE_2: "浙江海纳环保科技有限公司",
    ENT_HIDDEN_1: "平湖旧录电子有限公司",
    ENT_HIDDEN_2: "平湖旧录五金制品有限公司",
    CSV_1: "浙江青禾食品股份有限公司",
    CSV_2: "平湖市云帆电气有限公司",
    WU_VALID: "戊精密铸造有限公司",
}

# --- The statistics workbook's fixed lines ------------------------------------------------------------------
TITLE_MAY = "2023年1-5月规上工业企业主要指标"
TITLE_JUNE = "2023年1-6月规上工业企业主要指标"
UNIT_WAN = "单位：万元"
NOTE = "注：本表数据为快报数，以正式年报为准；增长%按可比价计算。"
SIGNATURE = "单位负责人：张三  填表人：李四"
USCC_HEADER, NAME_HEADER = "统一社会信用代码", "企业名称"
MAY, JUNE = dt.date(2023, 5, 1), dt.date(2023, 6, 1)


@dataclass(frozen=True)
class Sheet:
    name: str
    grid: tuple[
        tuple, ...
    ]  # the cells as written, row 1 first; None is an empty cell, a str is written as text
    state: str = "visible"  # "visible", "hidden" or "veryHidden" (openpyxl's sheet_state)
    merges: tuple[str, ...] = ()  # e.g. "C3:F3"
    rows: dict[str, int] = field(default_factory=dict)  # credit code (as intended) -> its Excel row
    values: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # code -> {field: Decimal string as written}
    letters: dict[str, str] = field(default_factory=dict)  # field -> column letter


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "stats" (jingkai.stats.reader) or "enterprises" (core.importing.read_workbook, COLUMNS)
    sheets: tuple[Sheet, ...]
    holds: str  # what the file holds (README)
    expect: str  # what the importer must do with it (README)

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    @property
    def visible(self) -> tuple[Sheet, ...]:
        return tuple(s for s in self.sheets if s.state == "visible")

    @property
    def hidden(self) -> tuple[Sheet, ...]:
        return tuple(s for s in self.sheets if s.state != "visible")


def letter(index: int) -> str:
    """0 -> A (the sheets here are narrower than 26 columns)."""
    return chr(ord("A") + index)


@dataclass(frozen=True)
class Col:
    field: str | None  # the MonthlyReport field (or measure code) the column means; None: not a value to read
    top: str
    sub: str = ""


@dataclass(frozen=True)
class Row:
    code: str  # as intended
    values: dict[str, str]  # field -> Decimal string in 万元, as intended
    typed: dict[str, str] = field(
        default_factory=dict
    )  # field -> the text as typed (else written as a number)
    typed_code: str = ""  # the code as typed, when it differs
    name: str = ""  # default NAMES[code]


def stats_sheet(
    name: str, title: str, cols: list[Col], rows: list[Row], *, state: str = "visible", start: int = 4
) -> Sheet:
    """Title (A1), units (A2), a one- or two-row header from row 3, the rows, 合计, a note and a signature line.

    A two-row header merges each measure over its sub-headers; 统一社会信用代码 and 企业名称 are merged down.
    start: the Excel row of the first enterprise (below the header; more leaves blank rows).
    """
    two_rows = any(c.sub for c in cols)
    header_top: list = [USCC_HEADER, NAME_HEADER]
    header_sub: list = [None, None]
    merges = ["A3:A4", "B3:B4"] if two_rows else []
    spans: list[list[int]] = []  # [first, last] column index of each measure's top cell
    for index, col in enumerate(cols, start=2):
        if spans and cols[spans[-1][0] - 2].top == col.top:
            spans[-1][1] = index
            header_top.append(None)
        else:
            spans.append([index, index])
            header_top.append(col.top)
        header_sub.append(col.sub or None)
    if two_rows:
        merges.extend(f"{letter(a)}3:{letter(b)}3" for a, b in spans if b > a)
    grid: list[tuple] = [(title,), (UNIT_WAN,), tuple(header_top)]
    if two_rows:
        grid.append(tuple(header_sub))
    first = len(grid) + 1
    start = max(start, first)
    grid.extend(() for _ in range(start - first))
    positions, values = {}, {}
    totals: dict[str, Decimal] = {}
    for row in rows:
        cells = [row.typed_code or row.code, row.name or NAMES[row.code]]
        for col in cols:
            if col.field in row.typed:
                cells.append(row.typed[col.field])
            elif col.field in row.values:
                cells.append(float(Decimal(row.values[col.field])))
            else:
                cells.append(None)
            if col.field in row.values and not col.field.endswith("_growth"):
                totals[col.field] = totals.get(col.field, Decimal(0)) + Decimal(row.values[col.field])
        positions[row.code] = len(grid) + 1
        values[row.code] = dict(row.values)
        grid.append(tuple(cells))
    grid.append(("合计", None, *(float(totals[c.field]) if c.field in totals else None for c in cols)))
    grid.append(())
    grid.append((NOTE,))
    grid.append((SIGNATURE,))
    letters = {"uscc": "A", "name": "B"} | {
        c.field: letter(i) for i, c in enumerate(cols, start=2) if c.field
    }
    return Sheet(name, tuple(grid), state, tuple(merges), positions, values, letters)


def _sub_columns(measure: str, top: str, subs: list[tuple[str, str]]) -> list[Col]:
    return [Col(f"{measure}_{suffix}", top, sub) for suffix, sub in subs]


ONE_ROW = [Col("output_cum", "工业总产值"), Col("revenue_cum", "营业收入")]
MONTH_AND_CUM = [
    Col("output_month", "工业总产值", "本月"),
    Col("output_cum", "工业总产值", "1-6月"),
    Col("revenue_month", "营业收入", "本月"),
    Col("revenue_cum", "营业收入", "1-6月"),
]
MONTH_AND_CUM_MAY = [
    Col("output_month", "工业总产值", "本月"),
    Col("output_cum", "工业总产值", "1-5月"),
    Col("revenue_month", "营业收入", "本月"),
    Col("revenue_cum", "营业收入", "1-5月"),
]
LAST_YEAR_SUBS = [("month", "本月"), ("cum", "1-6月"), ("last_year", "上年同期"), ("growth", "增长%")]


def _june(code: str, output_month: str, output_cum: str, revenue_month: str, revenue_cum: str) -> Row:
    return Row(
        code,
        {
            "output_month": output_month,
            "output_cum": output_cum,
            "revenue_month": revenue_month,
            "revenue_cum": revenue_cum,
        },
    )


# --- The cases ------------------------------------------------------------------------------------------------

CASES: dict[str, Case] = {}


def _case(case: Case) -> Case:
    CASES[case.name] = case
    return case


_case(
    Case(
        "stats_hidden_first_sheet",
        "stats",
        (
            stats_sheet(
                "5月",
                TITLE_MAY,
                MONTH_AND_CUM_MAY,
                [
                    _june(JIA, "1010.50", "5120.30", "980.25", "4890.75"),
                    _june(YI, "802.00", "3995.40", "760.10", "3702.60"),
                    _june(BING, "455.35", "2210.05", "430.00", "2104.90"),
                ],
                state="hidden",
            ),
            stats_sheet(
                "6月",
                TITLE_JUNE,
                MONTH_AND_CUM,
                [
                    _june(JIA, "1102.70", "6223.00", "1050.15", "5940.90"),
                    _june(YI, "845.60", "4841.00", "801.20", "4503.80"),
                    _june(BING, "470.45", "2680.50", "442.30", "2547.20"),
                ],
            ),
        ),
        "Sheet 1 “5月” (hidden) holds 2023年1-5月 figures; sheet 2 “6月” (visible) holds 2023年1-6月 figures for the "
        "same 3 enterprises, with other numbers. Two-row header (本月 / 1-n月).",
        "Read only the visible sheet: period 2023-06, the 6月 figures; “5月” listed in hidden_sheets.",
    )
)

_case(
    Case(
        "stats_very_hidden_lookup",
        "stats",
        (
            stats_sheet(
                "6月",
                TITLE_JUNE,
                ONE_ROW,
                [
                    Row(JIA, {"output_cum": "6223.00", "revenue_cum": "5940.90"}),
                    Row(YI, {"output_cum": "4841.00", "revenue_cum": "4503.80"}),
                    Row(BING, {"output_cum": "2680.50", "revenue_cum": "2547.20"}),
                ],
            ),
            stats_sheet(
                "代码对照",
                "企业代码对照表（内部）",
                [Col("revenue_cum", "营业收入")],
                [
                    Row(JIA, {"revenue_cum": "11800.00"}),
                    Row(YI, {"revenue_cum": "9020.00"}),
                    Row(BING, {"revenue_cum": "5100.00"}),
                    Row(DING, {"revenue_cum": "3300.00"}),
                ],
                state="veryHidden",
            ),
        ),
        "A visible “6月” sheet (one-row header) and a very hidden “代码对照” sheet written by openpyxl with "
        "sheet_state = 'veryHidden': a lookup list with 统一社会信用代码, 企业名称 and 营业收入 numbers (4 codes, one "
        "not on 6月). LibreOffice 7.4 saves a very hidden sheet as merely hidden, in .xlsx and in .xls (checked: "
        'state="hidden" in workbook.xml, calamine reports Hidden); the case is kept, it tests a hidden lookup sheet.',
        "The lookup is not read: only the 6月 rows, no duplicate-code error; the lookup sheet listed in hidden_sheets.",
    )
)

_case(
    Case(
        "stats_two_periods",
        "stats",
        (
            stats_sheet(
                "五月快报",
                TITLE_MAY,
                MONTH_AND_CUM_MAY,
                [
                    _june(JIA, "1010.50", "5120.30", "980.25", "4890.75"),
                    _june(YI, "802.00", "3995.40", "760.10", "3702.60"),
                ],
            ),
            stats_sheet(
                "六月快报", TITLE_JUNE, MONTH_AND_CUM, [_june(BING, "470.45", "2680.50", "442.30", "2547.20")]
            ),
        ),
        "Two visible sheets: “五月快报” titled 2023年1-5月 (2 enterprises), “六月快报” titled 2023年1-6月 (a third "
        "enterprise, so that no code is duplicated).",
        "Refused: one workbook is one period; an error at the second sheet’s title (above its header) names the "
        "sheet “六月快报”.",
    )
)

_case(
    Case(
        "stats_last_year_columns",
        "stats",
        (
            stats_sheet(
                "规上工业",
                TITLE_JUNE,
                _sub_columns("output", "工业总产值", LAST_YEAR_SUBS)
                + _sub_columns("revenue", "营业收入", LAST_YEAR_SUBS),
                [
                    Row(
                        JIA,
                        {
                            "output_month": "1102.70",
                            "output_cum": "6223.00",
                            "output_last_year": "5760.20",
                            "output_growth": "8.0",
                            "revenue_month": "1050.15",
                            "revenue_cum": "5940.90",
                            "revenue_last_year": "5600.00",
                            "revenue_growth": "6.1",
                        },
                    ),  # fmt: skip
                    Row(
                        YI,
                        {
                            "output_month": "845.60",
                            "output_cum": "4841.00",
                            "output_last_year": "5012.35",
                            "output_growth": "-3.4",
                            "revenue_month": "801.20",
                            "revenue_cum": "4503.80",
                            "revenue_last_year": "4700.00",
                            "revenue_growth": "-4.2",
                        },
                    ),  # fmt: skip
                ],
            ),
        ),
        "Two-row header: 工业总产值 merged over 本月 | 1-6月 | 上年同期 | 增长% (C-F), 营业收入 the same (G-J).",
        "本月 and 1-6月 read as month and cumulative; 上年同期 (E, I) not taken for the cumulative (no “appears "
        "twice” error); 增长% (F, J) recognised as growth columns, not read as figures.",
    )
)

_case(
    Case(
        "stats_sales_output_only",
        "stats",
        (
            stats_sheet(
                "规上工业",
                TITLE_JUNE,
                [
                    Col("sales_cum", "工业销售产值"),
                    Col("new_product_cum", "新产品产值"),
                    Col("revenue_cum", "营业收入"),
                ],
                [
                    Row(
                        JIA, {"sales_cum": "6011.40", "new_product_cum": "1520.00", "revenue_cum": "5940.90"}
                    ),
                    Row(YI, {"sales_cum": "4760.25", "new_product_cum": "980.50", "revenue_cum": "4503.80"}),
                    Row(BING, {"sales_cum": "2601.00", "new_product_cum": "0", "revenue_cum": "2547.20"}),
                ],
            ),
        ),
        "One-row header 统一社会信用代码 | 企业名称 | 工业销售产值 | 新产品产值 | 营业收入; no 工业总产值 column.",
        "工业销售产值 is not imported as 工业总产值 (output stays empty): it is the measure “sales” (sales_cum), "
        "新产品产值 the measure “new_product” (new_product_cum); 营业收入 as revenue_cum.",
    )
)

_case(
    Case(
        "stats_fullwidth_invisible",
        "stats",
        (
            stats_sheet(
                "规上工业",
                TITLE_JUNE,
                [Col("output_cum", "\u00a0工业总产值\u00a0"), Col("revenue_cum", "\u00a0\u00a0营业收入")],
                [
                    Row(
                        JIA,
                        {"output_cum": "123.45", "revenue_cum": "1234.5"},
                        typed={"output_cum": "１２３．４５", "revenue_cum": "1,234.5"},
                    ),
                    Row(
                        YI,
                        {"output_cum": "12345.6", "revenue_cum": "6789.01"},
                        typed={"output_cum": "12\u200b345.6", "revenue_cum": "６，７８９．０１"},
                    ),
                    Row(
                        BING,
                        {"output_cum": "2680.5", "revenue_cum": "2547.2"},
                        typed={"output_cum": "2,680.50", "revenue_cum": "\u00a02547.20\u00a0"},
                        typed_code=BING[:9] + "\u200b" + BING[9:],
                    ),
                ],
            ),
        ),
        "Numbers typed as text: full-width digits (１２３．４５, ６，７８９．０１), thousands separators (1,234.5, "
        "2,680.50), a zero-width space U+200B inside a number (between 12 and 345.6) and inside a credit code "
        "(after its 9th character), non-breaking spaces U+00A0 around a number and around the headers.",
        "Read exactly as the intended numbers (123.45 万元 → 1234500 元 …) and the intended code; no errors.",
    )
)

_case(
    Case(
        "stats_subfen",
        "stats",
        (
            stats_sheet(
                "规上工业",
                TITLE_JUNE,
                ONE_ROW,
                [
                    Row(JIA, {"output_cum": "6223.00", "revenue_cum": "5940.90"}),
                    Row(YI, {"output_cum": "0.0012345", "revenue_cum": "4503.80"}),
                    Row(BING, {"output_cum": "2680.50", "revenue_cum": "2547.20"}),
                ],
            ),
        ),
        "A 万元 sheet where one value (工业总产值 of the second enterprise, cell C5) is 0.0012345 万元 = 12.345 元, "
        "finer than a fen. The 合计 row sums the column, so its C7 (8903.5012345) is finer than a fen too.",
        "Refused, located at that cell (sheet, row 5, column C); the message contains “0.0012345” as written (not the "
        "scaled 12.35 元).",
    )
)
SUBFEN_CELL = ("规上工业", 5, "C")

_case(
    Case(
        "stats_duplicate_across_sheets",
        "stats",
        (
            stats_sheet(
                "一区",
                TITLE_JUNE,
                ONE_ROW,
                [
                    Row(JIA, {"output_cum": "6223.00", "revenue_cum": "5940.90"}),
                    Row(DING, {"output_cum": "1500.00", "revenue_cum": "1420.00"}),
                ],
            ),
            stats_sheet(
                "二区",
                TITLE_JUNE,
                ONE_ROW,
                [
                    Row(YI, {"output_cum": "4841.00", "revenue_cum": "4503.80"}),
                    Row(BING, {"output_cum": "2680.50", "revenue_cum": "2547.20"}),
                    Row(DING, {"output_cum": "1499.00", "revenue_cum": "1418.00"}),
                ],
            ),
        ),
        "Two visible sheets of the same period (2023年1-6月): 丁 is on “一区” row 5 and on “二区” row 6.",
        "Refused: the duplicate code is an error that names both sheets (一区 and 二区).",
    )
)

_case(
    Case(
        "stats_wrong_check_char",
        "stats",
        (
            stats_sheet(
                "规上工业",
                TITLE_JUNE,
                ONE_ROW,
                [
                    Row(JIA, {"output_cum": "6223.00", "revenue_cum": "5940.90"}),
                    Row(WU_WRONG, {"output_cum": "880.00", "revenue_cum": "860.00"}, name=NAMES[WU_VALID]),
                ],
            ),
        ),
        f"Two enterprises; the second's code is typed {WU_WRONG}: its 18th character should be "
        f"{WU_EXPECTED_CHECK}.",
        "Through StatsImporter (the test stores 甲 and the correct code of 戊 in the registry): refused at that row, "
        f"column A, with the check-character error as `jingkai uscc` words it (naming {WU_EXPECTED_CHECK}), not “not "
        "in the registry”.",
    )
)

# --- Enterprise workbooks (the enterprise import's template headers) -------------------------------------------
ENT_HEADER = ("统一社会信用代码*", "企业名称*", "简称", "注册资本（万）", "注册资本币种", "地址")


@dataclass(frozen=True)
class Firm:
    code: str
    short_name: str
    capital: str  # 万 of the currency, Decimal string
    currency: str  # as typed (人民币, 美元 …)
    address: str

    @property
    def name(self) -> str:
        return NAMES[self.code]

    def cells(self) -> tuple:
        return (
            self.code,
            self.name,
            self.short_name,
            float(Decimal(self.capital)),
            self.currency,
            self.address,
        )


def enterprise_sheet(name: str, firms: list[Firm], *, state: str = "visible", tail: tuple = ()) -> Sheet:
    grid = [ENT_HEADER, *(f.cells() for f in firms), *tail]
    rows = {f.code: index for index, f in enumerate(firms, start=2)}
    values = {f.code: {"capital": f.capital, "currency": f.currency} for f in firms}
    letters = {"uscc": "A", "name": "B", "registered_capital": "D"}
    return Sheet(name, tuple(grid), state, (), rows, values, letters)


NOTES_LINES = ("注：注册资本单位为万元", "填表人：李四   审核人：王五")

_case(
    Case(
        "enterprises_notes_line",
        "enterprises",
        (
            enterprise_sheet(
                "企业名录",
                [
                    Firm(ENT_1, "星河纺织", "1200", "人民币", "平湖市经济开发区新兴路18号"),
                    Firm(ENT_2, "朗川医疗", "3000.5", "人民币", "平湖市钟埭街道兴平二路88号"),
                    Firm(ENT_3, "宏达包装", "500", "人民币", "平湖市曹桥街道工业园区"),
                ],
                tail=((), (NOTES_LINES[0],), (NOTES_LINES[1],)),
            ),
        ),
        "3 enterprises (rows 2-4), a blank row, then “注：注册资本单位为万元” (row 6) and “填表人：李四   审核人：王五” "
        "(row 7) in column A.",
        "3 rows read, no errors; the two lines are notes (note_rows = rows 6 and 7), not rows missing a name.",
    )
)
NOTE_ROW_NUMBERS = (6, 7)

CAPITAL_STORED = ("36350000", "USD")  # what the test stores first: 3635万美元
_case(
    Case(
        "enterprises_capital_wan_yuan",
        "enterprises",
        (
            Sheet(
                "企业名录",
                (
                    ("统一社会信用代码*", "企业名称*", "注册资本（万元）"),
                    (ENT_CAPITAL, NAMES[ENT_CAPITAL], 25000.0),
                ),
                rows={ENT_CAPITAL: 2},
                values={ENT_CAPITAL: {"capital": "25000"}},
                letters={"uscc": "A", "name": "B", "registered_capital": "C"},
            ),
        ),
        "Header 注册资本（万元） and no 币种 column; one row: an enterprise with 25000.",
        "The test first stores that enterprise with 3635万美元. 万元 says 人民币, the stored currency is 美元: a "
        "located error (row 2, column C) naming both currencies; nothing written.",
    )
)

_case(
    Case(
        "enterprises_hidden_sheet",
        "enterprises",
        (
            enterprise_sheet(
                "企业名录",
                [
                    Firm(ENT_VISIBLE_1, "锦程物流", "800", "人民币", "平湖市独山港镇港口路6号"),
                    Firm(ENT_VISIBLE_2, "海纳环保", "2000", "人民币", "平湖市经济开发区新明路1299号"),
                ],
            ),
            enterprise_sheet(
                "旧名录",
                [
                    Firm(ENT_HIDDEN_1, "旧录电子", "100", "人民币", "平湖市当湖街道"),
                    Firm(ENT_HIDDEN_2, "旧录五金", "60", "人民币", "平湖市新埭镇"),
                ],
                state="hidden",
            ),
        ),
        "A visible “企业名录” sheet with 2 enterprises and a hidden “旧名录” sheet with 2 others.",
        "Only the visible 2 read; “旧名录” listed in hidden_sheets.",
    )
)

# --- CSV (the enterprise import), written directly: no LibreOffice ----------------------------------------------
CSV_FIRMS = (
    Firm(CSV_1, "青禾食品", "5000", "人民币", "浙江省平湖市经济开发区, 兴平二路 188 号"),
    Firm(CSV_2, "云帆电气", "880.25", "美元", "平湖市钟埭街道“云帆”工业园"),
)
CSV_FILES = {
    "enterprises_utf8_bom.csv": "utf-8-sig",
    "enterprises_utf8.csv": "utf-8",
    "enterprises_gb18030.csv": "gb18030",
}
CSV_HOLDS = (
    "The same 2 enterprises (Chinese names; an address with a comma, quoted; a 美元 capital) with the template "
    "headers, in UTF-8 with a BOM, UTF-8 and GB18030; CRLF line ends, as Excel and WPS save CSV."
)
CSV_EXPECT = "Each reads as the same 2 rows: codes, names, short names, capital ×10,000 and currency exact."

CURRENCY_CODES = {"人民币": "CNY", "美元": "USD"}


def files() -> list[str]:
    """Every file of the corpus, as named in tests/data/imports/."""
    return [f"{name}.{ext}" for name in CASES for ext in FORMATS] + list(CSV_FILES)


def scaled(value: str) -> Decimal:
    """A value as written (万) in base units (元), to the fen."""
    return (Decimal(value) * WAN).quantize(Decimal("0.01"))
