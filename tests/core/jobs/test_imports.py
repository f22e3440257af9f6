"""An import's check and commit are jobs (core.importing.start_import_step): the page hands the file to a worker,
shows the job's progress, and the job's page leads back to the preview, which then reads the stored results."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jingkai.core import importing, jobs
from jingkai.core.models import ImportBatch, Job
from jingkai.enterprises.models import Enterprise
from tests.core.imports.test_contract import XLSX, new_row, sheet_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(zone, client):
    client.force_login(zone["zone_admin"])
    return client


def _upload(client, content: bytes):
    answer = client.post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("名录.xlsx", content, XLSX)}
    )
    assert answer.status_code == 302
    return answer["Location"], ImportBatch.objects.latest("pk")


def test_the_check_and_the_commit_run_as_jobs_and_lead_back_to_the_preview(admin, zone):
    preview_url, batch = _upload(admin, sheet_of(new_row()))

    waiting = admin.get(preview_url)  # nothing validated yet: the check is a job, its page shows the progress
    job = Job.objects.get(kind=importing.IMPORT_JOB_KINDS["preview"])
    assert waiting.status_code == 302 and waiting["Location"] == job.get_absolute_url()
    assert (
        job.state == Job.State.QUEUED
        and job.user == zone["zone_admin"]
        and job.args == {"batch_id": batch.pk}
    )
    assert (
        admin.get(preview_url)["Location"] == job.get_absolute_url()
    )  # a reload does not start a second one
    assert Job.objects.filter(kind=importing.IMPORT_JOB_KINDS["preview"]).count() == 1

    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["state"] == "previewed"
    page = admin.get(job.get_absolute_url())
    assert f'href="{preview_url}?outcome=previewed"'.encode() in page.content  # 继续: back to the preview
    shown = admin.get(preview_url)
    assert shown.status_code == 200 and len(shown.context["rows"]) == 1

    before = Enterprise.objects.count()
    committing = admin.post(preview_url)
    commit = Job.objects.get(kind=importing.IMPORT_JOB_KINDS["commit"])
    assert committing.status_code == 302 and committing["Location"] == commit.get_absolute_url()
    assert Enterprise.objects.count() == before  # the request wrote nothing
    jobs.run(commit.pk)
    commit.refresh_from_db()
    assert commit.state == Job.State.DONE and commit.result["state"] == "committed"
    assert Enterprise.objects.count() == before + 1
    back = admin.get(commit.result["next_url"])
    assert back.status_code == 200 and back.context["committed"]


def test_a_batch_deleted_before_its_job_runs_fails_the_job_saying_so(admin):
    preview_url, batch = _upload(admin, sheet_of(new_row()))
    admin.get(preview_url)
    job = Job.objects.get(kind=importing.IMPORT_JOB_KINDS["preview"])
    batch.delete()
    jobs.run(job.pk)
    job.refresh_from_db()
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext("This upload has been deleted since; upload the file again.")
    assert job.state == Job.State.FAILED and job.error == expected


def test_another_user_cannot_follow_or_continue_an_import_job(admin, zone, client):
    preview_url, _batch = _upload(admin, sheet_of(new_row()))
    admin.get(preview_url)
    job = Job.objects.get(kind=importing.IMPORT_JOB_KINDS["preview"])
    jobs.run(job.pk)
    other = Client()
    other.force_login(zone["grid_officer"])
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(preview_url).status_code in (403, 404)
