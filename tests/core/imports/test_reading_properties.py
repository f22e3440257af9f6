"""Property tests of the kernel's row reader (core.importing.read_workbook) over generated files (issue 10 §6).

Every importer but the statistics one reads through it. Generated here: .xlsx workbooks (xlsxwriter) and .csv
files (UTF-8 with or without BOM, GB18030) whose true content is known; title rows above the header, columns in
any order under their template header or an alias, headers with full-width brackets, no-break spaces and line
breaks, blank rows, notes and signature lines under the table, hidden sheets holding other rows, and cells typed
as numbers or as text with full-width digits, thousands separators and zero-width spaces.

Read back exactly, or refused at the planted bad cell with the text it holds: never a silent difference.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jingkai.core import importing
from jingkai.core.importing import Column, column_letter

COLUMNS = [
    Column("code", "代码", importing.text(), required=True, aliases=("编号",)),
    Column("name", "名称", importing.text(max_length=40), aliases=("企业名称",)),
    Column("amount", "金额（万元）", importing.decimal(max_digits=18, decimal_places=2, scale=10_000)),
    Column("count", "人数", importing.integer(), aliases=("从业人员",)),
    Column("day", "日期", importing.date()),
]
FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _header(column: Column, pick: int, decorate: str) -> str:
    header = (column.header, *column.aliases)[pick % (1 + len(column.aliases))]
    if decorate == "halfwidth":
        header = header.replace("（", "(").replace("）", ")")
    elif decorate == "nbsp":
        header = f"\u00a0{header} "
    elif decorate == "break" and len(header) > 2:
        header = header[:1] + "\n" + header[1:]
    elif decorate == "star" and column.required:
        header += "*"
    return header


def _typed(value, how: str, csv_file: bool):
    """A value as it is typed: a number cell or text (full-width, thousands separators, a zero-width space)."""
    if isinstance(value, dt.date):
        return value.isoformat() if csv_file or how != "number" else value
    if isinstance(value, str):
        return value[:1] + "\u200b" + value[1:] if how == "zerowidth" and len(value) > 1 else value
    if how == "number" and not csv_file:
        return float(value)
    text = f"{value:,}" if how == "thousands" else f"{value}"
    if how == "fullwidth":
        return text.translate(FULLWIDTH)
    if how == "zerowidth":
        return text[:1] + "\u200b" + text[1:]
    return text


@st.composite
def files(draw):
    columns = draw(st.permutations(COLUMNS))
    columns = [c for c in columns if c.required or draw(st.booleans())]
    if len(columns) < 2:  # a header row is recognised by two known headers at least
        columns.append(next(c for c in COLUMNS if c.key == "name"))
    rows = []
    codes = draw(
        st.lists(st.from_regex(r"[A-Z]{2}[0-9]{4}", fullmatch=True), min_size=1, max_size=6, unique=True)
    )
    for code in codes:
        rows.append({
            "code": code,
            "name": draw(st.sampled_from(["嘉兴某某精密机械有限公司", "平湖某某电子有限公司", "Acme (China) Ltd"])),
            "amount": Decimal(draw(st.integers(0, 10**9))).scaleb(-draw(st.integers(0, 6))),
            "count": draw(st.integers(0, 100_000)),
            "day": dt.date(2000, 1, 1) + dt.timedelta(days=draw(st.integers(0, 9000))),
            "how": draw(st.sampled_from(["number", "plain", "thousands", "fullwidth", "zerowidth"])),
            "blank_before": draw(st.booleans()),
        })  # fmt: skip
    return {
        "columns": columns,
        "picks": {c.key: draw(st.integers(0, 3)) for c in columns},
        "decorate": draw(st.sampled_from(["plain", "halfwidth", "nbsp", "break", "star"])),
        "title": draw(st.sampled_from(["", "企业名录", "平湖经开区企业名录（2023年）"])),
        "rows": rows,
        "notes": draw(st.booleans()),
        "hidden": draw(st.sampled_from(["none", "before", "after"])),
        "format": draw(st.sampled_from(["xlsx", "xlsx", "csv-utf8", "csv-bom", "csv-gb18030"])),
    }


def _grid(case: dict, bad: tuple[int, str, str] | None) -> tuple[list[list], dict]:
    csv_file = case["format"].startswith("csv")
    grid, where = [], {}
    if case["title"]:
        grid += [[case["title"]], []]
    grid.append([_header(c, case["picks"][c.key], case["decorate"]) for c in case["columns"]])
    for i, row in enumerate(case["rows"]):
        if row["blank_before"]:
            grid.append([])
        cells = []
        for position, column in enumerate(case["columns"]):
            where[(i, column.key)] = (len(grid) + 1, column_letter(position))
            value = row[column.key]
            cells.append(
                bad[2] if bad and bad[:2] == (i, column.key) else _typed(value, row["how"], csv_file)
            )
        grid.append(cells)
    if case["notes"]:
        grid += [[], ["注：金额单位为万元。"], ["填表人：李四", "", "审核人：王五"]]
    return grid, where


def _write(case: dict, bad: tuple[int, str, str] | None = None) -> tuple[bytes, str, dict]:
    grid, where = _grid(case, bad)
    if case["format"].startswith("csv"):
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        for cells in grid:
            writer.writerow(["" if c is None else c for c in cells])
        encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[case["format"]]
        text = out.getvalue().replace("\u200b", "") if encoding == "gb18030" else out.getvalue()
        return text.encode(encoding), "名录.csv", where
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})

    def hidden():
        other = book.add_worksheet("旧表")
        other.write_row(0, 0, ["代码", "名称", "人数"])
        other.write_row(1, 0, ["ZZ9999", "不应读取", 1])
        other.hide()

    if case["hidden"] == "before":
        hidden()
    sheet = book.add_worksheet("名录")
    sheet.activate()
    for r, cells in enumerate(grid):
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            elif value not in (None, ""):
                sheet.write_string(r, c, value)
    if case["hidden"] == "after":
        hidden()
    book.close()
    return buffer.getvalue(), "名录.xlsx", where


def _expected(row: dict, key: str):
    value = row[key]
    if key == "amount":
        return (value * 10_000).quantize(Decimal("0.01"))
    return value


def _fits(case: dict) -> bool:
    """An amount in 万元 with more than six decimals is finer than a fen: generated only as a bad cell."""
    return all(-row["amount"].as_tuple().exponent <= 6 for row in case["rows"])


@SETTINGS
@given(files())
def test_every_generated_file_is_read_exactly(case):
    content, name, _where = _write(case)
    result = importing.read_workbook(content, COLUMNS, file_name=name)
    assert result.errors == [], result.errors
    assert result.hidden_sheets == ([] if case["hidden"] == "none" or name.endswith(".csv") else ["旧表"])
    assert len(result.rows) == len(case["rows"])
    present = {c.key for c in case["columns"]}
    for parsed, row in zip(result.rows, case["rows"], strict=True):
        for key in present:
            assert parsed.values[key] == _expected(row, key), (key, parsed.values[key], row[key])
    assert (len(result.note_rows) == 2) is case["notes"]
    if name.endswith(".csv"):
        encoding = "GB18030" if case["format"] == "csv-gb18030" else "UTF-8"
        assert gettext("“%(name)s” was read as %(encoding)s text") % {"name": name, "encoding": encoding} in (
            result.notices
        )


BAD = [
    ("amount", "十万", "“%(value)s” is not a number"),
    ("amount", "0.0000001", "“%(value)s” has too many decimal places (at most %(places)d)"),
    ("count", "12.5", "“%(value)s” is not a whole number"),
    ("day", "2023-02-30", "“%(value)s” is not a real date"),
]


@SETTINGS
@given(files(), st.data())
def test_a_bad_cell_is_refused_where_it_is_with_what_it_holds(case, data):
    key, text, reason = data.draw(st.sampled_from(BAD))
    assume(key in {c.key for c in case["columns"]})
    i = data.draw(st.integers(0, len(case["rows"]) - 1))
    content, name, where = _write(case, bad=(i, key, text))
    result = importing.read_workbook(content, COLUMNS, file_name=name)
    row, letter = where[(i, key)]
    assert [(e.row, e.letter) for e in result.errors] == [(row, letter)], result.errors
    message = gettext(reason) % {"value": text, "places": 6}
    assert result.errors[0].reason == message
