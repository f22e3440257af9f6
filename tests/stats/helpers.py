"""The statistics office's workbook as it really arrives, written with xlsxwriter."""

from __future__ import annotations

import io
import re

import xlsxwriter

MEASURES_ZH = [
    "工业总产值",
    "营业收入",
    "利润总额",
    "税金总额",
    "研发费用",
    "出口交货值",
    "综合能耗",
    "从业人员",
]


def messy_workbook(
    rows: list[dict],
    *,
    title: str = "2023年1-6月规上工业企业主要指标",
    unit: str = "单位：万元",
    measures: tuple[str, ...] = ("工业总产值", "营业收入"),
    subs: tuple[str, ...] = ("本月", "1-6月累计", "同比±%"),
    total: dict | None = None,
    sheet: str = "规上工业",
) -> bytes:
    """rows: {"uscc", "name", ("工业总产值", "本月"): value, …}; values written as given (text or number).

    Layout: title (merged), units row, two-row merged header (measure over 本月 / 累计 / 同比), data rows, a
    blank row, a 合计 row, a note row.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    merged = book.add_format({"align": "center"})
    width = 3 + len(measures) * len(subs)
    ws.merge_range(0, 0, 0, width - 1, title, merged)
    ws.write(1, 0, unit)
    ws.merge_range(2, 0, 3, 0, "序号", merged)
    ws.merge_range(2, 1, 3, 1, "统一社会信用代码", merged)
    ws.merge_range(2, 2, 3, 2, "企业名称", merged)
    # The cumulative sub-header names the title's month (a 1-6月 column in a January file is refused); the
    # row dicts keep naming it as given.
    stated = re.search(r"年(?:1-)?(\d{1,2})月", title)
    col = 3
    for name in measures:
        ws.merge_range(2, col, 2, col + len(subs) - 1, name, merged)
        for offset, sub in enumerate(subs):
            written = re.sub(r"^1-\d{1,2}月", f"1-{stated.group(1)}月", sub) if stated else sub
            ws.write(3, col + offset, written)
        col += len(subs)
    r = 4
    for number, row in enumerate(rows, start=1):
        ws.write(r, 0, number)
        ws.write_string(r, 1, row.get("uscc", ""))
        ws.write_string(r, 2, row.get("name", ""))
        col = 3
        for name in measures:
            for sub in subs:
                value = row.get((name, sub))
                if isinstance(value, str):
                    ws.write_string(r, col, value)
                elif value is not None:
                    ws.write_number(r, col, value)
                col += 1
        r += 1
    r += 1  # a blank row
    if total is not None:
        ws.write_string(r, 2, "合计")
        col = 3
        for name in measures:
            for sub in subs:
                if (name, sub) in total:
                    ws.write_number(r, col, total[(name, sub)])
                col += 1
        r += 1
    ws.write_string(r, 0, "注：本表数据来源于统计局月度快报，同比按可比口径计算。")
    book.close()
    return buffer.getvalue()


def spaced(code: str) -> str:
    """A USCC as staff paste it: lower case, spaces, full-width characters."""
    folded = code.lower()
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in folded[:6])
    return f" {fullwidth} {folded[6:12]} {folded[12:]} "
