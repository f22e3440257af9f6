"""The hand-made corpus of import files, really saved by LibreOffice (issue 10 §6), through the real readers.

The files are tests/data/imports/<case>.xlsx and .xls (regenerate with
`.venv/bin/python tests/data/imports/make_corpus.py`); what each holds and must give is tests/data/imports/corpus.py
(the manifest) and its README.md. Every case runs on both formats.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine

from jingkai.core import uscc
from jingkai.core.importing import column_letter, read_workbook
from jingkai.core.models import ImportBatch, Role
from jingkai.enterprises.importers import COLUMNS, EnterpriseImporter
from jingkai.enterprises.models import Enterprise
from jingkai.stats.importers import StatsImporter
from jingkai.stats.reader import read_delivery
from tests import factories as f
from tests.data.imports import corpus as c

pytestmark = pytest.mark.django_db  # the importer cases use the registry; the reader cases need none

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
OLE = b"\xd0\xcf\x11\xe0"


@pytest.fixture(params=c.FORMATS)
def ext(request) -> str:
    return request.param


def content_of(name: str) -> bytes:
    return (DATA / name).read_bytes()


def deliver(case: str, ext: str):
    name = f"{case}.{ext}"
    return read_delivery(content_of(name), file_name=name)


def read_enterprises(case: str, ext: str):
    name = f"{case}.{ext}"
    return read_workbook(content_of(name), COLUMNS, file_name=name)


def fen(value) -> Decimal:
    """A frame's money value (a float in 元) as an exact Decimal to the fen."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rows_by_code(delivery) -> dict[str, dict]:
    assert delivery.frame is not None, delivery.errors
    return {record["uscc"]: record for record in delivery.frame.iter_rows(named=True)}


def located(errors) -> list[tuple]:
    return [(e.sheet, e.row, e.letter) for e in errors]


def assert_values(delivery, sheet: c.Sheet, fields: list[str]) -> None:
    """Every enterprise of the sheet read from its row with its intended values (万元 → 元)."""
    got = rows_by_code(delivery)
    for code, values in sheet.values.items():
        assert code in got, f"{code} not read"
        assert (got[code]["sheet"], got[code]["row"]) == (sheet.name, sheet.rows[code])
        for key in fields:
            assert got[code][key] is not None, (code, key)
            assert fen(got[code][key]) == c.scaled(values[key]), (code, key)


@pytest.fixture
def admin():
    return f.UserFactory(username="corpus_admin", role=Role.ZONE_ADMIN)


# --- The corpus itself ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", c.files())
def test_every_file_of_the_manifest_is_here_in_its_format(name):
    content = content_of(name)
    if name.endswith(".xls"):
        assert content.startswith(OLE)
    elif name.endswith(".xlsx"):
        assert zipfile.is_zipfile(io.BytesIO(content))
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # Saved by LibreOffice, not by openpyxl.
            assert b"LibreOffice" in archive.read("docProps/app.xml")
    else:
        encoding = c.CSV_FILES[name]
        assert content.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        assert c.NAMES[c.CSV_1] in content.decode(encoding)


def test_the_corpus_has_no_file_the_manifest_does_not_list():
    listed = set(c.files())
    found = {p.name for p in DATA.iterdir() if p.suffix in (".xlsx", ".xls", ".csv")}
    assert found == listed


def test_the_manifest_codes_are_valid_but_the_one_typed_wrong():
    for code in c.NAMES:
        assert uscc.validate(code).valid, code
    assert c.WU_WRONG[:17] == c.WU_VALID[:17] and c.WU_VALID[17] == c.WU_EXPECTED_CHECK
    assert not uscc.validate(c.WU_WRONG).valid
    with pytest.raises(ValueError):
        uscc.make_code("91", "330482", "MA2ABCO1")  # O is not in the code alphabet


@pytest.mark.parametrize("case", list(c.CASES))
def test_the_files_hold_the_sheets_and_codes_of_the_manifest(case, ext):
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content_of(f"{case}.{ext}")))
    manifest = c.CASES[case]
    visible = {m.name: m.visible == python_calamine.SheetVisibleEnum.Visible for m in book.sheets_metadata}
    # LibreOffice saves a very hidden sheet as hidden (README): hidden and very hidden both arrive hidden.
    assert visible == {s.name: s.state == "visible" for s in manifest.sheets}
    assert all(
        m.visible in (python_calamine.SheetVisibleEnum.Visible, python_calamine.SheetVisibleEnum.Hidden)
        for m in book.sheets_metadata
    )
    for sheet in manifest.sheets:
        grid = book.get_sheet_by_name(sheet.name).to_python()
        for code, row in sheet.rows.items():
            typed = grid[row - 1][0]
            assert uscc.normalize(typed).replace("\u200b", "") == code


# --- Statistics workbooks (jingkai.stats.reader) -------------------------------------------------------------


