"""List exports above JINGKAI_EXPORT_JOB_ROWS become jobs: the same rows as the synchronous export, scoped to
the owner, downloaded by the owner only (audited), deleted by the sweep after JINGKAI_EXPORT_KEEP_DAYS."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jingkai.core import export_jobs, jobs
from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.models import Job
from tests import factories as f
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cells(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_as_job(client, url: str, query: dict | None = None) -> Job:
    response = client.get(url, query or {})
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(kind=export_jobs.KIND)
    assert response["Location"] == job.get_absolute_url()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    return job


def download(client, job) -> bytes:
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("persona", ["zone_admin", "grid_officer"])
def test_an_export_job_holds_the_rows_of_the_synchronous_export(zone, settings, persona):
    for n in range(6):
        f.EnterpriseFactory(name=f"戊{n}有限公司", grid=zone.grid1)
    client = client_of(zone[persona])
    url = reverse("enterprises:export")
    settings.JINGKAI_EXPORT_JOB_ROWS = 100
    synchronous = client.get(url, {"q": "有限公司"})
    assert synchronous.status_code == 200
    settings.JINGKAI_EXPORT_JOB_ROWS = 2
    job = export_as_job(client, url, {"q": "有限公司", "page": "3"})
    assert job.args == {
        "view": "enterprises:export",
        "path": url,
        "query": "q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8",
    }
    content = download(client, job)
    expected = cells(synchronous.content)
    assert cells(content) == expected
    assert len(expected) - 1 == job.result["rows"] > 2
    assert job.result["file_name"].endswith(".xlsx") and job.expires_at > timezone.now()
    # The owner's scope holds: the grid officer's file has only the enterprises of grid G01.
    names = {row[0] for row in expected[1:]} | {row[1] for row in expected[1:]}
    assert ("乙汽车电子有限公司" in names) == (persona == "zone_admin")


def test_a_small_export_stays_synchronous(zone, settings):
    settings.JINGKAI_EXPORT_JOB_ROWS = 100
    response = client_of(zone["zone_admin"]).get(reverse("demands:export"))
    assert response.status_code == 200 and not Job.objects.exists()


def test_the_download_is_audited_with_the_filters(zone, settings):
    settings.JINGKAI_EXPORT_JOB_ROWS = 1
    client = client_of(zone["zone_admin"])
    job = export_as_job(client, reverse("enterprises:export"), {"q": "有限公司"})
    before = AuditEvent.objects.filter(kind=Kind.EXPORT).count()
    content = download(client, job)
    event = AuditEvent.objects.filter(kind=Kind.EXPORT).latest("id")
    assert AuditEvent.objects.filter(kind=Kind.EXPORT).count() == before + 1
    assert event.details["filters"] == {"q": "有限公司"}
    assert event.details["rows"] == job.result["rows"] == 4
    import hashlib

    assert event.details["sha256"] == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_owner_downloads(zone, settings, persona):
    settings.JINGKAI_EXPORT_JOB_ROWS = 1
    f.EnterpriseFactory(name="戊有限公司", grid=zone.grid1)  # the grid officer sees two
    job = export_as_job(client_of(zone["grid_officer"]), reverse("enterprises:export"))
    response = client_of(zone[persona]).get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == {"grid_officer": 200, "zone_admin": 403}.get(persona, 404)
    assert Client().get(reverse("jobs:download", args=[job.pk])).status_code == 302


def test_the_sweep_deletes_expired_files(zone, settings):
    settings.JINGKAI_EXPORT_JOB_ROWS = 1
    client = client_of(zone["zone_admin"])
    job = export_as_job(client, reverse("enterprises:export"))
    path = Path(settings.MEDIA_ROOT) / job.file
    assert path.is_file() and path.parent == Path(settings.MEDIA_ROOT) / "exports"
    assert export_jobs.sweep(timezone.now()) == {
        "expired_exports": 0,
        "stale_jobs": 0,
        "task_results_pruned": 0,
    }
    assert path.is_file()
    later = timezone.now() + dt.timedelta(days=settings.JINGKAI_EXPORT_KEEP_DAYS, minutes=1)
    assert export_jobs.sweep(later)["expired_exports"] == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.file == "" and job.result["expired"] is True and job.state == Job.State.DONE
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'id="job-download"' not in body


def test_a_file_past_its_time_is_not_served_before_the_sweep(zone, settings):
    settings.JINGKAI_EXPORT_JOB_ROWS = 1
    client = client_of(zone["zone_admin"])
    job = export_as_job(client, reverse("enterprises:export"))
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_an_owner_who_lost_the_right_gets_a_failed_job(zone, settings):
    from jingkai.core.models import Role

    settings.JINGKAI_EXPORT_JOB_ROWS = 1
    owner = f.UserFactory(username="auditor", role=Role.AUDIT_ADMIN)
    client = client_of(owner)
    client.get(reverse("audit:log"))
    for _ in range(2):
        client_of(zone["zone_admin"]).get(reverse("demands:export"))  # audited: rows of the audit log
    assert client.get(reverse("audit:export")).status_code == 302
    job = Job.objects.get(kind=export_jobs.KIND)
    owner.role = Role.GRID_OFFICER  # no longer the audit administrator
    owner.save()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error and not job.file
    exports = Path(settings.MEDIA_ROOT) / "exports"
    assert not exports.exists() or not list(exports.iterdir())  # no file left behind
    job = jobs.enqueue(export_jobs.export_job, user=zone["outsider"], args=dict(job.args))
    zone["outsider"].is_active = False
    zone["outsider"].save()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED


def test_a_path_that_is_no_export_is_refused(zone):
    job = jobs.enqueue(
        export_jobs.export_job,
        user=zone["zone_admin"],
        args={"view": "jobs:list", "path": "/jobs/", "query": ""},
    )
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED


def test_every_list_export_has_a_url_name_that_says_so():
    from django.urls import get_resolver

    names = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + (p.namespace + ":" if p.namespace else ""))
            elif p.name:
                names.append(prefix + p.name)

    walk(get_resolver().url_patterns)
    for name in (
        "enterprises:export",
        "demands:export",
        "visits:export",
        "investment:export",
        "audit:export",
    ):
        assert name in names and export_jobs.is_export_view(name)
    assert not export_jobs.is_export_view("jobs:list")
