"""The monthly workbook as it arrives: located errors, derivation, all-or-nothing, history, constant queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext

from jingkai.core import importing
from jingkai.core.models import ImportBatch
from jingkai.stats import importers
from jingkai.stats.importers import StatsImporter
from jingkai.stats.models import MonthlyReport, MonthlyReportRevision, StatsTemplate
from tests import factories as f
from tests.stats.helpers import messy_workbook, spaced

JUNE, MAY = dt.date(2023, 6, 1), dt.date(2023, 5, 1)
OUT, REV = "工业总产值", "营业收入"
M, C, Y = "本月", "1-6月累计", "同比±%"


def run(content: bytes, user, **options):
    batch = importers.record_upload("月报.xlsx", content, user, **options)
    return StatsImporter().commit_batch(batch.pk, user)


@pytest.fixture
def admin(zone):
    return zone["zone_admin"]


@pytest.fixture
def may(zone):
    """May's cumulative figures of above1 (above2 has none)."""
    return MonthlyReport.objects.create(
        enterprise=zone.above1, period=MAY, output_cum=Decimal("47655000"), revenue_cum=Decimal("50000000"),
        employees_cum=100,
    )  # fmt: skip


def rows_for(zone):
    return [
        {   # full-width digits and thousands separators as text; USCC in lower case with spaces
            "uscc": spaced(zone.above1.uscc), "name": zone.above1.name,
            (OUT, M): "１,２３４.５", (OUT, C): "6,000", (OUT, Y): "12.5",
            (REV, C): 5800,  # the month is derived from May's cumulative
        },
        {
            "uscc": zone.above2.uscc, "name": zone.above2.name,
            (OUT, M): 800, (OUT, C): 4800.5, (REV, M): 790,  # no May: the cumulative cannot be derived
        },
    ]  # fmt: skip


def test_messy_workbook_is_read_derived_and_committed(zone, admin, may):
    total = {(OUT, M): 2034.5, (OUT, C): 10800.5}
    batch, report = run(messy_workbook(rows_for(zone), total=total), admin)
    assert report.ok, report.errors
    assert batch.status == ImportBatch.Status.COMMITTED
    assert report.period == JUNE and report.counts["create"] == 2
    one = MonthlyReport.objects.get(enterprise=zone.above1, period=JUNE)
    assert (one.output_month, one.output_cum) == (Decimal("12345000.00"), Decimal("60000000.00"))
    assert (one.revenue_month, one.revenue_cum) == (Decimal("8000000.00"), Decimal("58000000.00"))
    assert one.derived == ["revenue_month"] and one.issues == []
    assert one.batch_id == batch.pk and one.revision == 1
    two = MonthlyReport.objects.get(enterprise=zone.above2, period=JUNE)
    assert (two.output_month, two.output_cum) == (Decimal("8000000.00"), Decimal("48005000.00"))
    assert two.revenue_month == Decimal("7900000.00") and two.revenue_cum is None
    assert "revenue:no_previous" in two.issues
    # The 同比 columns F and I are growth, compared with last year's stored figures (none here), not stored.
    nothing_to_check = gettext(
        "Last year's figures and growth columns are read but not stored; nothing is stored for %(period)s "
        "to check them against"
    ) % {"period": "2022年1-6月"}
    assert nothing_to_check in report.notices
    assert not any(gettext("Sheet “%(sheet)s”: columns not read: %(columns)s").split("：")[0] in n
                   and "F" in n for n in report.notices)  # fmt: skip
    assert not any("合计" in n for n in report.notices)  # the 合计 row matches the rows


def test_total_row_that_does_not_add_up_is_a_notice(zone, admin, may):
    report = StatsImporter().validate(messy_workbook(rows_for(zone), total={(OUT, M): 9999}), admin)
    assert report.ok
    assert any("合计" in n for n in report.notices)


def test_inconsistent_cumulative_is_flagged(zone, admin, may):
    rows = [{"uscc": zone.above1.uscc, "name": "x", (OUT, M): 1000, (OUT, C): 6000}]  # 4765.5 + 1000 ≠ 6000
    batch, report = run(messy_workbook(rows), admin)
    assert report.ok and report.counts["flagged"] == 1
    assert MonthlyReport.objects.get(enterprise=zone.above1, period=JUNE).issues == ["output_cum:mismatch"]


