"""In production the rollup refresh after an edit is a background job (settings.JINGKAI_ROLLUP_REFRESH_JOBS; the
rest of the suite runs it in-process): the edit's commit only enqueues it, and the job brings the rollups to what a
rebuild gives, once, however often it runs."""

from __future__ import annotations

import pytest

from jingkai.analytics.jobs import REFRESH_KIND
from jingkai.analytics.models import Rollup
from jingkai.core import jobs
from jingkai.core.models import Job
from jingkai.enterprises.models import Enterprise
from tests.analytics.test_incremental import rebuilt, snapshot, world  # noqa: F401 (the fixture)


@pytest.fixture
def as_jobs(settings):
    settings.JINGKAI_ROLLUP_REFRESH_JOBS = True
    settings.JINGKAI_JOBS_INLINE = False  # through the queue, as in production


def test_an_edit_enqueues_the_refresh_and_the_job_brings_the_rollups_up_to_date(
    world,  # noqa: F811
    as_jobs,
    django_capture_on_commit_callbacks,
):
    a = world["enterprise"][0]
    new_grid = world["grid"][2]
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise = Enterprise.objects.get(pk=a.pk)
        enterprise.grid = new_grid
        enterprise.save()
    # Nothing recomputed in the request: one queued job of the zone (no owner) carries the change.
    assert snapshot() == before
    job = Job.objects.get(kind=REFRESH_KIND)
    assert job.state == Job.State.QUEUED and job.user is None
    assert any(
        change.get("enterprise") == a.pk or a.pk in change.get("enterprises", [])
        for change in job.args["changes"]
    )
    assert snapshot() != rebuilt()

    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 1
    assert snapshot() == rebuilt()
    assert Rollup.objects.filter(dimension="grid", member=str(new_grid.pk)).exists()

    # Idempotent: the same changes again (a retry) leave the table as it is.
    after = snapshot()
    again = jobs.enqueue(REFRESH_KIND, user=None, args=job.args)
    jobs.run(again.pk)
    assert snapshot() == after
