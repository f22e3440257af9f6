"""Build workbooks in tests the way staff's files look: typed cells, any header order, any sheet name."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from decimal import Decimal

import python_calamine
import xlsxwriter

from tests.factories import next_uscc

SHEET = "企业名录"
USCC = "统一社会信用代码*"
NAME = "企业名称*"
_names = itertools.count(1)


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """sheets: name -> rows of cells; dates become Excel dates, numbers numbers, None an empty cell."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(r, c, float(value))
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def table(rows: list[dict]) -> list[list]:
    """Dicts of header -> cell as a header row plus data rows (headers in order of first appearance)."""
    headers: list[str] = []
    for row in rows:
        headers.extend(h for h in row if h not in headers)
    return [headers] + [[row.get(h) for h in headers] for row in rows]


def sheet_of(*rows: dict, name: str = SHEET) -> bytes:
    return xlsx({name: table(list(rows))})


def new_row(**cells) -> dict:
    row = {USCC: next_uscc(), NAME: f"导入测试{next(_names)}号有限公司"}
    row.update(cells)
    return row


def read_back(content: bytes, sheet: int = 0) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(sheet).to_python()


def located(report) -> list[tuple]:
    """Every error as (sheet, row, column, letter) — where staff must look."""
    return [(e.sheet, e.row, e.column, e.letter) for e in report.sorted_errors()]