def test_every_bad_row_is_located_and_nothing_is_written(zone, admin, may):
    rows = [
        {"uscc": zone.above1.uscc, "name": "a", (OUT, M): "abc", (OUT, C): 100},
        {"uscc": "91330482MA2B3C4D5X", "name": "unknown", (OUT, M): 1, (OUT, C): 1},
        {"uscc": zone.above2.uscc, "name": "b", (OUT, M): -5, (OUT, C): 1},
        {"uscc": zone.above2.uscc, "name": "b again", (OUT, M): 1, (OUT, C): 1},
        {"uscc": "", "name": "no code", (OUT, M): 1, (OUT, C): 1},
        {"uscc": "12345", "name": "short", (OUT, M): 1, (OUT, C): 1},
    ]
    batch, report = run(messy_workbook(rows), admin)
    assert not report.ok
    assert batch.status == ImportBatch.Status.REJECTED
    located = {(e.sheet, e.row, e.letter) for e in report.errors}
    assert ("规上工业", 5, "D") in located  # abc in 工业总产值/本月
    assert ("规上工业", 7, "D") in located  # negative
    assert ("规上工业", 8, "B") in located  # duplicate
    assert ("规上工业", 9, "B") in located  # blank code
    assert ("规上工业", 10, "B") in located  # not a USCC
    reasons = " ".join(e.reason for e in report.errors)
    assert "abc" in reasons and "12345" in reasons
    assert not MonthlyReport.objects.filter(period=JUNE).exists()


def test_unknown_enterprise_is_an_error(zone, admin):
    # A valid code no enterprise has (91330482MA2B3C4D5X, used here before, fails the position-17 check: that is
    # now reported as such, see tests/core/imports/test_uscc_checks.py).
    rows = [{"uscc": "91330482MA2B3C4D1J", "name": "unknown", (OUT, M): 1, (OUT, C): 1}]
    report = StatsImporter().validate(messy_workbook(rows), admin)
    assert [(e.row, e.letter) for e in report.errors] == [(5, "B")]
    assert "91330482MA2B3C4D1J" in report.errors[0].reason


def test_too_many_decimals_for_the_unit_is_an_error(zone, admin):
    rows = [{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1.234, (OUT, C): 1.5}]
    report = StatsImporter().validate(
        messy_workbook(rows, unit="单位：元", title="2023年1月规上工业企业主要指标"), admin
    )
    assert [(e.row, e.letter) for e in report.errors] == [(5, "D")]


def test_units_row_in_thousands(zone, admin):
    rows = [{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 3, (OUT, C): 3}]
    batch, report = run(messy_workbook(rows, unit="单位：千元", title="2023年1月规上工业企业主要指标"), admin)
    assert report.ok
    row = MonthlyReport.objects.get(enterprise=zone.above1)
    assert (row.period, row.output_month, row.output_cum) == (
        dt.date(2023, 1, 1),
        Decimal(3000),
        Decimal(3000),
    )


def test_period_missing_from_title_is_an_error_unless_chosen(zone, admin):
    content = messy_workbook(
        [{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1, (OUT, C): 1}], title="规上工业"
    )
    assert not StatsImporter().validate(content, admin).ok
    # The header's 1-6月累计 names June: choosing January is refused at that column, June is read.
    refused = StatsImporter().validate(content, admin, options={"period": "2023-01-01"})
    assert [(e.row, e.letter) for e in refused.errors] == [(4, "E"), (4, "H")]
    names_june = gettext("The column “%(header)s” names month %(months)d, but the period is %(period)s")
    assert [e.reason for e in refused.errors] == [
        names_june % {"header": f"{measure} / 1-6月累计", "months": 6, "period": "2023年1月"}
        for measure in (OUT, REV)
    ]
    batch, report = run(content, admin, period=JUNE)
    assert report.ok and MonthlyReport.objects.get().period == JUNE


def test_reimporting_a_period_replaces_it_and_keeps_history(zone, admin, may):
    first, _r = run(messy_workbook(rows_for(zone)), admin)
    rows = rows_for(zone)
    rows[0][(OUT, M)], rows[0][(OUT, C)] = 1300, 6065.5
    second, report = run(messy_workbook(rows), admin)
    assert report.ok and report.counts["update"] == 2 and report.counts["create"] == 0
    row = MonthlyReport.objects.get(enterprise=zone.above1, period=JUNE)
    assert (row.output_month, row.revision, row.batch_id) == (Decimal("13000000.00"), 2, second.pk)
    old = MonthlyReportRevision.objects.get(report=row)
    assert old.revision == 1 and old.batch_id == first.pk and old.replaced_by == admin
    assert Decimal(str(old.values["output_month"])) == Decimal("12345000")
    assert old.values["derived"] == ["revenue_month"]
    assert MonthlyReportRevision.objects.count() == 2


