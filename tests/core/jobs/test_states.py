"""Job states, the claim, retries and deleted rows (jingkai.core.jobs)."""

from __future__ import annotations

import pytest
from django.test import override_settings

from jingkai.core import jobs
from jingkai.core.models import Job
from tests import factories as f
from tests.core.jobs import tasks

pytestmark = pytest.mark.django_db


def _zh(message: str) -> str:
    """The message as the job stores it: in the site's language (Chinese once the catalogue has it)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


@pytest.fixture
def owner(db):
    return f.UserFactory(username="owner")


@pytest.fixture(autouse=True)
def _calls():
    tasks.CALLS.clear()
    yield
    tasks.CALLS.clear()


def test_enqueue_creates_a_queued_job_and_hands_it_over_on_commit(owner, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 3}, total=3)
    assert job.state == Job.State.QUEUED and job.total == 3 and job.user == owner
    assert not DBTaskResult.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert job.task_id == str(task.id)
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert job.max_attempts == 1 + 2


def test_enqueue_by_kind_name_and_refuses_records_as_args(owner):
    job = jobs.enqueue("tests.count", user=owner, args={"n": 1})
    assert job.kind == "tests.count"
    with pytest.raises(TypeError):
        jobs.enqueue("tests.count", user=owner, args={"n": owner})
    with pytest.raises(Exception, match="No job kind"):
        jobs.enqueue("tests.nothing", user=owner, args={})


def test_a_job_runs_to_done_with_its_progress_and_result(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 5})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert (job.done, job.total, job.stage) == (5, 5, "counting")
    assert job.result == {"counted": 5}
    assert job.attempts == 1 and job.started_at and job.finished_at and not job.error
    assert job.percent == 100


@pytest.mark.django_db(
    transaction=True
)  # the worker closes connections outside an atomic block, as in production
def test_the_worker_runs_what_the_backend_was_handed():
    from django.core.management import call_command

    owner = f.UserFactory(username="owner")
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 2})  # autocommit: handed over at once
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result == {"counted": 2}


def test_claim_once_two_claims_of_one_job_one_wins(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1})
    first, second = jobs.claim(job.pk), jobs.claim(job.pk)
    assert first is not None and first.state == Job.State.RUNNING
    assert second is None


def test_running_a_job_twice_does_the_work_once(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1})
    jobs.run(job.pk)
    jobs.run(job.pk)
    assert [(job.pk, {"n": 1})] == tasks.CALLS
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_deleted_job_is_nothing_to_do(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1})
    Job.objects.filter(pk=job.pk).delete()
    jobs.run(job.pk)  # no exception, no call
    assert tasks.CALLS == []


def test_an_expected_failure_says_why_and_is_not_retried(owner, django_capture_on_commit_callbacks):
    job = jobs.enqueue(tasks.refuse, user=owner, args={})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error == "文件格式不对"
    assert callbacks == []


def test_an_unexpected_failure_is_retried_then_fails_with_a_chinese_message(owner, caplog):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1, "fail_times": 9})
    for attempt in range(1, 4):
        jobs.run(job.pk)  # the retry is enqueued on commit; the test runs each attempt itself
        job.refresh_from_db()
        assert job.attempts == attempt
    assert job.state == Job.State.FAILED
    assert job.error == _zh(
        "The job failed because of an unexpected error. The administrator can find the details in the log."
    )
    assert "boom" not in job.error  # the traceback only in the log
    assert "boom" in caplog.text
    jobs.run(job.pk)
    assert len(tasks.CALLS) == 3


@override_settings(JINGKAI_JOB_RETRIES=0)
def test_no_automatic_retry_when_the_setting_says_none(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1, "fail_times": 1})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.max_attempts == 1


def test_a_retry_succeeds_after_a_transient_failure(owner):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 2, "fail_times": 1})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.attempts == 1
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2


@override_settings(JINGKAI_JOB_RETRIES=0)
def test_the_owner_retries_a_failed_job(owner, django_capture_on_commit_callbacks):
    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1, "fail_times": 1})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert jobs.retry(job)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and not job.error
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2
    assert not jobs.retry(job)  # only a failed job


def test_a_row_deleted_since_ends_the_job_with_a_clear_message(owner):
    department = f.DepartmentFactory()
    job = jobs.enqueue(tasks.read_department, user=owner, args={"department_id": department.pk})
    department.delete()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == _zh("A record this job works on has been deleted since it was started.")
    jobs.run(job.pk)  # and no second run
    job.refresh_from_db()
    assert job.attempts == 1


def test_progress_writes_are_throttled(owner, django_assert_max_num_queries, monkeypatch):
    from jingkai.core import models

    monkeypatch.setattr(models, "PROGRESS_SECONDS", 3600)
    job = jobs.claim(jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1}).pk)
    # the first call (total and stage change), then 998 calls without a write, then the last row
    with django_assert_max_num_queries(2):
        for done in range(1, 1001):
            job.progress(done, total=1000, stage="rows")
    job.refresh_from_db()
    assert (job.done, job.total, job.stage) == (1000, 1000, "rows")


def test_a_stale_running_job_is_failed_by_the_sweep(owner):
    import datetime as dt

    from django.utils import timezone

    job = jobs.claim(jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1}).pk)
    assert jobs.fail_stale() == 0
    assert jobs.fail_stale(timezone.now() + dt.timedelta(hours=3)) == 1
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_job_run_it_once():
    """Two threads (two database sessions) take the same queued jobs at once: each job runs exactly once."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip(
            "two concurrent sessions: PostgreSQL (SQLite's test database is one in-memory connection)"
        )
    owner = f.UserFactory(username="racer")
    ids = [jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1}).pk for _ in range(20)]
    barrier = threading.Barrier(2)

    def work():
        try:
            barrier.wait()
            for pk in ids:
                jobs.run(pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(pk for pk, _ in tasks.CALLS) == sorted(ids)  # each job once, none twice
    assert set(Job.objects.filter(pk__in=ids).values_list("state", "attempts")) == {(Job.State.DONE, 1)}


def test_the_sweep_prunes_old_finished_task_rows_of_the_database_backend(owner):
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from jingkai.core import export_jobs

    job = jobs.enqueue(tasks.count_rows, user=owner, args={"n": 1})
    old, recent, waiting = (tasks.count_rows.enqueue(job.pk) for _ in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(
        status="SUCCESSFUL", finished_at=now - dt.timedelta(days=15)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(status="FAILED", finished_at=now - dt.timedelta(days=1))
    assert export_jobs.sweep(now)["task_results_pruned"] == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=waiting.id).pk,
    }
