"""Export and blank template: the import's own format, scoped like the list, and round-tripping unchanged."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jingkai.core import importing
from jingkai.core.importing import UNCHANGED
from jingkai.core.xlsx import WorkbookBuilder, XlsxColumn, xlsx_response
from jingkai.enterprises import exports, importers
from jingkai.enterprises.importers import EnterpriseImporter
from jingkai.enterprises.models import Enterprise
from jingkai.parks.models import Building
from tests import factories as f
from tests.conftest import PERSONAS, VISIBLE
from tests.core.imports.helpers import read_back

# The format staff type against: the same headers in the export, the template and the import.
HEADERS = [
    "统一社会信用代码*", "企业名称*", "简称", "英文名称", "成立日期", "经营状态", "行业代码", "主要产品", "资本来源",
    "投资国别", "注册资本（万）", "注册资本币种", "投资总额（万）", "投资总额币种", "用地面积（亩）", "从业人员",
    "技术人员", "上市板块", "股票代码", "上市日期", "所属集团", "园区", "楼宇", "网格", "村社区", "地址",
    "校验例外理由",
]  # fmt: skip


@pytest.fixture
def rich(zone):
    """The zone's enterprises with every kind of value filled in somewhere."""
    park = f.ParkFactory(name="中日产业园")
    building = Building.objects.create(park=park, name="A1栋")
    group = f.GroupFactory(name="尼得科（平湖）集团")
    Enterprise.objects.filter(pk=zone.above1.pk).update(
        short_name="甲精密",
        english_name="Jia Precision",
        status="suspended",
        main_products="数控机床, 刀具",
        origin="foreign",
        origin_country="JP",
        registered_capital=Decimal("1701000"),
        registered_capital_currency="USD",
        total_investment=Decimal("12345678.91"),
        total_investment_currency="USD",
        land_area_mu=Decimal("56.25"),
        employees=1200,
        technical_staff=300,
        listing_market="star",
        stock_code="688001",
        listed_on=dt.date(2020, 7, 22),
        group=group,
        park=park,
        building=building,
        address="新明路1号",
    )
    Enterprise.objects.filter(pk=zone.above2.pk).update(
        # 15 significant digits: as many as SQLite (a double) and an Excel number both keep exactly.
        origin="foreign",
        origin_country="CA",
        registered_capital=Decimal("9876543210123.45"),
    )
    Enterprise.objects.filter(pk=zone.below1.pk).update(origin="hmt", origin_country="HK", founded_on=None)
    f.EnterpriseFactory(
        uscc="91350100M000100Y44", uscc_override_reason="营业执照如此，已核实", name="戊有限公司"
    )
    return zone