def test_a_batch_is_committed_once(zone, admin):
    content = messy_workbook([{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1, (OUT, C): 1}])
    batch = importers.record_upload("a.xlsx", content, admin)
    StatsImporter().commit_batch(batch.pk, admin)
    with pytest.raises(importing.BatchAlreadyCommitted):
        StatsImporter().commit_batch(batch.pk, admin)


def _commit_queries(admin, rows) -> int:
    batch = importers.record_upload("a.xlsx", messy_workbook(rows), admin)
    with CaptureQueriesContext(connection) as queries:
        StatsImporter().commit_batch(batch.pk, admin)
    return len(queries)


def test_commit_queries_do_not_grow_with_rows(zone, admin, may):
    few = [{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1, (OUT, C): 4766.5}]
    many_ents = [f.EnterpriseFactory() for _i in range(40)]
    many = [{"uscc": e.uscc, "name": e.name, (OUT, M): 1, (OUT, C): 1} for e in many_ents]
    assert _commit_queries(admin, few) == _commit_queries(admin, many)
    assert MonthlyReport.objects.filter(period=JUNE).count() == 41
    # A re-import (revisions written) costs the same too.
    assert _commit_queries(admin, many) == _commit_queries(admin, few + many[:1])


def test_template_maps_unusual_headers(zone, admin):
    content = messy_workbook(
        [{"uscc": zone.above1.uscc, "name": "a", ("A01指标", "当期"): 5, ("A01指标", "年累"): 5}],
        measures=("A01指标",), subs=("当期", "年累"), title="2023年1月报表",
    )  # fmt: skip
    plain = StatsImporter().validate(content, admin)
    assert not plain.ok  # no measure recognised: no header row
    template = StatsTemplate.objects.create(
        name="统计局2023版", mapping={"A01指标|当期": "output_month", "Ａ01 指标|年累": "output_cum"}
    )
    report = StatsImporter().validate(content, admin, options=importers.options(template))
    assert report.ok, report.errors
    assert report.frame["output_cum"].to_list() == [50000.0]


@pytest.mark.parametrize(
    ("top", "sub", "field"),
    [
        ("工业总产值（当年价格）", "本月", "output_month"),
        ("工业总产值(当年价格)", "1-6月", "output_cum"),
        ("营业收入", "本年累计", "revenue_cum"),
        ("本月工业总产值", "", "output_month"),
        ("从业人员平均人数", "", "employees_month"),
        ("利润总额", "同比增长%", "growth:profit_cum"),
        ("工业销售产值", "", "sales_cum"),
        ("新产品产值", "本月", "new_product_month"),
        ("工业总产值", "上年同期", "last:output_cum"),
        ("工业总产值", "去年同期", "last:output_cum"),
        ("工业总产值", "上年累计", "last:output_cum"),
        ("工业总产值", "上年同月", "last:output_month"),
        ("营业收入", "增长%", "growth:revenue_cum"),
        ("营业收入", "本月增长%", "growth:revenue_month"),
        ("工业总产值上年同期", "", "last:output_cum"),
        ("工业总产值（万元）", "1-6月", "output_cum"),
        ("产值", "", None),  # 总产值 or 销售产值: not read
        ("工业销售产值率", "", None),  # no whole term
        ("地址", "", None),
        ("统一社会信用代码", "", "uscc"),
    ],
)
def test_header_mapping(top, sub, field):
    from jingkai.stats.reader import map_header

    assert map_header(top, sub) == field


