"""The 亩均效益 input import (issue 14): upload → preview → commit on real workbooks, the unit rule, aliases,
"not given" cells, located errors that change nothing, sources kept by assembly, the template."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from jingkai.core.importing import join_list
from jingkai.core.models import ImportBatch
from jingkai.evaluation import services
from jingkai.evaluation.importers import (
    COLUMNS,
    KIND,
    EvaluationInputImporter,
    default_year,
    sheet_units,
)
from jingkai.evaluation.models import EvaluationInput
from jingkai.stats.models import MonthlyReport
from tests import factories as f
from tests.core.imports.helpers import read_back, table, xlsx
from tests.evaluation.conftest import YEAR

pytestmark = pytest.mark.django_db
OPTIONS = {"year": YEAR}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def validate(zone, content: bytes, options=OPTIONS, file_name="亩均.xlsx"):
    return EvaluationInputImporter().validate(content, zone["zone_admin"], file_name, dict(options))


def commit(zone, content: bytes, options=OPTIONS):
    importer = EvaluationInputImporter()
    batch = importer.record_upload("亩均.xlsx", content, zone["zone_admin"], dict(options))
    return importer.commit_batch(batch.pk, zone["zone_admin"])


def row_of(ent, **cells) -> dict:
    return {"统一社会信用代码": ent.uscc, "企业名称": ent.name, **cells}


def book(*rows: dict, sheet="2022年度", above: list | None = None) -> bytes:
    return xlsx({sheet: (above or []) + table(list(rows))})


def errors_of(report) -> list[tuple]:
    return [(e.sheet, e.row, e.letter, e.reason) for e in report.sorted_errors()]


def state() -> list:
    """Everything an import could change."""
    rows = EvaluationInput.objects.order_by("pk").values()
    return [list(rows), EvaluationInput.history.count()]


# --- the flow --------------------------------------------------------------------------------------------


def test_a_file_creates_and_updates_rows_with_their_sources(evaluation_zone):
    z = evaluation_zone
    extra = f.EnterpriseFactory(name="戊新材料有限公司", industry_code="C2651")
    f.AnnualScaleFactory(enterprise=extra, year=YEAR, above_size=True)
    content = book(
        row_of(z.above1, **{"实缴税金（万元）": 950, "工业增加值（万元）": 5200, "在建": "否"}),
        row_of(
            extra,
            **{"实缴税金（万元）": "1,234.5", "综合能耗（吨标准煤）": "８００", "安全生产事故（起）": 1},
        ),
    )
    report = validate(z, content)
    assert report.ok, report.errors
    actions = {r.label: r.action for r in report.rows}
    assert actions == {z.above1.name: "update", extra.name: "create"}
    update = next(r for r in report.rows if r.action == "update")
    assert {c["column"] for c in update.changes} == {"实缴税金（万元）", "在建"}  # 5200 is unchanged

    batch, report = commit(z, content)
    assert batch.status == ImportBatch.Status.COMMITTED, report.errors
    a1 = EvaluationInput.objects.get(enterprise=z.above1, year=YEAR)
    assert a1.tax == Decimal("950") and a1.value_added == Decimal("5200")
    assert a1.flags == {"under_construction": 0}
    assert (
        a1.sources["tax"] == f"import:{batch.pk}"
        and a1.sources["flag_under_construction"] == f"import:{batch.pk}"
    )
    assert a1.sources["land_own_mu"] == "import:0"  # not in the file: kept as it was
    assert a1.land_own_mu == Decimal(60)
    new = EvaluationInput.objects.get(enterprise=extra, year=YEAR)
    assert (new.population, new.industry, new.founded_year) == ("above", "C2651", 2010)
    assert new.tax == Decimal("1234.5") and new.energy_tce == Decimal(800)
    assert new.flags == {"safety_accidents": 1}
    assert set(new.sources) == {"tax", "energy_tce", "flag_safety_accidents"}
    assert new.history.first().history_user == z["zone_admin"]
    assert (
        gettext("Excel import: %(file)s") % {"file": "亩均.xlsx"} == new.history.first().history_change_reason
    )


def test_the_same_file_again_is_unchanged_and_writes_nothing(evaluation_zone):
    z = evaluation_zone
    content = book(row_of(z.above2, **{"实缴税金": 310, "用电量（万千瓦时）": 480}))
    commit(z, content)
    before = state()
    report = validate(z, content)
    assert [r.action for r in report.rows] == ["unchanged"]
    batch, _report = commit(z, content)
    assert batch.status == ImportBatch.Status.COMMITTED and state() == before


def test_the_same_figure_from_another_source_is_an_update_of_its_source(evaluation_zone):
    z = evaluation_zone
    row = EvaluationInput.objects.get(enterprise=z.below1, year=YEAR)
    row.sources = {**row.sources, "tax": "stats"}
    row.save()
    report = validate(z, book(row_of(z.below1, 实缴税金=40)))
    assert [r.action for r in report.rows] == ["update"]


def test_the_pages_upload_preview_and_commit_with_the_year(evaluation_zone, client):
    z = evaluation_zone
    try:
        url = reverse("evaluation:import")
    except NoReverseMatch:
        pytest.skip("evaluation/urls.py does not route the import yet")
    client.force_login(z["zone_admin"])
    page = client.get(url)
    assert page.status_code == 200 and 'name="year"' in page.content.decode()
    content = book(row_of(z.below2, **{"实缴税金（万元）": 15}))
    response = client.post(url, {"file": SimpleUploadedFile("亩均.xlsx", content, XLSX), "year": YEAR})
    assert response.status_code == 302
    batch = ImportBatch.objects.filter(kind=KIND).latest("pk")
    assert batch.summary["options"] == {"year": YEAR}
    preview = client.get(response["Location"])
    assert preview.context["counts"]["update"] == 1 and preview.context["can_commit"]
    assert client.post(response["Location"]).status_code == 302
    assert EvaluationInput.objects.get(enterprise=z.below2, year=YEAR).tax == Decimal(15)
    template = client.get(reverse("evaluation:import_template"))
    assert template.status_code == 200


def test_the_year_defaults_to_last_year(evaluation_zone):
    importer = EvaluationInputImporter()
    assert importer.prepare_options({}) == {"year": default_year()}
    assert importer.prepare_options({"year": "2022"}) == {"year": 2022}
    with pytest.raises(Exception, match="2022"):  # "Give the year as four digits, such as 2022."
        importer.prepare_options({"year": 1900})
    report = validate(evaluation_zone, book(row_of(evaluation_zone.above1, 实缴税金=1)), options={})
    # The zone's statuses are 2022's: last year has none.
    assert not report.ok and str(default_year()) in report.errors[0].reason


def test_an_xls_file_imports_like_the_xlsx(evaluation_zone, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice converts the .xlsx to .xls")
    z = evaluation_zone
    source = tmp_path / "亩均.xlsx"
    source.write_bytes(book(row_of(z.above1, **{"实缴税金（元）": 9_500_000, "自有用地（亩）": "58.5"})))
    subprocess.run(
        [soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    content = (tmp_path / "亩均.xls").read_bytes()
    report = validate(z, content, file_name="亩均.xls")
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {"tax": Decimal(950), "land_own_mu": Decimal("58.5")}


# --- units -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cell", "wan"),
    [
        ("实缴税金（万元）", 950, "950"),
        ("实缴税金(元)", 9_500_000, "950"),
        ("实缴税金（千元）", "9,500", "950"),
        ("实缴税金（亿元）", "0.095", "950"),
        ("实缴税金（元）", 12_345, "1.2345"),
    ],
)
def test_a_money_column_is_converted_from_the_unit_of_its_header(evaluation_zone, header, cell, wan):
    report = validate(evaluation_zone, book(row_of(evaluation_zone.above1, **{header: cell})))
    assert report.ok, report.errors
    assert report.rows[0].data["given"]["tax"] == Decimal(wan)


def test_yuan_with_cents_is_refused_not_rounded(evaluation_zone):
    z = evaluation_zone
    before = state()
    report = validate(z, book(row_of(z.above1, **{"实缴税金（元）": "12,345.67"})))
    assert not report.ok and not report.rows
    [(sheet, row, letter, reason)] = errors_of(report)
    assert (sheet, row, letter) == ("2022年度", 2, "C") and "12,345.67" in reason
    batch, _report = commit(z, book(row_of(z.above1, **{"实缴税金（元）": "12,345.67"})))
    assert batch.status == ImportBatch.Status.REJECTED and state() == before


def test_a_units_row_above_the_header_gives_the_money_unit(evaluation_zone):
    z = evaluation_zone
    content = book(
        row_of(z.above1, 实缴税金=9_500_000, 综合能耗=1200), above=[["2022年度亩均效益数据"], ["单位：元"]]
    )
    report = validate(z, content)
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {"tax": Decimal(950), "energy_tce": Decimal(1200)}


def test_a_column_without_a_unit_is_read_in_the_standard_unit_and_the_preview_says_so(evaluation_zone):
    z = evaluation_zone
    report = validate(z, book(row_of(z.above1, 实缴税金=950)))
    assert report.ok and report.rows[0].data["given"] == {"tax": Decimal(950)}
    notice = gettext("Sheet “%(sheet)s”: no unit stated, read in the standard unit: %(columns)s")
    assert notice % {"sheet": "2022年度", "columns": "实缴税金 (C): 万元"} in report.notices


def test_two_units_above_the_header_are_an_error_at_the_money_header(evaluation_zone):
    z = evaluation_zone
    content = book(row_of(z.above1, 实缴税金=950), above=[["单位：万元"], ["金额单位：元"]])
    report = validate(z, content)
    assert not report.ok and all("tax" not in r.data["given"] for r in report.rows)
    assert [(e.row, e.letter) for e in report.errors] == [(3, "C")]


@pytest.mark.parametrize(
    ("header", "letter"), [("实缴税金（美元）", "C"), ("自有用地（平方米）", "C"), ("用电量（兆瓦时）", "C")]
)
def test_a_header_in_a_unit_the_column_is_not_read_in_is_refused_at_the_header(
    evaluation_zone, header, letter
):
    z = evaluation_zone
    report = validate(z, book(row_of(z.above1, **{header: 100})))
    assert not report.ok
    [error] = report.errors
    assert (error.row, error.letter, error.column) == (1, letter, header)


@pytest.mark.parametrize(
    ("header", "cell", "field", "value"),
    [
        ("用电量（千瓦时）", 1_200_000, "electricity", "120"),
        ("用电量（万kWh）", 120, "electricity", "120"),
        ("综合能耗（万吨标准煤）", "0.12", "energy_tce", "1200"),
        ("主要污染物排放当量（千克）", 30_000, "emissions", "30"),
        ("排放当量（吨）", 30, "emissions", "30"),
    ],
)
def test_other_quantities_are_converted_too(evaluation_zone, header, cell, field, value):
    report = validate(evaluation_zone, book(row_of(evaluation_zone.above1, **{header: cell})))
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {field: Decimal(value)}


# --- headers and values ----------------------------------------------------------------------------------


def test_the_offices_synonyms_are_read(evaluation_zone):
    z = evaluation_zone
    cells = {
        "信用代码": z.above1.uscc,
        "单位名称": z.above1.name,
        "税收实绩（万元）": 1,
        "增加值": 2,
        "综合能源消费量(吨标准煤)": 3,
        "总用电量（万千瓦时）": 4,
        "排放当量(吨)": 5,
        "平均从业人员": 6,
        "自有土地面积（亩）": 7,
        "出租用地": 8,
        "租用土地（亩）": 9,
        "是否在建": "是",
        "安全事故（起）": 2,
        "环境违法处罚（件）": 3,
    }
    report = validate(z, xlsx({"表1": table([cells])}))
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {
        "tax": 1, "value_added": 2, "energy_tce": 3, "electricity": 4, "emissions": 5, "employees": 6,
        "land_own_mu": 7, "land_leased_out_mu": 8, "land_leased_in_mu": 9, "flag_under_construction": 1,
        "flag_safety_accidents": 2, "flag_environmental_penalties": 3,
    }  # fmt: skip


@pytest.mark.parametrize("cell", [None, "", "—", "-", "－", "——", " "])
def test_a_blank_or_a_dash_is_not_given_and_keeps_the_value(evaluation_zone, cell):
    z = evaluation_zone
    report = validate(z, book(row_of(z.above1, 实缴税金=cell, 工业增加值=5300)))
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {"value_added": Decimal(5300)}
    commit(z, book(row_of(z.above1, 实缴税金=cell, 工业增加值=5300)))
    row = EvaluationInput.objects.get(enterprise=z.above1, year=YEAR)
    assert row.tax == Decimal(900) and row.sources["tax"] == "import:0"


@pytest.mark.parametrize(
    ("header", "cell", "expected"),
    [
        ("实缴税金", "１２３４．５", "1234.5"),
        ("实缴税金", "1,234,567.1234", "1234567.1234"),
        ("实缴税金", "１，２３４", "1234"),
        ("实缴税金", "-12.5", "-12.5"),  # a tax refund
        ("工业增加值", -300, "-300"),  # a loss
        ("自有用地", "0", "0"),
        ("自有用地", 0.1 + 0.2, "0.3"),
    ],
)
def test_numbers_as_offices_type_them(evaluation_zone, header, cell, expected):
    z = evaluation_zone
    report = validate(z, book(row_of(z.above1, **{header: cell})))
    assert report.ok, report.errors
    assert list(report.rows[0].data["given"].values()) == [Decimal(expected)]


NEGATIVE = "“%(value)s” is negative; this figure cannot be below zero"
NOT_A_NUMBER = "“%(value)s” is not a number"
TOO_LARGE = "“%(value)s” is too large"


@pytest.mark.parametrize(
    ("header", "cell", "msgid", "params"),
    [
        ("综合能耗", -5, NEGATIVE, {"value": "-5"}),
        ("自有用地", "-0.5", NEGATIVE, {"value": "-0.5"}),
        ("年平均职工人数", "很多", NOT_A_NUMBER, {"value": "很多"}),
        ("实缴税金", "1e20", TOO_LARGE, {"value": "1e20"}),
        ("实缴税金", "123456789012345", TOO_LARGE, {"value": "123456789012345"}),
        (
            "自有用地",
            "1.23456",
            "“%(value)s” has too many decimal places for its unit (at most %(places)d)",
            {"value": "1.23456", "places": 4},
        ),
        ("安全生产事故", 1.5, "“%(value)s” is not a whole number", {"value": "1.5"}),
        ("安全生产事故", -1, "“%(value)s” is negative; a count cannot be below zero", {"value": "-1"}),
        (
            "在建",
            "也许",
            "“%(value)s” is not one of: %(choices)s",
            {"value": "也许", "choices": ("是", "否")},
        ),
    ],
)
def test_a_bad_cell_is_a_located_error_and_nothing_is_written(evaluation_zone, header, cell, msgid, params):
    z = evaluation_zone
    before = state()
    content = book(row_of(z.above1, **{header: cell}), row_of(z.above2, 实缴税金=1))
    report = validate(z, content)
    assert not report.ok and [r.row for r in report.rows] == [3]
    [(sheet, row, letter, reason)] = errors_of(report)
    assert (sheet, row, letter) == ("2022年度", 2, "C")
    if "choices" in params:
        params = params | {"choices": join_list(params["choices"])}
    assert reason == gettext(msgid) % params  # the reason, quoting the cell as typed
    batch, _report = commit(z, content)
    assert batch.status == ImportBatch.Status.REJECTED and state() == before


# --- enterprises -----------------------------------------------------------------------------------------


def test_enterprise_problems_are_located(evaluation_zone):
    z = evaluation_zone
    no_status = f.EnterpriseFactory(name="无规模状态有限公司")
    content = book(
        row_of(z.above1, 实缴税金=1) | {"企业名称": "别的公司"},
        row_of(no_status, 实缴税金=1),
        {"统一社会信用代码": "91330482MA2C0000X0", "企业名称": "x", "实缴税金": 1},
        row_of(z.below1, 实缴税金=1),
        row_of(z.below1, 实缴税金=2),
        {"企业名称": "没有代码", "实缴税金": 1},
    )
    before = state()
    report = validate(z, content)
    assert not report.rows
    located = [(e.row, e.letter) for e in report.sorted_errors()]
    assert located == [(2, "B"), (3, "A"), (4, "A"), (5, "A"), (6, "A"), (7, "A")]
    assert z.above1.name in report.sorted_errors()[0].reason
    assert "2022" in report.sorted_errors()[1].reason
    assert commit(z, content)[0].status == ImportBatch.Status.REJECTED and state() == before


def test_a_credit_code_in_another_spelling_is_found(evaluation_zone):
    z = evaluation_zone
    code = z.above1.uscc.lower().translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    report = validate(z, book({"统一社会信用代码": f" {code} ", "实缴税金": 1}))
    assert report.ok, report.errors and report.rows[0].key == z.above1.uscc


def test_only_a_zone_admin_may_import(evaluation_zone):
    assert EvaluationInputImporter.may_import(evaluation_zone["zone_admin"])
    for persona in ("grid_leader", "grid_officer", "community_officer", "department", "enterprise"):
        assert not EvaluationInputImporter.may_import(evaluation_zone[persona])


# --- with assembly ---------------------------------------------------------------------------------------


def test_assembly_keeps_what_the_import_gave_and_the_import_replaces_what_assembly_gave(evaluation_zone):
    z = evaluation_zone
    MonthlyReport.objects.create(
        enterprise=z.above1,
        period=dt.date(YEAR, 12, 1),
        tax_cum=Decimal(12_000_000),
        revenue_cum=Decimal(99_990_000),
    )
    EvaluationInput.objects.filter(enterprise=z.above1).update(sources={})
    services.assemble_inputs(YEAR, z["zone_admin"])
    row = EvaluationInput.objects.get(enterprise=z.above1, year=YEAR)
    assert row.sources["tax"] == "stats" and row.tax == Decimal(1200)

    batch, report = commit(z, book(row_of(z.above1, **{"实缴税金（万元）": 950, "是否在建": "是"})))
    assert report.ok and report.rows[0].action == "update"
    services.assemble_inputs(YEAR, z["zone_admin"])
    row.refresh_from_db()
    assert row.tax == Decimal(950) and row.sources["tax"] == f"import:{batch.pk}"
    assert (
        row.flags["under_construction"] == 1
        and row.sources["flag_under_construction"] == f"import:{batch.pk}"
    )
    assert row.revenue == Decimal(9999) and row.sources["revenue"] == "stats"


# --- the template ----------------------------------------------------------------------------------------


def test_the_template_has_every_header_with_its_unit_and_reads_back_empty(evaluation_zone):
    content = EvaluationInputImporter().template_workbook(evaluation_zone["zone_admin"])
    header = read_back(content)[0]
    assert header == [c.xlsx().title for c in COLUMNS]
    assert "实缴税金（万元）" in header and "统一社会信用代码*" in header and "用电量（万千瓦时）" in header
    report = validate(evaluation_zone, content)
    assert [e.reason for e in report.errors] == [gettext("The workbook has a header row but no data rows")]
    assert len(read_back(content, 1)) > 3  # the instructions sheet


def test_the_template_filled_in_imports(evaluation_zone):
    z = evaluation_zone
    header = [c.xlsx().title for c in COLUMNS]
    cells = [z.above1.uscc, z.above1.name] + [None] * (len(header) - 2)
    cells[header.index("实缴税金（万元）")] = 901
    cells[header.index("在建")] = "否"
    report = validate(z, xlsx({"亩均": [header, cells]}))
    assert report.ok, report.errors
    assert report.rows[0].data["given"] == {"tax": Decimal(901), "flag_under_construction": 0}


def test_checking_a_file_costs_the_same_queries_for_one_row_or_many(
    evaluation_zone, django_assert_max_num_queries
):
    z = evaluation_zone
    many = book(
        *(row_of(getattr(z, k), 实缴税金=i) for i, k in enumerate(("above1", "above2", "below1", "below2")))
    )
    with django_assert_max_num_queries(3):
        report = validate(z, many)
    assert report.ok and len(report.rows) == 4


def test_sheet_units_of_a_plain_layout():
    from jingkai.core.importing import SheetLayout

    layout = SheetLayout(
        "s",
        1,
        {"tax": 2, "electricity": 3, "employees": 4},
        {"tax": "实缴税金（元）", "electricity": "用电量", "employees": "平均从业人员"},
    )
    factors, errors, assumed = sheet_units(layout)
    assert factors == {"tax": Decimal("0.0001"), "electricity": Decimal(1), "employees": 1} and not errors
    assert assumed == ["用电量 (D): 万千瓦时"]  # 人 is the only unit of a head count: nothing assumed


@pytest.mark.parametrize(
    ("sheet", "above", "refused"),
    [
        ("2022年度", [["2022年度亩均效益数据"]], False),
        (
            "Sheet1",
            [["填报日期：2023年3月1日"]],
            False,
        ),  # a date in the next year is not the year of the figures
        ("2021年度", [], True),  # the sheet's name states another year
        ("Sheet1", [["2023年度亩均效益评价数据"]], True),  # the title does
    ],
)
def test_a_sheet_that_states_another_year_is_refused(evaluation_zone, sheet, above, refused):
    """The wrong period is never stored silently: a file of 2021 uploaded as 2022's is refused, named."""
    z = evaluation_zone
    before = state()
    content = book(row_of(z.above1, 实缴税金=950), sheet=sheet, above=above)
    report = validate(z, content)
    if not refused:
        assert report.ok, report.errors
        return
    assert not report.ok
    (error,) = [e for e in report.errors if "2022" in e.reason and e.sheet == sheet]
    assert error.row is None and ("2021年" in error.reason or "2023年" in error.reason)
    _batch, committed = commit(z, content)  # the kernel validates again at the commit and writes nothing
    assert not committed.ok
    assert state() == before