def test_export_writes_the_import_format_with_typed_cells(rich):
    content = exports.enterprise_directory(
        Enterprise.objects.filter(pk=rich.above1.pk), rich["zone_admin"]
    ).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 2
    cells = dict(zip(HEADERS, sheet[2], strict=True))
    values = {h: c.value for h, c in cells.items()}
    ent = rich.above1
    assert values["统一社会信用代码*"] == ent.uscc and values["企业名称*"] == "甲精密机床有限公司"
    assert cells["成立日期"].is_date and values["成立日期"] == dt.datetime(2010, 5, 1)
    assert cells["上市日期"].is_date
    assert values["经营状态"] == "停业" and values["资本来源"] == "外资" and values["投资国别"] == "日本"
    assert values["注册资本（万）"] == pytest.approx(170.1) and values["注册资本币种"] == "美元"
    assert values["投资总额（万）"] == pytest.approx(1234.567891)
    assert values["用地面积（亩）"] == 56.25 and values["从业人员"] == 1200
    assert values["上市板块"] == "科创板" and values["股票代码"] == "688001"
    assert (values["所属集团"], values["园区"], values["楼宇"]) == (
        "尼得科（平湖）集团",
        "中日产业园",
        "A1栋",
    )
    assert values["网格"] == rich.grid1.code and values["村社区"] is None
    validated = {str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert any(ref.startswith("F2") for ref in validated)  # 经营状态 offers its list


def test_a_figure_too_long_for_a_float_is_written_as_exact_text_and_reads_back_exactly():
    builder = WorkbookBuilder()
    columns = [XlsxColumn("金额（万）", kind="number"), XlsxColumn("人数", kind="integer")]
    builder.add_table("S", columns, [[Decimal("123456789012.345678"), 3], [Decimal("170.1"), None]])
    content = builder.to_bytes()
    assert read_back(content)[1:] == [["123456789012.345678", 3.0], [170.1, ""]]
    parse = importing.decimal(max_digits=18, decimal_places=2, scale=10_000)
    assert parse(read_back(content)[1][0]) == Decimal("1234567890123456.78")


def test_export_then_import_is_unchanged(rich):
    admin = rich["zone_admin"]
    content = exports.enterprise_directory(Enterprise.objects.all(), admin).content
    report = EnterpriseImporter().validate(content, admin)
    assert report.errors == []
    assert len(report.rows) == Enterprise.objects.count() == 5
    assert {r.action for r in report.rows} == {UNCHANGED}

    history = Enterprise.history.count()
    batch = importing.record_upload(importers.KIND, "企业名录.xlsx", content, admin)
    EnterpriseImporter().commit_batch(batch.pk, admin)
    assert Enterprise.history.count() == history


def test_export_costs_no_query_per_row(zone):
    admin = zone["zone_admin"]
    counts = []
    for extra in (0, 30):
        f.EnterpriseFactory.create_batch(extra, grid=zone.grid1, group=f.GroupFactory(), park=f.ParkFactory())
        with CaptureQueriesContext(connection) as queries:
            exports.enterprise_directory(Enterprise.objects.visible_to(admin), admin)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_blank_template_has_the_headers_and_instructions(zone):
    content = EnterpriseImporter().template_workbook(zone["zone_admin"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    data, notes = book.worksheets[0], book.worksheets[-1]
    assert [c.value for c in data[1]] == HEADERS and data.max_row == 1
    noted = [row[0] for row in notes.iter_rows(values_only=True)]
    assert all(header in noted for header in HEADERS)  # one line per column
    # Uploaded as it is, it is refused for having no data, not for its instructions sheet.
    report = EnterpriseImporter().validate(content, zone["zone_admin"])
    assert [e.reason for e in report.errors] == ["The workbook has a header row but no data rows"]


def test_long_drop_down_lists_go_to_a_hidden_sheet(zone):
    for i in range(40):
        f.ParkFactory(name=f"一个名字相当长的测试产业园区第{i}号")
    content = EnterpriseImporter().template_workbook(zone["zone_admin"])
    book = openpyxl.load_workbook(io.BytesIO(content))
    hidden = [s for s in book.worksheets if s.sheet_state == "hidden"]
    assert len(hidden) == 1 and hidden[0].max_row >= 40
    report = EnterpriseImporter().validate(content, zone["zone_admin"])
    assert [e.reason for e in report.errors] == ["The workbook has a header row but no data rows"]


# --- the view --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_exports_exactly_what_they_may_see(client, zone, persona):
    client.force_login(zone[persona])
    response = client.get(reverse("enterprises:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith("attachment;")
    assert timezone.localdate().strftime("%Y%m%d") in response["Content-Disposition"]
    names = {row[1] for row in read_back(response.content)[1:]}
    assert names == {getattr(zone, key).name for key in VISIBLE[persona]}


def test_export_applies_the_list_filters(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:export"), {"grid": zone.grid2.code})
    assert [row[1] for row in read_back(response.content)[1:]] == [zone.above2.name]


def test_an_invalid_filter_is_refused_rather_than_ignored(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("enterprises:export"), {"scale": "gigantic"})
    assert response.status_code == 400


def test_export_needs_a_sign_in(client, zone):
    response = client.get(reverse("enterprises:export"))
    assert response.status_code == 302 and "export" not in response["Location"].split("?")[0]


def test_a_chinese_file_name_is_sent_as_rfc_5987():
    response = xlsx_response(b"x", "企业名录-20261123.xlsx")
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95-20261123.xlsx"
    )
