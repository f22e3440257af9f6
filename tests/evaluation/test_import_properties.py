"""Property tests of the 亩均效益 input import over generated workbooks whose true content is known (issue 14).

Each example writes a real .xlsx with the columns in any order, each headed by any of the synonyms offices use,
with or without its unit, in any unit the column accepts (万元, 千元, 元, 亿元; 千瓦时; 万吨标准煤; 千克 …), in
full- or half-width brackets, with line breaks, no-break spaces and a required-mark *; numbers as numbers or as
text (thousands separators, full-width digits); blanks and dashes for figures not given.

The promise checked: every figure is read back exactly in the stored unit (万元, 吨标准煤, 万千瓦时, 吨, 人, 亩), the
figures not given are absent; or, when one bad cell is planted (text, a negative quantity, 元 with cents), the file
is refused with one error located at that very cell quoting what it holds; never a silent difference.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core.importing import column_letter
from jingkai.evaluation.importers import MEASURES, EvaluationInputImporter
from tests.core.imports.helpers import xlsx

pytestmark = pytest.mark.django_db
YEAR = 2022  # the shared zone's statuses are 2022's
FULLWIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")
NUMBERS = [m for m in MEASURES if m.kind == "number"]
YES = ["是", "在建", "Y", "1", "√"]
NO = ["否", "N", "0", "×"]
NOT_GIVEN = [None, "", "—", "-", "－", "——"]


def _decorate(header: str, how: str) -> str:
    if how == "fullwidth":
        return header.replace("(", "（").replace(")", "）")
    if how == "halfwidth":
        return header.replace("（", "(").replace("）", ")")
    if how == "break":
        return header[:2] + "\n" + header[2:]
    if how == "nbsp":
        return "\u00a0" + header + " "
    if how == "star":
        return header + "*"
    return header


@st.composite
def headers(draw, measure):
    """(header as written, factor from the written unit to the stored one)."""
    stem = draw(st.sampled_from(measure.stems))
    units = [None, *measure.units]
    unit = draw(st.sampled_from(units))
    header = f"{stem}（{unit}）" if unit else stem
    how = draw(st.sampled_from(["plain", "fullwidth", "halfwidth", "break", "nbsp", "star"]))
    factor = measure.units[unit] if unit else Decimal(1)
    return _decorate(header, how), factor


@st.composite
def numbers(draw, measure, factor: Decimal):
    """(cell, the stored value) for a figure written in the unit of the factor."""
    cents = draw(st.integers(0 if measure.nonnegative else -(10**9), 10**9))
    stored = Decimal(cents) / 100  # at most two decimals in the stored unit: exact in every written unit
    written = stored / factor
    how = draw(st.sampled_from(["number", "text", "thousands", "fullwidth"]))
    if how == "number" and len(written.normalize().as_tuple().digits) <= 15:
        cell = float(written)
    elif how == "thousands":
        cell = f"{written.normalize():,f}"
    elif how == "fullwidth":
        cell = f"{written.normalize():f}".translate(FULLWIDTH)
    else:
        cell = f"{written.normalize():f}"
    return cell, stored


@st.composite
def cells(draw, measure, factor):
    """(cell, value the import should give, or None for not given)."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from(NOT_GIVEN)), None
    if measure.kind == "yes_no":
        yes = draw(st.booleans())
        return draw(st.sampled_from(YES if yes else NO)), int(yes)
    if measure.kind == "count":
        n = draw(st.integers(0, 50))
        return draw(st.sampled_from([n, str(n), float(n)])), n
    return draw(numbers(measure, factor))


@st.composite
def files(draw):
    chosen = draw(st.lists(st.sampled_from(MEASURES), min_size=2, max_size=8, unique_by=lambda m: m.key))
    heads = {m.key: draw(headers(m)) for m in chosen}
    keys = ["uscc", "name", *(m.key for m in chosen)]
    order = draw(st.permutations(keys))
    people = draw(st.lists(st.sampled_from(["above1", "above2", "below1", "below2"]), min_size=1, max_size=4,
                           unique=True))  # fmt: skip
    rows = []
    for person in people:
        values = {m.key: draw(cells(m, heads[m.key][1])) for m in chosen}
        rows.append((person, values))
    above = draw(st.sampled_from([[], [["2022年度亩均效益评价数据"]]]))
    return {
        "measures": {m.key: m for m in chosen},
        "heads": heads,
        "order": order,
        "rows": rows,
        "above": above,
    }


def write(zone, case, planted: dict | None = None) -> bytes:
    planted = planted or {}
    header = []
    for key in case["order"]:
        if key == "uscc":
            header.append("统一社会信用代码")
        elif key == "name":
            header.append("企业名称")
        else:
            header.append(case["heads"][key][0])
    grid = [list(line) for line in case["above"]] + [header]
    for index, (person, values) in enumerate(case["rows"]):
        ent = getattr(zone, person)
        line = []
        for key in case["order"]:
            if key == "uscc":
                line.append(ent.uscc)
            elif key == "name":
                line.append(ent.name)
            else:
                line.append(planted.get((index, key), values[key][0]))
        grid.append(line)
    return xlsx({"亩均": grid})


def validate(zone, content: bytes):
    return EvaluationInputImporter().validate(content, zone["zone_admin"], "亩均.xlsx", {"year": YEAR})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(case=files())
def test_every_generated_file_is_read_exactly(zone, case):
    report = validate(zone, write(zone, case))
    assert report.ok, report.errors
    assert [r.action for r in report.rows] == ["create"] * len(case["rows"])
    for planned, (person, values) in zip(report.rows, case["rows"], strict=True):
        assert planned.key == getattr(zone, person).uscc
        expected = {key: value for key, (_cell, value) in values.items() if value is not None}
        assert planned.data["given"] == expected
        assert planned.data["population"] == ("above" if person.startswith("above") else "below")


def _bad_cells(measure, factor):
    """(cell, text the error quotes) that the measure's column must refuse."""
    out = [("x1", "x1")]
    if measure.nonnegative and measure.kind != "yes_no":
        out.append(("-7", "-7"))
    if measure.kind == "number" and factor < Decimal("0.001"):
        out.append(
            ("1234.5", "1234.5")
        )  # 元 (or 千瓦时) with a decimal: more than four places when converted
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])  # fmt: skip
@given(case=files(), data=st.data())
def test_a_bad_cell_is_refused_where_it_is_with_what_it_holds(zone, case, data):
    index = data.draw(st.integers(0, len(case["rows"]) - 1))
    key = data.draw(st.sampled_from(sorted(case["measures"])))
    measure, factor = case["measures"][key], case["heads"][key][1]
    bad, quoted = data.draw(st.sampled_from(_bad_cells(measure, factor)))
    report = validate(zone, write(zone, case, {(index, key): bad}))
    assert not report.ok
    [error] = report.errors
    row = len(case["above"]) + 2 + index
    assert (error.sheet, error.row, error.letter) == ("亩均", row, column_letter(case["order"].index(key)))
    assert quoted in error.reason
    assert all(r.row != row for r in report.rows)  # the row is not planned; the others are
    assert len(report.rows) == len(case["rows"]) - 1
