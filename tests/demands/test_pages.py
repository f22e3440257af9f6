"""Pages: the pool with filters and colours, filing with duplicate suggestions and attachments, a demand's
page and its steps, scoped downloads, export, import and the dashboard."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingkai.core.dates import add_months
from jingkai.core.models import Department
from jingkai.demands.models import Demand, DemandState
from jingkai.demands.similar import jaccard, similar_demands, tokens
from tests.conftest import PERSONAS
from tests.core.imports.helpers import table, xlsx
from tests.demands.test_api import VISIBLE


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def login(client, zone, persona):
    client.force_login(zone[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_pool_and_detail_follow_the_scoping_matrix(client, zone, file_demand, persona):
    four = {
        key: file_demand(enterprise=getattr(zone, key)) for key in ("above1", "above2", "below1", "below2")
    }
    login(client, zone, persona)
    body = client.get("/demands/").content.decode()
    for key, demand in four.items():
        assert (f'data-demand="{demand.pk}"' in body) == (key in VISIBLE[persona]), key
        status = client.get(f"/demands/{demand.pk}/").status_code
        assert status == (200 if key in VISIBLE[persona] else 404)
    export = client.get("/demands/export.xlsx")
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert len(rows) - 1 == len(VISIBLE[persona])


def test_filters_and_deadline_colours(client, zone, file_demand):
    overdue = file_demand(on=dt.date(2023, 6, 5))
    fresh = file_demand()
    login(client, zone, "zone_admin")
    body = client.get("/demands/", {"deadline": "red"}).content.decode()
    assert f'data-demand="{overdue.pk}"' in body and f'data-demand="{fresh.pk}"' not in body
    assert 'data-deadline="red"' in body
    body = client.get("/demands/", {"grid": zone.grid2.pk}).content.decode()
    assert "data-demand=" not in body
    response = client.get("/demands/", {"state": "submitted"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"<html" not in response.content


def test_list_queries_do_not_grow_with_rows(client, zone, file_demand):
    login(client, zone, "zone_admin")
    file_demand()
    client.get("/demands/")
    with CaptureQueriesContext(connection) as few:
        client.get("/demands/")
    for _ in range(10):
        file_demand(enterprise=zone.below1)
    with CaptureQueriesContext(connection) as many:
        client.get("/demands/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_filing_with_an_attachment_and_scoped_download(client, zone, media):
    login(client, zone, "enterprise")
    response = client.get("/demands/new/")
    assert response.status_code == 200
    from jingkai.demands.models import DemandCategory

    category = DemandCategory.objects.get(code="infra-power")
    upload = SimpleUploadedFile("用电申请.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post("/demands/new/", {
        "enterprise": zone.above1.pk, "category": category.pk, "channel": "portal",
        "description": "申请用电增容500千伏安", "attachments": [upload],
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    demand = Demand.objects.get()
    assert demand.channel == "portal" and demand.attachments.count() == 1
    attachment = demand.attachments.get()
    url = f"/demands/{demand.pk}/attachments/{attachment.pk}/"
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 test"
    login(client, zone, "outsider")
    assert client.get(url).status_code == 404


def test_a_forbidden_attachment_type_files_nothing(client, zone, media):
    login(client, zone, "enterprise")
    from jingkai.demands.models import DemandCategory

    category = DemandCategory.objects.get(code="infra-power")
    response = client.post("/demands/new/", {
        "enterprise": zone.above1.pk, "category": category.pk, "channel": "portal",
        "description": "申请用电增容", "attachments": [SimpleUploadedFile("virus.exe", b"MZ")],
    })  # fmt: skip
    assert response.status_code == 200 and "virus.exe" in response.content.decode()
    assert not Demand.objects.exists()


def test_similar_suggestions_while_typing(client, zone, file_demand):
    original = file_demand(description="厂区门口道路破损积水，货车通行困难")
    file_demand(description="咨询研发费用加计扣除政策")
    login(client, zone, "grid_officer")
    response = client.get(
        "/demands/similar/", {"description": "门口道路积水，货车进不来", "enterprise": zone.above1.pk}
    )
    body = response.content.decode()
    assert f'data-similar="{original.pk}"' in body and body.count("data-similar=") == 1
    login(client, zone, "outsider")
    body = client.get(
        "/demands/similar/", {"description": "门口道路积水，货车进不来", "enterprise": zone.above1.pk}
    ).content.decode()
    assert "data-similar=" not in body


def test_similarity_scores():
    a = tokens("厂区门口道路破损积水，货车通行困难")
    assert jaccard(a, tokens("门口道路积水货车进不来")) > jaccard(a, tokens("咨询研发费用加计扣除政策"))
    assert jaccard(a, a) == 1.0 and jaccard(a, set()) == 0.0


def test_similar_only_open_and_same_enterprise_or_category(zone, file_demand, demand_in):
    closed = demand_in("closed", description="园区道路破损积水")
    open_ = file_demand(description="园区道路破损积水严重", enterprise=zone.above2)
    found = similar_demands(
        Demand.objects.all(),
        text="道路破损积水",
        enterprise_id=zone.below1.pk,
        category_id=closed.category_id,
    )
    assert [d.pk for d, _score in found] == [open_.pk]


def test_steps_from_the_demand_page(client, zone, file_demand):
    demand = file_demand()
    login(client, zone, "zone_admin")
    page = client.get(f"/demands/{demand.pk}/").content.decode()
    assert 'data-step="accept"' in page and 'data-step="take"' not in page
    client.post(f"/demands/{demand.pk}/transition/", {"transition": "accept", "version": 0})
    econ = Department.objects.get(code="econ")
    client.post(
        f"/demands/{demand.pk}/transition/", {"transition": "assign", "department": econ.pk, "version": 1}
    )
    demand.refresh_from_db()
    assert demand.state == DemandState.ASSIGNED
    # A stale form (version 0) is refused with a message, nothing changes.
    response = client.post(
        f"/demands/{demand.pk}/transition/",
        {"transition": "reassign", "version": 0, "department": econ.pk, "note": "x"},
        follow=True,
    )
    assert 'data-state="assigned"' in response.content.decode()
    assert list(response.context["messages"])[-1].level_tag == "error"
    login(client, zone, "department")
    page = client.get(f"/demands/{demand.pk}/").content.decode()
    assert 'data-step="take"' in page and 'data-step="accept"' not in page


def test_dashboard(client, zone, demand_in):
    demand_in("closed")
    demand_in("in_progress")
    login(client, zone, "zone_admin")
    response = client.get("/demands/dashboard/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data["summary"]["total"] == 2 and data["summary"]["closure_rate"] == 0.5
    assert data["by_department"][0]["department__name"] == "经济发展局"
    assert len(data["chart"]["labels"]) == 12
    login(client, zone, "enterprise")
    assert client.get("/demands/dashboard/").status_code == 404


def test_enterprise_profile_has_a_demands_panel(client, zone, file_demand):
    demand = file_demand()
    login(client, zone, "enterprise")
    body = client.get(f"/enterprises/{zone.above1.pk}/").content.decode()
    assert 'id="enterprise-demands"' in body and demand.get_absolute_url() in body


HEADERS = [
    "来电时间",
    "企业名称",
    "统一社会信用代码",
    "诉求类别",
    "诉求内容",
    "联系人",
    "联系电话",
    "工单编号",
]


def _workbook(rows):
    return xlsx({"工单导出": table([dict(zip(HEADERS, r, strict=False)) for r in rows])})


def test_import_preview_then_commit_all_or_nothing(client, zone):
    login(client, zone, "zone_admin")
    good = [
        [
            "2023-05-06 10:20",
            zone.above1.name,
            "",
            "用工",
            "急需招聘焊工10名",
            "张三",
            "13800000000",
            "RX001",
        ],
        ["2023-05-07 09:00", "", zone.below1.uscc, "融资/银行贷款", "希望对接银行贷款", "李四", "", "RX002"],
    ]
    bad = good + [
        ["明天", "不存在的公司", "", "外星", "", "", "", "RX001"],
    ]
    upload = SimpleUploadedFile("hotline.xlsx", _workbook(bad))
    response = client.post("/demands/import/", {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    errors = preview.context["summary"]["errors"]
    located = {(e["row"], e["column"]) for e in errors}
    assert (4, "来电时间") in located and (4, "诉求内容") in located
    response = client.post(response["Location"])
    assert not Demand.objects.exists()  # nothing written
    upload = SimpleUploadedFile("hotline2.xlsx", _workbook(good))
    response = client.post("/demands/import/", {"file": upload})
    preview = client.get(response["Location"])
    assert preview.context["summary"]["errors"] == [] and preview.context["counts"]["create"] == 2
    client.post(response["Location"])
    assert Demand.objects.filter(channel="import").count() == 2
    assert set(Demand.objects.values_list("source_ref", flat=True)) == {"RX001", "RX002"}
    # The same work orders again: refused, located, nothing written.
    upload = SimpleUploadedFile("hotline3.xlsx", _workbook(good))
    response = client.post("/demands/import/", {"file": upload})
    preview = client.get(response["Location"])
    assert {e["column"] for e in preview.context["summary"]["errors"]} == {"工单编号"}
    login(client, zone, "grid_officer")
    assert client.get("/demands/import/").status_code == 403


def test_a_merged_duplicate_shows_its_original_without_the_other_enterprises_details(
    client, zone, file_demand, media
):
    """The contact of above1 follows the original (of above2) their duplicate was merged into: the progress,
    not above2's contact person, phone or attachments."""
    from jingkai.demands import services

    upload = SimpleUploadedFile("现场照片.pdf", b"%PDF-1.4 above2", content_type="application/pdf")
    original = file_demand(
        enterprise=zone.above2, contact_name="王经理", contact_phone="13900000002", attachments=[upload]
    )
    duplicate = file_demand(enterprise=zone.above1, description="同一路段积水，希望尽快修复")
    services.transition(duplicate, "merge", actor=zone["zone_admin"], original=original)
    attachment = original.attachments.get()
    url = f"/demands/{original.pk}/attachments/{attachment.pk}/"

    login(client, zone, "enterprise")
    page = client.get(f"/demands/{original.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "13900000002" not in html and "王经理" not in html and url not in html
    assert client.get(url).status_code == 404

    login(client, zone, "zone_admin")
    assert (
        "139****0002" in client.get(f"/demands/{original.pk}/").content.decode()
    )  # masked (docs/security.md §4)
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 above2"


def test_the_handling_deadline_filters_match_only_demands_being_handled(client, zone, file_demand):
    """due_from / due_to read the handling deadline; a replied demand's due_on (its rating window) is not one."""
    handled = file_demand(on=dt.date(2023, 6, 5))
    later = file_demand(on=dt.date(2023, 6, 20))
    replied = file_demand(on=dt.date(2023, 6, 5))
    Demand.objects.filter(pk=replied.pk).update(state=DemandState.REPLIED)
    client.force_login(zone["zone_admin"])
    day = handled.due_on.isoformat()
    page = client.get(reverse("demands:list"), {"due_from": day, "due_to": day}).context["page"]
    assert [d.pk for d in page] == [handled.pk]
    everything = client.get(reverse("demands:list"), {"due_to": later.due_on.isoformat()}).context["page"]
    assert {d.pk for d in everything} == {handled.pk, later.pk}


def test_the_dashboard_covers_the_chosen_months_and_says_which(client, zone, file_demand):
    today = dt.date.today()
    file_demand(on=today)
    file_demand(on=today - dt.timedelta(days=150))
    login(client, zone, "zone_admin")
    default = client.get("/demands/dashboard/")
    assert default.context["data"]["summary"]["total"] == 2 and default.context["months"] == 12
    recent = client.get("/demands/dashboard/", {"months": 3})
    assert recent.context["data"]["summary"]["total"] == 1
    start = recent.context["start"]
    assert start == add_months(today.replace(day=1), -2)
    html = recent.content.decode()
    assert f'data-period-start="{start:%Y-%m-%d}"' in html and '<option value="3" selected>' in html
    assert len(recent.context["chart"]["labels"]) == 3
