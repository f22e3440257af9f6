"""POST /api/stats/imports, GET /api/stats/imports/{id}, POST …/commit: zone admins only, located errors."""

from __future__ import annotations

import datetime as dt

import pytest

from jingkai.stats.models import MonthlyReport
from tests.stats.helpers import messy_workbook

OUT = "工业总产值"


def upload(client, content, **data):
    return client.post("/api/stats/imports", {"file": _file(content), **data})


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("月报.xlsx", content)


@pytest.fixture
def good(zone):
    return messy_workbook([{"uscc": zone.above1.uscc, "name": "a", (OUT, "本月"): 3, (OUT, "1-6月累计"): 3}],
                          title="2023年1月规上工业企业主要指标")  # fmt: skip


def test_paths_are_in_the_openapi_schema(api_as):
    client = api_as("zone_admin", session=True)
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "post" in paths["/api/stats/imports"]
    assert "get" in paths["/api/stats/imports/{batch_id}"]
    assert "post" in paths["/api/stats/imports/{batch_id}/commit"]


def test_upload_preview_commit(api_as, zone, good):
    client = api_as("zone_admin", session=True)
    response = upload(client, good)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "previewed" and body["period"] == "2023-01-01" and body["counts"]["create"] == 1
    batch_id = body["batch_id"]
    assert client.get(f"/api/stats/imports/{batch_id}").json()["counts"]["create"] == 1
    assert not MonthlyReport.objects.exists()
    committed = client.post(f"/api/stats/imports/{batch_id}/commit")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert MonthlyReport.objects.get().period == dt.date(2023, 1, 1)
    assert client.post(f"/api/stats/imports/{batch_id}/commit").status_code == 409


def test_errors_are_located_and_commit_refused(api_as, zone):
    client = api_as("zone_admin", session=True)
    content = messy_workbook(
        [{"uscc": zone.above1.uscc, "name": "a", (OUT, "本月"): "x1", (OUT, "1-6月累计"): 3}]
    )
    body = upload(client, content).json()
    assert body["status"] == "rejected"
    assert [(e["sheet"], e["row"], e["letter"]) for e in body["errors"]] == [("规上工业", 5, "D")]
    response = client.post(f"/api/stats/imports/{body['batch_id']}/commit")
    assert response.status_code == 422 and not MonthlyReport.objects.exists()


def test_bad_period_and_not_a_workbook_are_422(api_as, zone, good):
    client = api_as("zone_admin", session=True)
    response = upload(client, good, period="June")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "period"]
    response = upload(client, b"not a workbook")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize("persona", ["grid_leader", "department", "enterprise", "outsider"])
def test_only_zone_admins_import(api_as, good, persona):
    client = api_as(persona, session=True)
    assert upload(client, good).status_code == 403


def test_another_admins_batch_is_not_found(api_as, good):
    from jingkai.core.models import Role
    from tests import factories as f

    client = api_as("zone_admin", session=True)
    batch_id = upload(client, good).json()["batch_id"]
    client = api_as(f.UserFactory(role=Role.ZONE_ADMIN), session=True)
    assert client.get(f"/api/stats/imports/{batch_id}").status_code == 404
    assert client.post(f"/api/stats/imports/{batch_id}/commit").status_code == 404