def test_stats_hidden_first_sheet(ext):
    case = c.CASES["stats_hidden_first_sheet"]
    delivery = deliver(case.name, ext)
    assert delivery.errors == []
    assert delivery.period == c.JUNE
    assert set(delivery.frame["sheet"]) == {"6月"}
    assert_values(delivery, case.sheet("6月"), ["output_month", "output_cum", "revenue_month", "revenue_cum"])
    assert delivery.hidden_sheets == ["5月"]


def test_stats_hidden_first_sheet_imports_june(admin, ext):
    case = c.CASES["stats_hidden_first_sheet"]
    for code in case.sheet("6月").rows:
        f.EnterpriseFactory(uscc=code, name=c.NAMES[code])
    report = StatsImporter().validate(content_of(f"{case.name}.{ext}"), admin, f"{case.name}.{ext}")
    assert report.errors == []
    assert report.period == c.JUNE and report.counts["create"] == 3


def test_stats_very_hidden_lookup(ext):
    case = c.CASES["stats_very_hidden_lookup"]
    delivery = deliver(case.name, ext)
    assert delivery.errors == []
    assert set(delivery.frame["sheet"]) == {"6月"}
    assert c.DING not in rows_by_code(delivery)  # only on the lookup sheet
    assert_values(delivery, case.sheet("6月"), ["output_cum", "revenue_cum"])
    assert "代码对照" in delivery.hidden_sheets


def test_stats_two_periods(ext):
    case = c.CASES["stats_two_periods"]
    delivery = deliver(case.name, ext)
    assert delivery.errors, "a workbook of two periods must be refused"
    second = case.sheets[1].name
    # About the sheet's period: located at its title (above the header, row 3) or at the whole sheet, not at a
    # data row (a duplicate code there would name the sheet too).
    about_period = [e for e in delivery.errors if e.row is None or e.row < 3]
    assert any(e.sheet == second or second in e.reason for e in about_period), [
        (e.sheet, e.row, e.reason) for e in delivery.errors
    ]


def test_stats_last_year_columns(ext):
    case = c.CASES["stats_last_year_columns"]
    delivery = deliver(case.name, ext)
    assert delivery.errors == []  # 上年同期 is not a second cumulative column
    assert delivery.period == c.JUNE
    assert_values(delivery, case.sheets[0], ["output_month", "output_cum", "revenue_month", "revenue_cum"])
    (layout,) = delivery.layouts
    # 增长% (F, J) recognised as growth: listed as a growth column (or kept to check), not as unknown.
    growth = set(layout.yoy) | {
        column_letter(index)
        for key, index in getattr(layout, "checks", {}).items()
        if key.startswith("growth")
    }
    assert {"F", "J"} <= growth
    assert not {"F", "J"} & {letter for _header, letter in layout.ignored}
    assert not {4, 8} & set(layout.positions.values())  # 上年同期 (E, I) is not read as any figure


@pytest.mark.parametrize("case", ["stats_last_year_columns", "stats_subfen"])
def test_stats_notes_and_signature_lines_are_not_rows(case, ext):
    delivery = deliver(case, ext)
    sheet = c.CASES[case].sheets[0]
    assert delivery.frame is not None, delivery.errors
    got = {(s, r) for s, r in delivery.frame.select(["sheet", "row"]).iter_rows()}
    assert got == {(sheet.name, row) for row in sheet.rows.values()}


def test_stats_sales_output_only(ext):
    case = c.CASES["stats_sales_output_only"]
    delivery = deliver(case.name, ext)
    assert delivery.errors == []
    for key in ("output_month", "output_cum"):
        assert key not in delivery.frame.columns or delivery.frame[key].null_count() == len(delivery.frame), (
            key
        )
    assert_values(delivery, case.sheets[0], ["sales_cum", "new_product_cum", "revenue_cum"])


def test_stats_fullwidth_invisible(ext):
    case = c.CASES["stats_fullwidth_invisible"]
    delivery = deliver(case.name, ext)
    assert delivery.errors == []
    assert_values(delivery, case.sheets[0], ["output_cum", "revenue_cum"])


def test_stats_subfen(ext):
    case = c.CASES["stats_subfen"]
    delivery = deliver(case.name, ext)
    at_cell = [e for e in delivery.errors if (e.sheet, e.row, e.letter) == c.SUBFEN_CELL]
    assert at_cell, located(delivery.errors)
    assert "0.0012345" in at_cell[0].reason


def test_stats_duplicate_across_sheets(ext):
    case = c.CASES["stats_duplicate_across_sheets"]
    delivery = deliver(case.name, ext)
    positions = {("一区", 5), ("二区", 6)}
    assert {(s.name, s.rows[c.DING]) for s in case.sheets} == positions  # as the manifest says
    duplicate = [e for e in delivery.errors if (e.sheet, e.row) in positions and e.letter == "A"]
    assert duplicate, located(delivery.errors)
    assert any("一区" in f"{e.sheet} {e.reason}" and "二区" in f"{e.sheet} {e.reason}" for e in duplicate), [
        (e.sheet, e.reason) for e in duplicate
    ]