def test_the_template_is_read_as_it_was_at_upload(zone, admin):
    """Editing or deleting the template between preview and commit does not change how the file is read."""
    content = messy_workbook(
        [{"uscc": zone.above1.uscc, "name": "a", ("A01指标", "当期"): 5, ("A01指标", "年累"): 5}],
        measures=("A01指标",), subs=("当期", "年累"), title="2023年1月报表",
    )  # fmt: skip
    template = StatsTemplate.objects.create(
        name="统计局2023版", mapping={"A01指标|当期": "output_month", "A01指标|年累": "output_cum"}
    )
    batch = importers.record_upload("月报.xlsx", content, admin, template=template.name)
    template.delete()
    batch, report = StatsImporter().commit_batch(batch.pk, admin)
    assert report.ok, report.errors
    assert MonthlyReport.objects.get(enterprise=zone.above1).output_cum == Decimal("50000")
    with pytest.raises(ValidationError):
        importers.record_upload("月报.xlsx", content, admin, template="没有这个模板")


def test_last_years_figures_and_growth_are_checked_against_the_stored_year(zone, admin):
    """上年同期 and 增长% are read, compared and never stored: a difference is a notice with both numbers."""
    MonthlyReport.objects.create(
        enterprise=zone.above1, period=dt.date(2022, 6, 1), output_cum=Decimal("50000000")
    )  # 5000万元
    rows = [{
        "uscc": zone.above1.uscc, "name": "甲",
        (OUT, "本月"): 1000, (OUT, "1-6月"): 6000, (OUT, "上年同期"): 5200, (OUT, "增长%"): 15.0,
    }]  # fmt: skip
    content = messy_workbook(rows, measures=(OUT,), subs=("本月", "1-6月", "上年同期", "增长%"))
    report = StatsImporter().validate(content, admin)
    assert report.ok, report.errors
    where = gettext("Sheet “%(sheet)s” row %(row)d (%(name)s)") % {
        "sheet": "规上工业",
        "row": 5,
        "name": "甲",
    }
    stored = gettext(
        "%(where)s: %(header)s is %(stated)s in the file, but %(known)s is stored for %(period)s"
    )
    assert stored % {
        "where": where, "header": f"{OUT} / 上年同期", "stated": "5200万元", "known": "5000万元",
        "period": "2022年1-6月",
    } in report.notices  # fmt: skip
    growth = gettext("%(where)s: %(header)s is %(stated)s%% in the file, but the figures give %(computed)s%%")
    # (6000 - 5200) / 5200 = 15.4%: the stated 15.0 is more than 0.15 points off.
    assert growth % {"where": where, "header": f"{OUT} / 增长%", "stated": "15.0", "computed": "15.4"} in (
        report.notices
    )
    assert set(report.frame.columns) == set(importers.WRITE_COLUMNS)  # nothing of last year is written


def test_growth_that_agrees_is_not_a_notice(zone, admin):
    rows = [{"uscc": zone.above1.uscc, "name": "甲", (OUT, "1-6月"): 6000, (OUT, "上年同期"): 5000,
             (OUT, "增长%"): 20.0}]  # fmt: skip
    content = messy_workbook(rows, measures=(OUT,), subs=("1-6月", "上年同期", "增长%"))
    report = StatsImporter().validate(content, admin)
    assert report.ok
    growth = gettext("%(where)s: %(header)s is %(stated)s%% in the file, but the figures give %(computed)s%%")
    middle = growth.split("%(stated)s")[1].split("%(computed)s")[0].replace("%%", "%")
    assert not any(middle in notice for notice in report.notices)


def test_a_units_row_that_contradicts_the_template_is_refused(zone, admin):
    content = messy_workbook(
        [{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1, (OUT, C): 1}], unit="单位：千元"
    )
    template = StatsTemplate.objects.create(name="万元模板", mapping={}, unit_scale=10_000)
    report = StatsImporter().validate(content, admin, options=importers.options(template))
    assert [(e.row, e.letter) for e in report.errors] == [(2, "A")]
    assert report.errors[0].reason == gettext(
        "The units row says %(stated)s, but the template chosen at upload reads amounts as %(chosen)s"
    ) % {"stated": "千元", "chosen": "万元"}


def test_the_preview_names_each_sheets_period_and_the_hidden_sheets(zone, admin):
    content = messy_workbook([{"uscc": zone.above1.uscc, "name": "a", (OUT, M): 1, (OUT, C): 1}])
    report = StatsImporter().validate(content, admin)
    summary = report.to_summary()
    assert summary["sheets"] == [{"sheet": "规上工业", "period": "2023-06-01", "from": "", "unit": "万元"}]
    assert summary["hidden_sheets"] == [] and summary["replaces_period"] is False
