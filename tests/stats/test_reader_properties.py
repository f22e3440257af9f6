"""Property tests of the statistics reader over generated workbooks whose true content is known (issue 10 §6).

Each example writes a real .xlsx with xlsxwriter in one of the layouts statistics offices send: a title naming the
period (or none, the period chosen at upload), a units row (万元, 千元, 元), a one-row header (工业总产值本月) or a
two-row header with the measure merged over 本月 / 1-N月 / 上年同期 / 增长%, headers with full-width brackets,
line breaks and no-break spaces, numbers as numbers or as text (thousands separators, full-width digits, a
zero-width space), blank rows, a 合计 row, notes and signature lines, and hidden sheets holding another period.

The promise checked: the delivery is read back exactly (every figure, in base units, for the right period, the
hidden sheets named and not read), or, when one bad cell is planted, refused with an error located at that very
cell quoting what it holds; never a silent difference.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import xlsxwriter
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core.importing import column_letter
from jingkai.core.uscc import make_code
from jingkai.stats.reader import read_delivery

# (code, header as offices write it, kind): money is scaled by the units row, energy and people are not.
MEASURES = [
    ("output", "工业总产值", "money"),
    ("sales", "工业销售产值", "money"),
    ("new_product", "新产品产值", "money"),
    ("revenue", "主营业务收入", "money"),
    ("profit", "利润总额", "money"),
    ("energy", "综合能耗", "energy"),
    ("employees", "从业人员", "people"),
]
UNITS = {"万元": 10_000, "千元": 1_000, "元": 1}
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
CODES = [make_code("91", "330482", f"MA2C{n:04d}") for n in range(1, 13)]


def _decorate(header: str, how: str) -> str:
    """The same header as people type it: full-width brackets, a line break, no-break spaces."""
    if how == "break":
        return header[:2] + "\n" + header[2:]
    if how == "nbsp":
        return "\u00a0" + header + " "
    if how == "fullwidth":
        return header.replace("(", "（").replace(")", "）")
    return header


def _month_sub(n: int, variant: int) -> str:
    return ("本月", "当月", f"{n}月")[variant % 3]


def _cum_sub(n: int, variant: int) -> str:
    return (f"1-{n}月", f"1-{n}月累计", "本年累计", "累计", f"1～{n}月")[variant % 5]


def _as_typed(value: Decimal, how: str):
    """A figure as a number cell or as text the way it is typed."""
    if how == "number":
        return float(value)
    text = f"{value:,.2f}" if how == "thousands" else f"{value:f}"
    if how == "fullwidth":
        return text.translate(FULLWIDTH)
    if how == "zerowidth":
        return text[:1] + "\u200b" + text[1:]
    return text


@st.composite
def deliveries(draw):
    year = draw(st.integers(2019, 2026))
    month = draw(st.integers(1, 12))
    period = dt.date(year, month, 1)
    unit = draw(st.sampled_from(sorted(UNITS)))
    chosen = draw(st.booleans())  # True: no title, the period is chosen at upload
    two_rows = draw(st.booleans())
    measures = draw(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=4, unique=True))
    extras = draw(st.sampled_from(["none", "last", "last+growth"])) if two_rows else "none"
    variant = draw(st.integers(0, 14))
    decorate = draw(st.sampled_from(["plain", "break", "nbsp", "fullwidth"]))
    count = draw(st.integers(1, 6))
    codes = draw(st.lists(st.sampled_from(CODES), min_size=count, max_size=count, unique=True))
    rows = []
    for code in codes:
        values = {}
        for m_code, _header, kind in measures:
            places = 0 if kind == "people" else 2
            month_value = Decimal(draw(st.integers(0, 10**7))).scaleb(-places)
            cum_value = month_value + Decimal(draw(st.integers(0, 10**8))).scaleb(-places)
            values[m_code] = (month_value, cum_value)
        rows.append({
            "code": code,
            "code_as": draw(st.sampled_from(["plain", "lower", "spaced", "zerowidth"])),
            "values": values,
            "typed": draw(st.sampled_from(["number", "plain", "thousands", "fullwidth", "zerowidth"])),
            "blank_before": draw(st.booleans()),
        })  # fmt: skip
    hidden = draw(st.sampled_from(["none", "before", "after"]))
    notes = draw(st.booleans())
    return {
        "period": period, "unit": unit, "chosen": chosen, "two_rows": two_rows, "measures": measures,
        "extras": extras, "variant": variant, "decorate": decorate, "rows": rows, "hidden": hidden,
        "notes": notes,
    }  # fmt: skip


def _write(case: dict, *, bad: tuple[int, str, str, object] | None = None) -> tuple[bytes, dict]:
    """The workbook, and where each (row index, measure, month|cum) landed: {(i, code, which): (row, letter)}."""
    period = case["period"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    places: dict = {}

    def hidden_sheet():
        other = book.add_worksheet("上月")
        other.write(0, 0, f"{period.year - 1}年1-{period.month}月规上工业企业主要指标")
        other.write_row(2, 0, ["统一社会信用代码", "企业名称", "工业总产值"])
        for i, code in enumerate(CODES[:3]):
            other.write_row(3 + i, 0, [code, f"旧{i}", 999.99])
        other.hide()

    if case["hidden"] == "before":
        hidden_sheet()
    ws = book.add_worksheet("本月报表")
    ws.activate()  # xlsxwriter does not hide the active sheet: the visible one is active
    r = 0
    if not case["chosen"]:
        span = f"1-{period.month}月" if period.month > 1 else "1月"
        ws.write(r, 0, f"{period.year}年{span}规上工业企业主要指标")
        r += 1
    ws.write(r, 0, f"单位：{case['unit']}")
    r += 1
    n = period.month
    columns = []  # (code, which) per value column, in order
    col = 2
    header_row = r
    ws.write(r, 0, _decorate("统一社会信用代码", case["decorate"]))
    ws.write(r, 1, "企业名称")
    for m_code, header, _kind in case["measures"]:
        subs = [("month", _month_sub(n, case["variant"])), ("cum", _cum_sub(n, case["variant"]))]
        if case["extras"] != "none":
            subs.append(("last", ("上年同期", "去年同期", "上年累计")[case["variant"] % 3]))
        if case["extras"] == "last+growth":
            subs.append(("growth", ("增长%", "同比±%", "同比增长(%)")[case["variant"] % 3]))
        if case["two_rows"]:
            if len(subs) > 1:
                ws.merge_range(r, col, r, col + len(subs) - 1, _decorate(header, case["decorate"]))
            else:
                ws.write(r, col, header)
            for offset, (which, sub) in enumerate(subs):
                ws.write(r + 1, col + offset, sub)
                columns.append((m_code, which))
            col += len(subs)
        else:
            for which, sub in subs:
                ws.write(r, col, f"{sub}{header}" if case["variant"] % 2 else f"{header}{sub}")
                columns.append((m_code, which))
                col += 1
    r += 2 if case["two_rows"] else 1
    expected_rows = []
    for i, row in enumerate(case["rows"]):
        if row["blank_before"]:
            r += 1
        code = row["code"]
        written_code = {
            "plain": code, "lower": code.lower(), "spaced": f"{code[:6]} {code[6:]}",
            "zerowidth": code[:4] + "\u200b" + code[4:],
        }[row["code_as"]]  # fmt: skip
        ws.write_string(r, 0, written_code)
        ws.write_string(r, 1, f"企业{i}")
        for offset, (m_code, which) in enumerate(columns):
            month_value, cum_value = row["values"][m_code]
            value = {"month": month_value, "cum": cum_value, "last": cum_value + 1}.get(
                which, Decimal("12.5")
            )
            places[(i, m_code, which)] = (r + 1, column_letter(2 + offset))
            cell = _as_typed(value, row["typed"])
            if bad is not None and bad[:3] == (i, m_code, which):
                cell = bad[3]
            if isinstance(cell, str):
                ws.write_string(r, 2 + offset, cell)
            else:
                ws.write_number(r, 2 + offset, cell)
        expected_rows.append((r + 1, code))
        r += 1
    if case["notes"]:
        r += 1
        ws.write_string(r, 0, "注：本表由统计局提供，“—”表示无数据。")
        ws.write_string(r + 1, 0, "单位负责人：张三")
        ws.write_string(r + 1, 2, "填表人：李四")
    if case["hidden"] == "after":
        hidden_sheet()
    book.close()
    return buffer.getvalue(), {"places": places, "rows": expected_rows, "header_row": header_row}


def _read(case: dict, content: bytes):
    return read_delivery(content, file_name="月报.xlsx", period=case["period"] if case["chosen"] else None)


def _scale(case: dict, kind: str) -> int:
    return UNITS[case["unit"]] if kind == "money" else 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries())
def test_every_generated_delivery_is_read_exactly(case):
    content, where = _write(case)
    delivery = _read(case, content)
    assert delivery.errors == [], delivery.errors
    assert delivery.period == case["period"]
    assert delivery.hidden_sheets == ([] if case["hidden"] == "none" else ["上月"])
    frame = delivery.frame.sort("row")
    assert [(r, c) for r, c in frame.select("row", "uscc").iter_rows()] == where["rows"]
    assert set(frame["sheet"].to_list()) == {"本月报表"}
    for i, row in enumerate(case["rows"]):
        for m_code, _header, kind in case["measures"]:
            month_value, cum_value = row["values"][m_code]
            scale = _scale(case, kind)
            got_month = frame[f"{m_code}_month"][i]
            got_cum = frame[f"{m_code}_cum"][i]
            assert Decimal(str(got_month)).quantize(Decimal("0.01")) == (month_value * scale).quantize(
                Decimal("0.01")
            ), (m_code, "month", got_month)
            assert Decimal(str(got_cum)).quantize(Decimal("0.01")) == (cum_value * scale).quantize(
                Decimal("0.01")
            ), (m_code, "cum", got_cum)
    # The notes and signature lines are named as not read, never taken for rows.
    if case["notes"]:
        noted = [
            n
            for n in delivery.notices
            if "本月报表" in n
            and gettext("Sheet “%(sheet)s”: rows %(rows)s are notes or signatures, not read").split(
                "%(rows)s"
            )[1]
            in n
        ]
        assert len(noted) == 1
    # Last year's figures are kept for the cross-check, in base units, and never in the stored columns.
    if case["extras"] != "none":
        assert delivery.checks is not None
        for i, row in enumerate(case["rows"]):
            for m_code, _header, kind in case["measures"]:
                got = delivery.checks.sort("row")[f"last:{m_code}_cum"][i]
                want = (row["values"][m_code][1] + 1) * _scale(case, kind)
                assert abs(Decimal(str(got)) - want) <= Decimal("0.01")


NOT_A_NUMBER = "“%(value)s” is not a number"
NEGATIVE = "“%(value)s” is negative"
FINER = "“%(value)s” has more decimal places than a fen (0.01 元)"
NOT_WHOLE = "“%(value)s” is not a whole number"
BAD_CELLS = [("abc", NOT_A_NUMBER), ("12.3.4", NOT_A_NUMBER), ("-5", NEGATIVE), ("0.001", FINER)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.data())
def test_a_bad_cell_is_refused_where_it_is_with_what_it_holds(case, data):
    i = data.draw(st.integers(0, len(case["rows"]) - 1))
    m_code, _header, kind = data.draw(st.sampled_from(case["measures"]))
    which = data.draw(st.sampled_from(["month", "cum"]))
    text, reason = data.draw(st.sampled_from(BAD_CELLS))
    if text == "-5" and m_code == "profit":
        text, reason = "abc", NOT_A_NUMBER  # a loss is a negative profit
    if text == "0.001" and kind == "people":
        reason = NOT_WHOLE
    elif text == "0.001" and kind == "energy":
        reason = "“%(value)s” has more than two decimal places"
    elif text == "0.001" and case["unit"] != "元" and kind == "money":
        text = "0.0000001"  # finer than a fen once multiplied by 千 or 万
    content, where = _write(case, bad=(i, m_code, which, text))
    delivery = _read(case, content)
    row, letter = where["places"][(i, m_code, which)]
    located = [e for e in delivery.errors if (e.sheet, e.row, e.letter) == ("本月报表", row, letter)]
    assert located, delivery.errors
    # The message quotes the cell as typed (the UI language is Chinese in the tests).
    assert located[0].reason == gettext(reason) % {"value": text}
    # Nothing else is wrong with the file: every other error is at the same cell.
    assert all((e.row, e.letter) == (row, letter) for e in delivery.errors)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries(), st.integers(1, 11))
def test_a_second_visible_sheet_of_another_period_is_refused(case, shift):
    content, _where = _write({**case, "chosen": False})
    other = (case["period"].month - 1 + shift) % 12 + 1
    # Add the other period as a second visible sheet: rewrite the case with both sheets through openpyxl.
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.copy_worksheet(book["本月报表"])
    sheet.title = "另一月"
    sheet["A1"] = (
        f"{case['period'].year}年1-{other}月规上工业企业主要指标"
        if other > 1
        else (f"{case['period'].year}年1月规上工业企业主要指标")
    )
    out = io.BytesIO()
    book.save(out)
    delivery = read_delivery(out.getvalue(), file_name="月报.xlsx")
    assert delivery.period is None
    assert any(
        e.sheet == "另一月" and (e.row, e.letter) == (1, "A") and "另一月" in e.reason
        for e in delivery.errors
    )
