"""core/importing.py: finding the header row, parsing cells, and file-level problems."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.core import importing
from jingkai.core.importing import CellError, Column
from tests.core.imports.helpers import xlsx

COLUMNS = [
    Column("code", "代码", importing.text(), required=True),
    Column("amount", "金额（万）", importing.decimal(max_digits=18, decimal_places=2, scale=10_000)),
    Column("count", "人数", importing.integer()),
    Column("day", "日期", importing.date()),
]


def read(sheets, **kwargs):
    return importing.read_workbook(xlsx(sheets), COLUMNS, **kwargs)


# --- parsers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (170.1, Decimal("1701000")),  # a float from Excel keeps no binary noise
        (0.1 + 0.2, Decimal("3000")),  # 0.30000000000000004 in binary
        (12.0, Decimal("120000")),
        ("1,234.5", Decimal("12345000")),
        ("１２３４．５", Decimal("12345000")),  # full-width digits and point
        ("１，２００", Decimal("12000000")),  # full-width thousands separator
        (" 8 000 ", Decimal("80000000")),
        ("0.000001", Decimal("0.01")),  # 1 分: the smallest amount that fits in 万
    ],
)
def test_decimal_in_wan_is_exact(cell, expected):
    parse = importing.decimal(max_digits=18, decimal_places=2, scale=10_000)
    assert parse(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "1.2.3", "NaN", "Infinity", True, dt.date(2020, 1, 1), "500万"])
def test_decimal_refuses_what_is_not_a_number(cell):
    with pytest.raises(CellError, match="not a number"):
        importing.decimal(max_digits=18, decimal_places=2)(cell)


def test_decimal_refuses_more_decimals_than_stored_instead_of_rounding():
    with pytest.raises(CellError, match="at most 6"):
        importing.decimal(max_digits=18, decimal_places=2, scale=10_000)("1.0000001")
    with pytest.raises(CellError, match="at most 2"):
        importing.decimal(max_digits=12, decimal_places=2)(3.125)


def test_decimal_refuses_a_figure_too_large_for_the_column():
    parse = importing.decimal(max_digits=12, decimal_places=2)
    assert parse("9999999999.99") == Decimal("9999999999.99")
    with pytest.raises(CellError, match="too large"):
        parse("10000000000")


@pytest.mark.parametrize(("cell", "expected"), [(12.0, 12), ("1,200", 1200), ("３０", 30), ("0", 0)])
def test_integer(cell, expected):
    assert importing.integer()(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"), [(12.5, "whole number"), ("-3", "at least 0"), ("x", "not a number")]
)
def test_integer_refuses(cell, reason):
    with pytest.raises(CellError, match=reason):
        importing.integer()(cell)


@pytest.mark.parametrize(
    "cell",
    [
        dt.date(2003, 9, 1),
        dt.datetime(2003, 9, 1),
        "2003-09-01",
        "2003/9/1",
        "2003.9.1",
        "2003年9月1日",
        "２００３年９月１日",
        " 2003 年 9 月 1 日 ",
    ],
)
def test_date_formats(cell):
    assert importing.date()(cell) == dt.date(2003, 9, 1)


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2003-02-30", "not a real date"),
        ("昨天", "not a date"),
        (37865.0, "not a date"),
        ("2003-9", "not a date"),
        (dt.datetime(2003, 9, 1, 10, 30), "time of day"),
    ],
)
def test_date_refuses(cell, reason):
    with pytest.raises(CellError, match=reason):
        importing.date()(cell)


def test_text_keeps_digits_typed_as_numbers_and_refuses_rounded_long_numbers():
    parse = importing.text(20)
    assert parse(600000.0) == "600000"
    assert parse("  甲公司 ") == "甲公司"
    with pytest.raises(CellError, match="format the column as text"):
        parse(9.13304823100001e17)
    with pytest.raises(CellError, match="at most 3"):
        importing.text(3)("abcd")


def test_choice_accepts_any_listed_spelling_ignoring_width_and_case():
    parse = importing.choice({"人民币": "CNY", "CNY": "CNY", "美元": "USD"}, ["人民币", "美元"])
    assert parse(" 美元 ") == "USD"
    assert parse("cny") == "CNY"
    assert parse("ＣＮＹ") == "CNY"
    with pytest.raises(CellError, match="人民币"):
        parse("比特币")


@pytest.mark.parametrize(
    ("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letter(index, letter):
    assert importing.column_letter(index) == letter


@pytest.mark.parametrize("written", ["代码*", " 代码 ＊", "代 码", "代码\n*"])
def test_header_tolerates_spaces_full_width_and_the_required_star(written):
    assert importing.normalize_header(written) == importing.normalize_header("代码")


# --- reading a workbook --------------------------------------------------------------------------


def test_header_found_below_a_title_and_rows_numbered_as_excel_shows_them():
    result = read(
        {
            "表一": [
                ["2026年企业名单"],
                [],
                [None, "代码 *", "金额(万)", "人数", "日期", "备注"],
                [None, "A1", 1.5, 3, "2003/9/1", "x"],
                [],  # fully blank: skipped
                [None, "A2", None, "abc", None, None],
            ]
        }
    )
    layout = result.sheets[0]
    assert layout.header_row == 3
    assert layout.positions == {"code": 1, "amount": 2, "count": 3, "day": 4}
    assert layout.ignored == [("备注", "F")]
    assert [row.number for row in result.rows] == [4, 6]
    assert result.rows[0].values == {
        "code": "A1",
        "amount": Decimal("15000"),
        "count": 3,
        "day": dt.date(2003, 9, 1),
    }
    assert [(e.sheet, e.row, e.column, e.letter, e.cell) for e in result.errors] == [
        ("表一", 6, "人数", "D", "D6")
    ]
    assert "备注 (F)" in result.notices[0]


def test_every_bad_cell_is_reported_not_only_the_first():
    result = read(
        {
            "S": [
                ["代码", "金额（万）", "人数", "日期"],
                [None, "x", -1, "soon"],
                ["B", "y", 1.5, "2003-13-01"],
            ]
        }
    )
    assert [(e.row, e.letter) for e in result.errors] == [
        (2, "A"),
        (2, "B"),
        (2, "C"),
        (2, "D"),
        (3, "B"),
        (3, "C"),
        (3, "D"),
    ]
    assert "must not be blank" in result.errors[0].reason


def test_missing_required_column_and_duplicate_column_are_reported_at_the_header():
    result = read({"S": [["金额（万）", "人数", "人数"], [1, 2, 3]]})
    reasons = {(e.row, e.column, e.letter): e.reason for e in result.errors}
    assert "appears twice (columns B and C)" in reasons[(1, "人数", "C")]
    assert "Required column “代码”" in reasons[(1, "代码", "")]


def test_data_under_a_blank_header_is_named_not_dropped_silently():
    result = read({"S": [["代码", "人数"], ["A", 1, None, "stray"]]})
    assert result.sheets[0].ignored == [("", "D")]
    assert result.notices and "(D)" in result.notices[0]


def test_sheets_without_a_header_row_are_skipped_and_named():
    result = read({"说明": [["填写说明"], ["代码"]], "数据": [["代码", "人数"], ["A", 1]]})
    assert [s.name for s in result.sheets] == ["数据"]
    assert result.skipped_sheets == ["说明"]
    assert any("说明" in n for n in result.notices)
    assert len(result.rows) == 1 and not result.errors


def test_rows_of_several_sheets_are_all_read():
    result = read({"一": [["代码", "人数"], ["A", 1]], "二": [["人数", "代码"], [2, "B"]]})
    assert [(r.sheet, r.number, r.values["code"]) for r in result.rows] == [("一", 2, "A"), ("二", 2, "B")]


# --- file-level problems -------------------------------------------------------------------------


def file_reasons(content: bytes, name="名单.xlsx") -> list[str]:
    result = importing.read_workbook(content, COLUMNS, file_name=name)
    assert result.fatal and not result.rows
    assert all(e.row is None and e.sheet == "" for e in result.errors)
    return [e.reason for e in result.errors]


def test_not_a_workbook():
    reason = file_reasons(b"code,name\n1,2\n", "名单.txt")[0]
    assert "not an Excel workbook (.xlsx or .xls) or a .csv file" in reason
    assert "名单.txt" in reason


def test_a_damaged_ole_file_may_be_password_protected():
    """The OLE container is .xls and also an encrypted .xlsx: the message says both."""
    reason = file_reasons(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)[0]
    assert "could not be read" in reason and "password" in reason


def test_a_zip_that_is_not_a_workbook():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "could not be read" in file_reasons(buffer.getvalue())[0]


def test_empty_file():
    assert "empty" in file_reasons(b"")[0]


def test_too_big(settings):
    content = xlsx({"S": [["代码"], ["A"]]})
    settings.JINGKAI_IMPORT_MAX_BYTES = len(content) - 1
    assert "at most" in file_reasons(content)[0]
    settings.JINGKAI_IMPORT_MAX_BYTES = len(content)
    assert importing.check_file(content) == []


def test_no_header_row():
    reasons = file_reasons(xlsx({"S": [["名单"], ["甲", "乙"]]}))
    assert "No header row" in reasons[0] and "代码" in reasons[0]


def test_header_without_data_rows():
    result = read({"S": [["代码", "人数"], [], []]})
    assert not result.fatal and not result.rows
    assert [e.reason for e in result.errors] == ["The workbook has a header row but no data rows"]
