"""Every importer reads .xlsx, .xls and .csv through the one reader (issue 10 §3): the hotline import as an example
of an importer other than the enterprise and statistics ones (those are covered by the corpus)."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext

from jingkai.demands.importers import DemandImporter

pytestmark = pytest.mark.django_db

HEADER = "来电时间,统一社会信用代码,诉求类别,诉求内容,工单编号"


def hotline_csv(zone, encoding: str) -> bytes:
    lines = [
        HEADER,
        f"２０２３-05-06 10:20,{zone.above1.uscc.lower()},用工,招工难，请协调\u200b,GD-1",
        f"2023/5/7 09:00,{zone.above2.uscc},用工,缺电工,GD-2",
        "",
        "填报人：李四,,,审核人：王五,",
    ]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "gb18030":
        text = text.replace("\u200b", "")
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_the_hotline_import_reads_a_csv_in_each_encoding(zone, encoding):
    report = DemandImporter().validate(hotline_csv(zone, encoding), zone["zone_admin"], "工单导出.csv")
    assert report.ok, report.errors
    assert [(row.row, row.key) for row in report.rows] == [(2, "GD-1"), (3, "GD-2")]
    assert report.rows[0].data["enterprise"] == zone.above1
    assert report.rows[0].data["description"] == "招工难，请协调"  # the zero-width space is gone
    assert report.rows[0].data["submitted_at"].date().isoformat() == "2023-05-06"
    named = "GB18030" if encoding == "gb18030" else "UTF-8"
    read_as = gettext("“%(name)s” was read as %(encoding)s text") % {
        "name": "工单导出.csv",
        "encoding": named,
    }
    assert read_as in report.notices
    signed = gettext("Sheet “%(sheet)s”: rows %(rows)s are notes or signatures, not read")
    assert signed % {"sheet": "工单导出", "rows": "5"} in report.notices


def test_a_csv_in_another_encoding_is_refused_not_misread(zone):
    content = (HEADER + "\n2023-05-06 10:20,x,用工,招工,GD-1\n").encode("utf-16")
    report = DemandImporter().validate(content, zone["zone_admin"], "工单导出.csv")
    assert not report.ok and not report.rows
    assert [e.row for e in report.errors] == [None]
    assert "GB18030" in report.errors[0].reason


def test_the_same_work_order_on_two_sheets_names_both(zone):
    from tests.core.imports.helpers import xlsx

    header = ["来电时间", "统一社会信用代码", "诉求类别", "诉求内容", "工单编号"]
    row = ["2023-05-06 10:20", zone.above1.uscc, "用工", "招工", "GD-9"]
    report = DemandImporter().validate(
        xlsx({"一区": [header, row], "二区": [header, row]}), zone["zone_admin"]
    )
    [error] = report.errors
    assert (error.sheet, error.row) == ("二区", 2)
    assert error.reason == gettext("Same work order as sheet “%(sheet)s” row %(row)d") % {
        "sheet": "一区",
        "row": 2,
    }
