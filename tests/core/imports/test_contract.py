"""The contract every importer keeps (core.importing.Importer and core/import_views.py), for all of them alike.

Upload → preview → commit writes the rows once; a preview writes nothing; a bad file changes nothing and is
refused with located errors; a second commit is refused (409); only who may import sees the pages; and every
preview page shows the same parts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from jingkai.core import importing
from jingkai.core.models import ImportBatch, ImportResultChunk, Role
from jingkai.demands.importers import DemandImporter
from jingkai.demands.models import Demand
from jingkai.enterprises.importers import EnterpriseImporter
from jingkai.enterprises.importers_roll import ScaleRollImporter
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.evaluation.importers import EvaluationInputImporter, default_year
from jingkai.evaluation.models import EvaluationInput
from jingkai.investment.importers import LedgerImporter
from jingkai.investment.models import Project
from jingkai.stats.importers import StatsImporter
from jingkai.stats.models import MonthlyReport
from tests import factories as f
from tests.core.imports.helpers import new_row, sheet_of, table, xlsx
from tests.stats.helpers import messy_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def investment_staff(zone):
    department = f.DepartmentFactory(code="invest", name="招商服务局", handles_investment=True)
    return f.UserFactory(role=Role.DEPARTMENT, department=department)


def hotline(zone, when: str) -> bytes:
    row = {"来电时间": when, "企业名称": zone.above1.name, "诉求类别": "用工", "诉求内容": "急需招聘焊工10名"}
    return xlsx({"工单导出": table([{**row, "工单编号": "RX900"}])})


def ledger(stage: str) -> bytes:
    return xlsx({"台账": table([{"项目编号": "ZS900", "项目名称": "丙项目", "投资方": "某投资方",
                                 "内外资": "内资", "项目类型": "新设", "阶段": stage}])})  # fmt: skip


def monthly(value) -> bytes:
    return lambda zone: messy_workbook(
        [
            {
                "uscc": zone.above1.uscc,
                "name": "a",
                ("工业总产值", "本月"): value,
                ("工业总产值", "1-6月累计"): 3,
            }
        ],
        title="2023年1月规上工业企业主要指标",
    )


def scale_roll(status: str) -> Callable:
    """The 规上名录: below1 enters (a good file), or a status that is not one (a located error)."""
    return lambda zone: xlsx(
        {
            "规上名录": table(
                [{"统一社会信用代码": zone.below1.uscc, "企业名称": zone.below1.name, "入库/退库": status}]
            )
        }
    )


def evaluation_inputs(energy) -> Callable:
    """above1's 亩均 inputs for the default year (last year: the upload form's default), with its 规上 status."""

    def content(zone):
        AnnualScale.objects.get_or_create(
            enterprise=zone.above1, year=default_year(), defaults={"above_size": True}
        )
        row = {"统一社会信用代码": zone.above1.uscc, "企业名称": zone.above1.name,
               "实缴税金（万元）": 900, "综合能耗（吨标准煤）": energy}  # fmt: skip
        return xlsx({"亩均": table([row])})

    return content


@dataclass
class Case:
    importer: type[importing.Importer]
    user: Callable  # zone -> a user who may import
    good: Callable  # zone -> a workbook that imports
    bad: Callable  # zone -> a workbook with a located error
    written: Callable[[], int]  # what an import writes, counted


CASES = {
    "enterprises": Case(
        EnterpriseImporter,
        lambda zone: zone["zone_admin"],
        lambda zone: sheet_of(new_row()),
        lambda zone: sheet_of(new_row(从业人员="很多")),
        lambda: Enterprise.objects.count() + Enterprise.history.count(),
    ),
    "demands": Case(
        DemandImporter,
        lambda zone: zone["zone_admin"],
        lambda zone: hotline(zone, "2023-05-06 10:20"),
        lambda zone: hotline(zone, "明天"),
        lambda: Demand.objects.count(),
    ),
    "investment": Case(
        LedgerImporter,
        investment_staff,
        lambda zone: ledger("线索"),
        lambda zone: ledger("火星"),
        lambda: Project.objects.count() + Project.history.count(),
    ),  # fmt: skip
    "stats": Case(
        StatsImporter,
        lambda zone: zone["zone_admin"],
        monthly(3),
        monthly("x1"),
        lambda: MonthlyReport.objects.count(),
    ),  # fmt: skip
    "scale_roll": Case(
        ScaleRollImporter,
        lambda zone: zone["zone_admin"],
        scale_roll("入库"),
        scale_roll("火星"),
        lambda: AnnualScale.objects.count() + AnnualScale.history.count(),
    ),
    "evaluation_inputs": Case(
        EvaluationInputImporter,
        lambda zone: zone["zone_admin"],
        evaluation_inputs(1200),
        evaluation_inputs(-5),
        lambda: EvaluationInput.objects.count() + EvaluationInput.history.count(),
    ),
}

# What every preview page shows (ids and data-count keys); an importer may add counts of its own.
PREVIEW_PARTS = {"import-counts", "count:create", "count:update", "count:unchanged", "count:error_rows"}


def parts(html: str) -> set[str]:
    ids = set(re.findall(r'id="(import-[a-z]+)"', html))
    return ids | {f"count:{key}" for key in re.findall(r'data-count="([a-z_]+)"', html)}


@pytest.fixture(params=list(CASES))
def case(request, zone, client):
    case = CASES[request.param]
    user = case.user(zone)
    client.force_login(user)
    case.client, case.zone, case.staff = client, zone, user
    case.namespace = case.importer.namespace
    return case


def upload(case, content: bytes):
    file = SimpleUploadedFile("文件.xlsx", content, XLSX)
    response = case.client.post(reverse(f"{case.namespace}:import"), {"file": file})
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    return response["Location"], ImportBatch.objects.filter(kind=case.importer.kind).latest("pk")


def test_upload_preview_and_commit(case):
    page = case.client.get(reverse(f"{case.namespace}:import"))
    assert page.status_code == 200 and 'id="import-upload"' in page.content.decode()
    before = case.written()

    url, batch = upload(case, case.good(case.zone))
    assert url == reverse(f"{case.namespace}:import_preview", args=[batch.pk])
    preview = case.client.get(url)
    html = preview.content.decode()
    assert preview.status_code == 200 and PREVIEW_PARTS | {"import-commit", "import-rows"} <= parts(html)
    assert preview.context["counts"]["create"] == 1 and preview.context["can_commit"]
    assert case.written() == before  # a preview writes nothing

    done = case.client.post(url)
    assert done.status_code == 302 and done["Location"] == url
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and case.written() > before

    again = case.client.get(url)
    assert again.context["committed"] and "import-commit" not in parts(again.content.decode())
    recent = case.client.get(reverse(f"{case.namespace}:import")).content.decode()
    assert f'href="{url}"' in recent  # the upload page lists the user's recent uploads


def test_a_second_commit_is_refused_and_changes_nothing(case):
    url, batch = upload(case, case.good(case.zone))
    case.client.post(url)
    written = case.written()
    response = case.client.post(url)
    assert response.status_code == 409 and response.context["already"]
    assert "already been imported" in response.content.decode()
    assert parts(response.content.decode()) >= PREVIEW_PARTS
    assert case.written() == written
    with pytest.raises(importing.BatchAlreadyCommitted):
        case.importer().commit_batch(batch.pk, case.staff)


def test_a_bad_file_changes_nothing(case):
    before = case.written()
    url, batch = upload(case, case.bad(case.zone))
    preview = case.client.get(url)
    html = preview.content.decode()
    assert PREVIEW_PARTS | {"import-errors"} <= parts(html) and "import-commit" not in parts(html)
    errors = preview.context["summary"]["errors"]
    assert errors and all(e["sheet"] and e["row"] and e["letter"] and e["reason"] for e in errors)

    response = case.client.post(url)
    assert response.status_code == 200 and response.context["refused"]
    assert "Nothing was imported." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED and case.written() == before


def test_only_who_may_import_sees_the_pages(case):
    url, batch = upload(case, case.good(case.zone))
    outsider = case.zone["grid_officer"]
    assert not case.importer.may_import(outsider) and case.importer.may_import(case.staff)
    case.client.force_login(outsider)
    assert case.client.get(reverse(f"{case.namespace}:import")).status_code == 403
    assert case.client.get(url).status_code == 403
    assert case.client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        case.importer().validate(case.good(case.zone), outsider)
    with pytest.raises(PermissionDenied):
        case.importer().commit_batch(batch.pk, outsider)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED


def test_a_batch_of_another_kind_is_not_committed_by_this_importer(case):
    other = ImportBatch.objects.create(kind="other", file_name="a.xlsx", content=b"", sha256="x",
                                       uploaded_by=case.staff)  # fmt: skip
    with pytest.raises(ImportBatch.DoesNotExist):
        case.importer().commit_batch(other.pk, case.staff)


# --- stored results: validated once, paged, compared at commit, runnable as a job ----------------------------


def test_the_preview_is_validated_once_and_later_gets_read_the_stored_results(case, monkeypatch):
    steps = []
    for step, work in list(importing.IMPORT_STEPS.items()):  # what the pages' jobs (and the API) run
        monkeypatch.setitem(
            importing.IMPORT_STEPS, step, lambda *a, _s=step, _w=work, **k: steps.append(_s) or _w(*a, **k)
        )
    url, batch = upload(case, case.bad(case.zone))
    first = case.client.get(url)
    assert steps == ["preview"] and first.context["errors"]
    assert ImportResultChunk.objects.filter(batch=batch, part="error").exists()

    def boom(*args, **kwargs):
        raise AssertionError("the preview read the file again")

    monkeypatch.setattr(case.importer, "read", boom)
    monkeypatch.setattr(case.importer, "validate", boom)
    with CaptureQueriesContext(connection) as queries:
        again = case.client.get(url)
    assert steps == ["preview"]  # no second step
    assert again.status_code == 200 and again.context["errors"] == first.context["errors"]
    assert again.context["counts"] == first.context["counts"]
    # session, user, batch (without its file), the chunks of the page, and what the importer's permission and
    # the page's menu read (a department, holidays): nothing that grows with the file
    assert len(queries) <= 7, "\n".join(q["sql"][:150] for q in queries)
    assert sum("core_importresultchunk" in q["sql"] for q in queries) <= 2  # a chunk of each part, at most
    assert not any('"content"' in q["sql"] for q in queries if "import_batch" in q["sql"])


def test_a_commit_after_the_preview_applies_the_previewed_plan(case):
    url, batch = upload(case, case.good(case.zone))
    planned = case.client.get(url).context["rows"]
    before = case.written()
    assert case.client.post(url).status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and case.written() > before
    shown = case.client.get(url)
    assert shown.context["committed"] and shown.context["rows"] == planned  # what was applied


def test_a_batch_whose_file_changed_after_the_preview_is_refused_and_changes_nothing(case):
    url, batch = upload(case, case.good(case.zone))
    case.client.get(url)
    other = case.bad(case.zone)
    ImportBatch.objects.filter(pk=batch.pk).update(content=other, sha256=hashlib.sha256(other).hexdigest())
    before = case.written()
    response = case.client.post(url)
    assert response.status_code == 200 and response.context["refused"]
    assert "Nothing was imported." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status != ImportBatch.Status.COMMITTED and case.written() == before
    with translation.override(settings.LANGUAGE_CODE):  # the words the uploader read, in the site's language
        assert translation.gettext("The stored file is not the one that was previewed") in str(
            batch.summary["changed"]
        )


def test_a_deleted_batch_is_missing_to_every_step(case):
    _url, batch = upload(case, case.good(case.zone))
    batch_id, user_id = batch.pk, case.staff.pk
    batch.delete()
    assert importing.preview_batch_work(batch_id, user_id)["state"] == "missing"
    assert importing.commit_batch_work(batch_id, user_id)["state"] == "missing"
    assert case.client.get(reverse(f"{case.namespace}:import_preview", args=[batch_id])).status_code == 404
    assert not ImportResultChunk.objects.filter(batch_id=batch_id).exists()


def test_a_batch_deleted_while_it_was_validated_stores_nothing(case):
    _url, batch = upload(case, case.good(case.zone))
    ImportBatch.objects.filter(pk=batch.pk).delete()
    report = case.importer().preview_batch(batch, case.staff)
    assert report.ok and not ImportResultChunk.objects.exists()


def test_the_steps_are_idempotent_and_report_progress(case, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(importing, "STORE_BATCH", 1)
    monkeypatch.setattr(importing, "RESULT_CHUNK", 1)
    _url, batch = upload(case, case.good(case.zone))
    calls = []

    def progress(done, total=None, stage=""):
        calls.append((str(stage), done, total))

    assert importing.preview_batch_work(batch.pk, case.staff.pk, progress=progress)["state"] == "previewed"
    stages = [stage for stage, _done, _total in calls]
    assert {str(importing.READING), str(importing.CHECKING)} <= set(stages)
    for stage in set(stages):  # within a stage, done never goes back and never passes total
        done = [d for s, d, _t in calls if s == stage]
        assert done == sorted(done) and all(t is None or d <= t for s, d, t in calls if s == stage)
    calls.clear()
    assert importing.preview_batch_work(batch.pk, case.staff.pk, progress=progress)["state"] == "stored"
    assert calls == []  # nothing read again

    written = case.written()
    result = importing.commit_batch_work(batch.pk, case.staff.pk, progress=progress)
    assert result["state"] == "committed" and result["message"] and case.written() > written
    assert str(importing.WRITING) in {stage for stage, _d, _t in calls}
    written = case.written()
    assert importing.commit_batch_work(batch.pk, case.staff.pk)["state"] == "already"
    assert case.written() == written


def test_the_stored_results_page_errors_first_then_rows(zone, monkeypatch):
    """A synthetic report across chunk boundaries: every page holds exactly its slice, errors first."""
    monkeypatch.setattr(importing, "RESULT_CHUNK", 6)
    monkeypatch.setattr(importing, "PREVIEW_PAGE", 4)
    monkeypatch.setattr(importing, "STORE_BATCH", 2)
    batch = ImportBatch.objects.create(kind="k", file_name="a.xlsx", content=b"x", sha256="s",
                                       uploaded_by=zone["zone_admin"])  # fmt: skip
    errors = [importing.RowError("表", n, "列", "B", f"reason {n}") for n in range(2, 15)]
    rows = [importing.PlannedRow("表", n, importing.CREATE, f"k{n}", f"l{n}") for n in range(15, 35)]
    report = importing.ImportReport(rows=rows, errors=errors, sheet_order=["表"])
    batch.summary = importing.store_results(batch, report)
    expected = [("error", e.as_dict()) for e in errors] + [("row", r.as_dict()) for r in rows]
    pages = -(-len(expected) // 4)
    assert ImportResultChunk.objects.filter(batch=batch).count() == -(-13 // 6) + -(-20 // 6)
    for number in range(1, pages + 1):
        page = importing.results_page(batch, number)
        assert page.object_list == expected[(number - 1) * 4 : number * 4], number
    assert importing.results_page(batch, pages + 5).number == pages  # out of range: the last page
    assert importing.stored_errors(batch) == [e.as_dict() for e in errors]


def test_the_preview_page_is_paged(zone, client, monkeypatch):
    monkeypatch.setattr(importing, "RESULT_CHUNK", 4)
    monkeypatch.setattr(importing, "PREVIEW_PAGE", 2)
    client.force_login(zone["zone_admin"])
    bad = [new_row(从业人员="很多") for _ in range(3)]
    good = [new_row() for _ in range(4)]
    content = sheet_of(*bad, *good)
    response = client.post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("a.xlsx", content, XLSX)}
    )
    url = response["Location"]
    first = client.get(url)
    assert [e["row"] for e in first.context["errors"]] == [2, 3] and first.context["rows"] == []
    assert [e["text"] for e in first.context["errors"]] == ["很多", "很多"]  # the cell as written
    assert first.context["counts"]["errors"] == 3 and "data-pager" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert [e["row"] for e in second.context["errors"]] == [4]
    assert [r["row"] for r in second.context["rows"]] == [5]
    third = client.get(url, {"page": 3})
    assert third.context["errors"] == [] and [r["row"] for r in third.context["rows"]] == [6, 7]
    assert 'id="import-errors"' not in third.content.decode()


def test_a_commit_refuses_a_plan_that_changed_since_the_preview(zone, client):
    admin, ent = zone["zone_admin"], zone.above1
    client.force_login(admin)
    content = sheet_of({"统一社会信用代码*": ent.uscc, "企业名称*": ent.name, "从业人员": 150})
    response = client.post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("a.xlsx", content, XLSX)}
    )
    url = response["Location"]
    assert client.get(url).context["rows"][0]["changes"][0]["before"] == "100"
    Enterprise.objects.filter(pk=ent.pk).update(employees=120)  # someone edits it meanwhile
    history = Enterprise.history.count()

    refused = client.post(url)
    html = refused.content.decode()
    assert refused.status_code == 200 and refused.context["refused"] and 'id="import-changed"' in html
    assert [(e["sheet"], e["row"]) for e in refused.context["changed"]] == [("企业名录", 2)]
    ent.refresh_from_db()
    assert ent.employees == 120 and Enterprise.history.count() == history  # nothing applied
    assert refused.context["rows"][0]["changes"][0]["before"] == "120"  # the new plan is the preview

    assert client.post(url).status_code == 302  # confirmed again: applied
    ent.refresh_from_db()
    assert ent.employees == 150


def test_the_statistics_api_reads_the_stored_preview_and_refuses_a_changed_file(api_as, zone, monkeypatch):
    client = api_as("zone_admin", session=True)
    upload_file = SimpleUploadedFile("月报.xlsx", monthly(3)(zone), XLSX)
    body = client.post("/api/stats/imports", {"file": upload_file}).json()
    assert body["status"] == "previewed" and body["counts"]["create"] == 1

    def boom(*args, **kwargs):
        raise AssertionError("the preview read the file again")

    monkeypatch.setattr(StatsImporter, "read", boom)
    assert client.get(f"/api/stats/imports/{body['batch_id']}").json()["counts"] == body["counts"]
    monkeypatch.undo()

    other = monthly(4)(zone)
    ImportBatch.objects.filter(pk=body["batch_id"]).update(
        content=other, sha256=hashlib.sha256(other).hexdigest()
    )
    refused = client.post(f"/api/stats/imports/{body['batch_id']}/commit")
    assert refused.status_code == 422 and not MonthlyReport.objects.exists()
    assert [e["reason"] for e in refused.json()["changed"]][:1] == [
        "The stored file is not the one that was previewed"
    ]
    assert client.post(f"/api/stats/imports/{body['batch_id']}/commit").status_code == 200  # confirmed again


def test_progress_counts_up_within_each_stage_of_a_larger_file(zone, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(importing, "RESULT_CHUNK", 2)
    monkeypatch.setattr(importing, "STORE_BATCH", 2)
    admin = zone["zone_admin"]
    rows = [new_row() for _ in range(20)] + [new_row(从业人员="很多") for _ in range(3)]
    batch = EnterpriseImporter().record_upload("a.xlsx", sheet_of(*rows), admin)
    calls = []
    result = importing.preview_batch_work(batch.pk, admin.pk, progress=lambda *a: calls.append(a))
    assert result["state"] == "rejected" and result["counts"]["errors"] == 3
    stages = list(dict.fromkeys(stage for _d, _t, stage in calls))
    assert stages == [str(importing.READING), str(importing.CHECKING)]  # in this order, each once
    reading = [(d, t) for d, t, s in calls if s == str(importing.READING)]
    assert [d for d, _t in reading] == [5, 10, 15, 20, 24] and {t for _d, t in reading} == {
        24
    }  # 24 sheet rows
    checking = [d for d, _t, s in calls if s == str(importing.CHECKING)]
    assert checking == sorted(checking) and checking[0] == 0 and checking[-1] == 3 + 20
