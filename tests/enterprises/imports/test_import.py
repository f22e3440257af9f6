"""enterprises/importers.py: every row checked, all or nothing, upsert by credit code, idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import CREATE, UNCHANGED, UPDATE
from jingkai.core.models import ImportBatch
from jingkai.enterprises import importers
from jingkai.enterprises.importers import EnterpriseImporter
from jingkai.enterprises.models import Enterprise
from jingkai.parks.models import Building
from tests import factories as f
from tests.core.imports.helpers import NAME, SHEET, USCC, located, new_row, sheet_of, table, xlsx

BAD_USCC = "91350100M000100Y44"  # the GB 32100 worked example (…Y43) with a wrong check character


def run(content: bytes, user, name: str = "名单.xlsx"):
    """Upload and commit as the views do."""
    batch = importing.record_upload(importers.KIND, name, content, user)
    return EnterpriseImporter().commit_batch(batch.pk, user)


def check(content: bytes, user):
    return EnterpriseImporter().validate(content, user, "名单.xlsx")


@pytest.fixture
def admin(zone):
    return zone["zone_admin"]


@pytest.fixture
def places(db):
    park = f.ParkFactory(name="中日产业园", code="sino-japan")
    other = f.ParkFactory(name="德国产业园", code="sino-german")
    return {
        "park": park,
        "other_park": other,
        "building": Building.objects.create(park=park, name="A1栋"),
        "group": f.GroupFactory(name="尼得科（平湖）集团", short_name="尼得科"),
    }


# --- creating --------------------------------------------------------------------------------------


def test_a_full_row_creates_the_enterprise_with_every_field(zone, admin, places):
    row = new_row(
        **{
            "简称": "平湖尼得科",
            "英文名称": "Nidec Pinghu Co., Ltd.",
            "成立日期": "2003年9月1日",
            "经营状态": "停业",
            "行业代码": "3421",
            "主要产品": "微电机",
            "资本来源": "外资",
            "投资国别": "日本",
            "注册资本（万）": 170.1,
            "注册资本币种": "美元",
            "投资总额（万）": "1,234.5",
            "投资总额币种": "USD",
            "用地面积（亩）": 56.25,
            "从业人员": "１，２００",
            "技术人员": 300,
            "上市板块": "科创板",
            "股票代码": 688001,
            "上市日期": dt.date(2020, 7, 22),
            "所属集团": "尼得科",
            "园区": "中日产业园",
            "楼宇": "A1栋",
            "网格": zone.grid1.code.lower(),
            "村社区": zone.community1.name,
            "地址": "平湖市经济技术开发区新明路1号",
        }
    )
    batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    assert report.counts[CREATE] == 1
    assert batch.status == ImportBatch.Status.COMMITTED and batch.committed_at is not None

    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.name, ent.short_name, ent.english_name) == (row[NAME], "平湖尼得科", "Nidec Pinghu Co., Ltd.")
    assert ent.founded_on == dt.date(2003, 9, 1)
    assert ent.status == "suspended"
    assert ent.industry_code == "C3421"
    assert (ent.origin, ent.origin_country) == ("foreign", "JP")
    assert ent.registered_capital == Decimal("1701000") and ent.registered_capital_currency == "USD"
    assert ent.total_investment == Decimal("12345000") and ent.total_investment_currency == "USD"
    assert ent.land_area_mu == Decimal("56.25")
    assert (ent.employees, ent.technical_staff) == (1200, 300)
    assert (ent.listing_market, ent.stock_code, ent.listed_on) == ("star", "688001", dt.date(2020, 7, 22))
    assert ent.group == places["group"] and ent.park == places["park"] and ent.building == places["building"]
    assert ent.grid == zone.grid1 and ent.community == zone.community1
    assert ent.address == "平湖市经济技术开发区新明路1号"
    assert ent.created_by == admin
    created = ent.history.get()
    assert created.history_type == "+" and created.history_user == admin
    assert "名单.xlsx" in created.history_change_reason


def test_a_minimal_row_gets_the_defaults(admin):
    row = new_row()
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.status, ent.origin, ent.registered_capital_currency, ent.grid) == (
        "operating",
        "domestic",
        "CNY",
        None,
    )


# --- all or nothing ------------------------------------------------------------------------------


def test_one_bad_row_writes_nothing_and_every_bad_row_is_located(admin):
    rows = [
        new_row(),
        new_row(成立日期="2003-02-30"),
        new_row(),
        new_row(**{USCC: BAD_USCC}),
        new_row(从业人员="很多"),
        new_row(),
    ]
    enterprises, history = Enterprise.objects.count(), Enterprise.history.count()
    batch, report = run(sheet_of(*rows), admin)

    assert not report.ok
    assert batch.status == ImportBatch.Status.REJECTED and batch.committed_at is None
    assert Enterprise.objects.count() == enterprises and Enterprise.history.count() == history
    assert located(report) == [
        (SHEET, 3, "成立日期", "C"),
        (SHEET, 5, "统一社会信用代码*", "A"),
        (SHEET, 6, "从业人员", "D"),
    ]
    reasons = [e.reason for e in report.sorted_errors()]
    assert "2003-02-30" in reasons[0]
    assert uscc_rules.validate(BAD_USCC).reason in reasons[1]
    assert "很多" in reasons[2]
    assert report.counts["error_rows"] == 3
    # The stored summary is what the preview page shows.
    assert [(e["sheet"], e["row"], e["column"], e["letter"]) for e in batch.summary["errors"]] == located(
        report
    )


def test_a_failure_while_applying_undoes_the_rows_already_written(admin, monkeypatch):
    rows = [new_row(), new_row(), new_row()]
    real = importers.create_enterprise
    calls = []

    def fail_on_third(data, user, **kwargs):
        calls.append(data["uscc"])
        if len(calls) == 3:
            from django.core.exceptions import ValidationError

            raise ValidationError({"name": "boom"})
        return real(data, user, **kwargs)

    monkeypatch.setattr(importers, "create_enterprise", fail_on_third)
    enterprises = Enterprise.objects.count()
    batch, report = run(sheet_of(*rows), admin)
    assert len(calls) == 3
    assert Enterprise.objects.count() == enterprises
    assert batch.status == ImportBatch.Status.REJECTED
    assert located(report) == [(SHEET, 4, NAME, "B")]


# --- each kind of error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"成立日期": "昨天"}, "成立日期", "not a date"),
        ({"上市日期": "2020-13-01"}, "上市日期", "not a real date"),
        ({"从业人员": 12.5}, "从业人员", "whole number"),
        ({"从业人员": "-3"}, "从业人员", "at least 0"),
        ({"注册资本（万）": "五百"}, "注册资本（万）", "not a number"),
        ({"注册资本（万）": "0.0000001"}, "注册资本（万）", "decimal places"),
        ({"用地面积（亩）": "1.234"}, "用地面积（亩）", "decimal places"),
        ({"经营状态": "倒闭"}, "经营状态", "not one of"),
        ({"资本来源": "民营"}, "资本来源", "not one of"),
        ({"注册资本币种": "比特币"}, "注册资本币种", "not one of"),
        ({"上市板块": "纳斯达克"}, "上市板块", "not one of"),
        ({"资本来源": "外资", "投资国别": "火星"}, "投资国别", "Unknown country"),
        ({"网格": "G99"}, "网格", "Unknown grid “G99”"),
        ({"村社区": "不存在村"}, "村社区", "Unknown community"),
        ({"园区": "月球园区"}, "园区", "Unknown park"),
        (
            {"所属集团": "新集团"},
            "所属集团",
            "Unknown group “新集团”: a zone administrator must add the group first",
        ),
        ({"园区": "中日产业园", "楼宇": "Z9栋"}, "楼宇", "Unknown building “Z9栋”"),
        ({"园区": "德国产业园", "楼宇": "A1栋"}, "楼宇", "Unknown building “A1栋” in the park “德国产业园”"),
        ({"楼宇": "A1栋"}, "楼宇", "needs its park"),
        ({NAME: "长" * 201}, NAME, "at most 200"),
        ({"股票代码": "1" * 21}, "股票代码", "at most 20"),
        ({NAME: None}, NAME, "must not be blank"),
        ({USCC: "  "}, USCC, "must not be blank"),
        # The rules of services.clean_enterprise_data, on the matching column:
        ({"行业代码": "Z9999"}, "行业代码", ""),
        ({"资本来源": "内资", "投资国别": "日本"}, "投资国别", "domestic"),
        ({"资本来源": "外资", "投资国别": None}, "投资国别", "investor country"),
        ({"资本来源": "港澳台资", "投资国别": "德国"}, "投资国别", "HK, MO or TW"),
        ({"从业人员": 10, "技术人员": 20}, "技术人员", "cannot exceed"),
        ({"注册资本（万）": -5}, "注册资本（万）", "negative"),
        ({USCC: BAD_USCC}, USCC, "check character"),
    ],
)
def test_each_error_is_located_on_its_column(admin, places, cells, column, reason):
    row = new_row(**cells)
    report = check(sheet_of(row), admin)
    errors = [(e.row, e.column, e.reason) for e in report.errors]
    assert len(errors) == 1, errors
    assert errors[0][:2] == (2, column)
    assert reason in errors[0][2]
    assert report.rows == []


def test_an_error_on_a_column_the_sheet_lacks_still_names_that_column(admin):
    report = check(sheet_of(new_row(资本来源="外资")), admin)
    assert located(report) == [(SHEET, 2, "投资国别", "")]


def test_a_required_column_missing_from_the_header(admin):
    report = check(xlsx({SHEET: [[USCC, "简称"], [f.next_uscc(), "甲"]]}), admin)
    assert located(report) == [(SHEET, 1, "企业名称", "")]
    assert "Required column" in report.errors[0].reason
    assert report.counts["error_rows"] == 0  # the header row is not a data row


def test_duplicate_code_in_the_file_is_reported_on_both_rows(admin):
    code = f.next_uscc()
    rows = [new_row(**{USCC: code}), new_row(), new_row(**{USCC: code.lower()[:9] + " " + code[9:]})]
    report = check(sheet_of(*rows), admin)
    assert located(report) == [(SHEET, 2, USCC, "A"), (SHEET, 4, USCC, "A")]
    assert all("2、4" in e.reason or "2, 4" in e.reason for e in report.errors)


def test_duplicate_name_in_the_file_is_reported_on_both_rows(admin):
    rows = [new_row(**{NAME: "同名有限公司"}), new_row(**{NAME: "同名有限公司"})]
    report = check(sheet_of(*rows), admin)
    assert located(report) == [(SHEET, 2, NAME, "B"), (SHEET, 3, NAME, "B")]


def test_duplicates_across_sheets_name_the_sheets(admin):
    code = f.next_uscc()
    content = xlsx({"一": table([new_row(**{USCC: code})]), "二": table([new_row(**{USCC: code})])})
    report = check(content, admin)
    assert located(report) == [("一", 2, USCC, "A"), ("二", 2, USCC, "A")]
    assert "一 2" in report.errors[0].reason and "二 2" in report.errors[0].reason


def test_a_name_that_belongs_to_another_code_is_an_error(zone, admin):
    report = check(sheet_of(new_row(**{NAME: zone.above1.name})), admin)
    assert located(report) == [(SHEET, 2, NAME, "B")]
    assert zone.above1.uscc in report.errors[0].reason


def test_every_error_of_a_row_is_reported_together(admin):
    row = new_row(**{USCC: BAD_USCC, "成立日期": "x", "从业人员": "y", "网格": "nowhere"})
    report = check(sheet_of(row), admin)
    assert {e.column for e in report.errors} == {USCC, "成立日期", "从业人员", "网格"}


# --- credit codes that fail the check ------------------------------------------------------------


def test_a_failing_code_is_accepted_from_a_zone_admin_with_a_reason(admin):
    row = new_row(**{USCC: BAD_USCC.lower(), "校验例外理由": "营业执照原件如此，已核实"})
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=BAD_USCC)
    assert ent.uscc_override_reason == "营业执照原件如此，已核实"


def test_only_zone_admins_may_import(zone):
    content = sheet_of(new_row(**{USCC: BAD_USCC, "校验例外理由": "理由"}))
    for persona in ("grid_leader", "grid_officer", "community_officer", "department", "enterprise"):
        with pytest.raises(PermissionDenied):
            EnterpriseImporter().validate(content, zone[persona])


def test_an_accepted_code_keeps_its_reason_when_the_sheet_has_no_reason_column(admin):
    ent = f.EnterpriseFactory(uscc=BAD_USCC, uscc_override_reason="已核实")
    report = check(sheet_of({USCC: BAD_USCC, NAME: ent.name}), admin)
    assert report.ok, report.errors
    assert [r.action for r in report.rows] == [UNCHANGED]


# --- updating ------------------------------------------------------------------------------------


def test_an_existing_code_updates_and_one_changed_field_writes_one_history_row(zone, admin):
    ent = zone.above1
    history = Enterprise.history.count()
    content = sheet_of({USCC: ent.uscc, NAME: ent.name, "从业人员": 150})
    report = check(content, admin)
    assert [(r.action, r.changes) for r in report.rows] == [
        (UPDATE, [{"column": "从业人员", "before": "100", "after": "150"}])
    ]
    _batch, report = run(content, admin)
    assert report.ok
    ent.refresh_from_db()
    assert ent.employees == 150
    assert ent.grid == zone.grid1 and ent.technical_staff == 20  # columns not in the sheet are left alone
    assert Enterprise.history.count() == history + 1
    last = ent.history.first()
    assert last.history_user == admin and last.history_type == "~"
    assert last.prev_record.employees == 100


def test_blank_cells_empty_their_field_and_absent_columns_leave_it(zone, admin):
    ent = zone.above1
    Enterprise.objects.filter(pk=ent.pk).update(short_name="甲精密", status="suspended", main_products="机床")
    content = sheet_of({USCC: ent.uscc, NAME: ent.name, "简称": None, "经营状态": None})
    report = check(content, admin)
    assert [r.action for r in report.rows] == [UPDATE]
    assert {c["column"]: (c["before"], c["after"]) for c in report.rows[0].changes} == {
        "简称": ("甲精密", ""),
        "经营状态": ("停业", "在营"),  # a field that cannot be empty goes back to its default
    }
    run(content, admin)
    ent.refresh_from_db()
    assert (ent.short_name, ent.status, ent.main_products) == ("", "operating", "机床")


def test_reimporting_the_same_file_changes_nothing(zone, admin, places):
    rows = [
        new_row(**{"注册资本（万）": 170.1, "注册资本币种": "美元", "资本来源": "外资", "投资国别": "JP"}),
        new_row(**{"园区": "中日产业园", "楼宇": "A1栋", "网格": zone.grid1.code, "成立日期": "2003/9/1"}),
        {USCC: zone.above2.uscc, NAME: zone.above2.name, "从业人员": 321},
    ]
    content = sheet_of(*rows)
    _batch, first = run(content, admin)
    assert first.ok and first.counts[CREATE] == 2 and first.counts[UPDATE] == 1
    history = Enterprise.history.count()
    stamps = dict(Enterprise.objects.values_list("pk", "updated_at"))

    batch, second = run(content, admin)
    assert second.ok and batch.status == ImportBatch.Status.COMMITTED
    assert [r.action for r in second.rows] == [UNCHANGED, UNCHANGED, UNCHANGED]
    assert Enterprise.history.count() == history
    assert dict(Enterprise.objects.values_list("pk", "updated_at")) == stamps


def test_header_spellings_staff_use(zone, admin):
    content = xlsx(
        {
            "Sheet1": [
                ["平湖经开区企业名单（2026年）"],
                ["社会信用代码", " 企业名称 ＊", "注册资本(万元)", "从业人员数", "所属网格", "联系电话"],
                [zone.above1.uscc, zone.above1.name, 1000, 100, zone.grid1.name, "0573-1234567"],
            ]
        }
    )
    report = check(content, admin)
    assert report.ok, report.errors
    assert [(r.row, r.action) for r in report.rows] == [(3, UNCHANGED)]
    assert any("联系电话" in n for n in report.notices)


def test_a_committed_batch_cannot_be_committed_again(admin):
    batch = importing.record_upload(importers.KIND, "a.xlsx", sheet_of(new_row()), admin)
    EnterpriseImporter().commit_batch(batch.pk, admin)
    count = Enterprise.objects.count()
    with pytest.raises(importing.BatchAlreadyCommitted):
        EnterpriseImporter().commit_batch(batch.pk, admin)
    assert Enterprise.objects.count() == count


def test_commit_checks_again_what_changed_since_the_preview(admin):
    row = new_row()
    batch = importing.record_upload(importers.KIND, "a.xlsx", sheet_of(row), admin)
    assert EnterpriseImporter().preview_batch(batch, admin).ok
    f.EnterpriseFactory(name=row[NAME])  # someone adds the same name meanwhile
    count = Enterprise.objects.count()
    batch, report = EnterpriseImporter().commit_batch(batch.pk, admin)
    assert batch.status == ImportBatch.Status.REJECTED
    assert located(report) == [(SHEET, 2, NAME, "B")]
    assert Enterprise.objects.count() == count


# --- cost ----------------------------------------------------------------------------------------


def _rows(zone, count: int) -> list[dict]:
    rows = [{USCC: zone.above1.uscc, NAME: zone.above1.name, "从业人员": 101}]
    for i in range(count - 1):
        rows.append(
            new_row(
                **{
                    "网格": zone.grid1.code if i % 2 else zone.grid2.name,
                    "村社区": zone.community1.code,
                    "园区": "中日产业园",
                    "楼宇": "A1栋",
                    "所属集团": "尼得科",
                    "成立日期": dt.date(2010, 1, 1),
                    "从业人员": i,
                }
            )
        )
    return rows


def test_validation_costs_the_same_number_of_queries_for_10_and_200_rows(zone, admin, places):
    counts = {}
    for size in (10, 200):
        content = sheet_of(*_rows(zone, size))
        with CaptureQueriesContext(connection) as queries:
            report = check(content, admin)
        assert report.ok, report.errors[:3]
        assert report.counts[CREATE] == size - 1 and report.counts[UPDATE] == 1
        counts[size] = len(queries)
    assert counts[10] == counts[200]
    assert counts[10] <= 8  # enterprises by code and by name, grids, communities, parks, groups, buildings