def test_stats_wrong_check_char(admin, ext):
    case = c.CASES["stats_wrong_check_char"]
    f.EnterpriseFactory(uscc=c.JIA, name=c.NAMES[c.JIA])
    f.EnterpriseFactory(uscc=c.WU_VALID, name=c.NAMES[c.WU_VALID])  # the right code is in the registry
    name = f"{case.name}.{ext}"
    report = StatsImporter().validate(content_of(name), admin, name)
    row = case.sheets[0].rows[c.WU_WRONG]
    at_row = [e for e in report.errors if (e.sheet, e.row, e.letter) == (case.sheets[0].name, row, "A")]
    assert at_row, located(report.errors)
    (error,) = at_row
    assert error.reason == uscc.problem(c.WU_WRONG)
    assert f"should be {c.WU_EXPECTED_CHECK}" in error.reason
    assert "registry" not in error.reason


# --- Enterprise workbooks (core.importing.read_workbook with the enterprise COLUMNS) ---------------------------


def test_enterprises_notes_line(ext):
    case = c.CASES["enterprises_notes_line"]
    read = read_enterprises(case.name, ext)
    assert read.errors == []
    sheet = case.sheets[0]
    assert [(r.sheet, r.number, r.values["uscc"]) for r in read.rows] == [
        (sheet.name, row, code) for code, row in sheet.rows.items()
    ]
    assert read.note_rows == [(sheet.name, row) for row in c.NOTE_ROW_NUMBERS]


def test_enterprises_capital_wan_yuan(admin, ext):
    case = c.CASES["enterprises_capital_wan_yuan"]
    name = f"{case.name}.{ext}"
    sheet = case.sheets[0]
    read = read_enterprises(case.name, ext)
    assert read.errors == []
    assert [(r.sheet, r.number, r.values["uscc"]) for r in read.rows] == [(sheet.name, 2, c.ENT_CAPITAL)]

    capital, currency = c.CAPITAL_STORED
    stored = f.EnterpriseFactory(
        uscc=c.ENT_CAPITAL, name=c.NAMES[c.ENT_CAPITAL], registered_capital=Decimal(capital),
        registered_capital_currency=currency, community=f.CommunityFactory(),
    )  # fmt: skip
    importer = EnterpriseImporter()
    batch = importer.record_upload(name, content_of(name), admin)
    batch, report = importer.commit_batch(batch.pk, admin)
    assert batch.status == ImportBatch.Status.REJECTED
    at_cell = [e for e in report.errors if (e.sheet, e.row, e.letter) == (sheet.name, 2, "C")]
    assert at_cell, located(report.errors)
    reason = at_cell[0].reason
    assert any(word in reason for word in ("美元", "USD", "US dollar")), reason
    assert any(word in reason for word in ("人民币", "CNY", "RMB")), reason
    stored.refresh_from_db()
    assert (stored.registered_capital, stored.registered_capital_currency) == (Decimal(capital), currency)
    assert Enterprise.objects.count() == 1


def test_enterprises_hidden_sheet(ext):
    case = c.CASES["enterprises_hidden_sheet"]
    read = read_enterprises(case.name, ext)
    assert read.errors == []
    visible = case.sheet("企业名录")
    assert [(r.sheet, r.number, r.values["uscc"]) for r in read.rows] == [
        (visible.name, row, code) for code, row in visible.rows.items()
    ]
    assert read.hidden_sheets == ["旧名录"]


@pytest.mark.parametrize("name", list(c.CSV_FILES))
def test_enterprises_csv(admin, name):
    read = read_workbook(content_of(name), COLUMNS, file_name=name)
    assert read.errors == []
    assert [(r.number, r.values["uscc"], r.values["name"]) for r in read.rows] == [
        (number, firm.code, firm.name) for number, firm in enumerate(c.CSV_FIRMS, start=2)
    ]
    # Through the importer: the clean values it would write (capital ×10,000, the currency as stored).
    f.CommunityFactory(code="C01")
    report = EnterpriseImporter().validate(content_of(name), admin, name)
    got = [
        (
            p.row,
            p.data["uscc"],
            p.data["name"],
            p.data["short_name"],
            p.data["registered_capital"],
            p.data["registered_capital_currency"],
            p.data["address"],
        )
        for p in report.rows
    ]
    assert got == [
        (
            number,
            firm.code,
            firm.name,
            firm.short_name,
            c.scaled(firm.capital),
            c.CURRENCY_CODES[firm.currency],
            firm.address,
        )
        for number, firm in enumerate(c.CSV_FIRMS, start=2)
    ], report.errors
