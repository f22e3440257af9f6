"""The contract every importer keeps (core.importing.Importer and core/import_views.py), for all of them alike.

Upload → preview → commit writes the rows once; a preview writes nothing; a bad file changes nothing and is
refused with located errors; a second commit is refused (409); only who may import sees the pages; and every
preview page shows the same parts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingkai.core import importing
from jingkai.core.models import ImportBatch, Role
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
