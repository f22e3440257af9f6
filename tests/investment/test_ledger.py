"""The ledger workbook: located errors, all or nothing, idempotent by project code; export; monthly report."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import python_calamine
import xlsxwriter
from django.core.exceptions import PermissionDenied

from jingkai.core.models import ImportBatch
from jingkai.investment import exports, importers
from jingkai.investment.importers import LedgerImporter
from jingkai.investment.models import Figure, Project, StageEvent


def workbook(rows, headers=None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    headers = headers or [
        "项目编号",
        "项目名称",
        "投资方",
        "国别",
        "内外资",
        "项目类型",
        "总投资",
        "币种/单位",
        "合同外资（万美元）",
        "阶段",
        "签约日期",
        "报批日期",
        "批文号",
        "负责人",
        "企业统一社会信用代码",
    ]
    for col, header in enumerate(headers):
        sheet.write(0, col, header)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(
                    r,
                    col,
                    dt.datetime.combine(value, dt.time()),
                    book.add_format({"num_format": "yyyy-mm-dd"}),
                )
            elif value is not None:
                sheet.write(r, col, value)
    book.close()
    return buffer.getvalue()


def good_rows(inv):
    return [
        [
            "ZS001",
            "甲数控机床项目",
            "某株式会社",
            "日本",
            "外资",
            "新设",
            5000,
            "万美元",
            3000,
            "报批",
            dt.date(2022, 3, 1),
            dt.date(2022, 4, 1),
            "备〔2022〕1号",
            "investment",
            inv.above1.uscc,
        ],
        [
            "ZS002",
            "乙新材料项目",
            "杭州某科技有限公司",
            None,
            "内资",
            "新设",
            12000,
            "万元",
            None,
            "洽谈",
            None,
            None,
            None,
            "investment",
            None,
        ],
    ]


def upload(inv, content: bytes):
    staff = inv["investment"]
    batch = ImportBatch.objects.create(
        kind=importers.KIND, file_name="台账.xlsx", content=content, sha256="x", uploaded_by=staff
    )
    return LedgerImporter().commit_batch(batch.pk, staff)


def test_import_creates_then_reimport_changes_nothing(inv):
    content = workbook(good_rows(inv))
    batch, report = upload(inv, content)
    assert report.ok, report.errors
    assert report.counts["create"] == 2
    p1 = Project.objects.get(code="ZS001")
    assert (p1.total_investment, p1.total_investment_currency) == (Decimal("50000000.00"), "USD")
    assert p1.contract_foreign_capital == Decimal("30000000.00")
    assert (p1.stage, p1.country, p1.enterprise, p1.owner) == (
        "approved",
        "JP",
        inv.above1,
        inv["investment"],
    )
    events = StageEvent.objects.count()
    history = p1.history.count()
    batch, report = upload(inv, content)
    assert report.ok and report.counts["unchanged"] == 2 and report.counts["create"] == 0
    assert StageEvent.objects.count() == events and p1.history.count() == history


def test_one_bad_row_writes_nothing_and_every_error_is_located(inv):
    rows = good_rows(inv)
    rows[0][7] = None  # amounts without a unit
    rows[1][9] = "签约"  # signing needs the contract date
    rows.append(
        ["ZS001", "重复", "x", None, "内资", "新设", 1, "万元", None, "线索", None, None, None, None, None]
    )
    rows.append(
        [
            "ZS004",
            "x",
            "x",
            "火星",
            "外资",
            "新设",
            1,
            "万元",
            None,
            "线索",
            None,
            None,
            None,
            "nobody",
            "123",
        ]
    )
    batch, report = upload(inv, workbook(rows))
    assert not report.ok
    located = {(e.row, e.letter, e.column) for e in report.errors}
    assert (2, "H", "币种/单位") in located
    assert (3, "K", "签约日期") in located
    assert (4, "A", "项目编号") in located
    assert (5, "D", "国别") in located
    assert all(e.sheet == "台账" and e.reason for e in report.errors)
    assert not Project.objects.filter(code__startswith="ZS").exists()
    assert batch.status == "rejected"


def test_import_never_moves_a_project_back(inv):
    upload(inv, workbook(good_rows(inv)))
    rows = good_rows(inv)
    rows[0][9] = "签约"
    batch, report = upload(inv, workbook(rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "阶段")]
    assert Project.objects.get(code="ZS001").stage == "approved"


def test_only_investment_staff_import(inv):
    batch = ImportBatch.objects.create(
        kind=importers.KIND,
        file_name="a.xlsx",
        content=workbook(good_rows(inv)),
        sha256="x",
        uploaded_by=inv["grid_officer"],
    )
    # Refused like every importer's permission (core.importing.Importer.may_import), before reading the file.
    with pytest.raises(PermissionDenied):
        LedgerImporter().commit_batch(batch.pk, inv["grid_officer"])
    assert not Project.objects.filter(code="ZS001").exists()


def read(content: bytes) -> list[list]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_export_is_the_import_format_and_round_trips(inv):
    upload(inv, workbook(good_rows(inv)))
    content = exports.project_ledger(Project.objects.filter(code__startswith="ZS").order_by("code")).content
    sheet = read(content)
    assert [h.rstrip("*") for h in sheet[0]] == importers.header_row()
    assert sheet[1][:3] == ["ZS001", "甲数控机床项目", "某株式会社"]
    batch, report = upload(inv, content)
    assert report.ok and report.counts["unchanged"] == 2


def test_monthly_report_has_the_figures_and_the_months_projects(inv):
    upload(inv, workbook(good_rows(inv)))
    sheet = read(exports.monthly_report(inv["investment"], 2022, 4))
    labels = [row[0] for row in sheet]
    approved = sheet[labels.index(str(Figure.APPROVED.label))]
    assert approved[2:4] == [1.0, 1.0]
    assert any(row[0] == "ZS001" for row in sheet)
    march = read(exports.monthly_report(inv["investment"], 2022, 3))
    row = march[[r[0] for r in march].index(str(Figure.APPROVED.label))]
    assert row[2:4] == [0.0, 0.0]
