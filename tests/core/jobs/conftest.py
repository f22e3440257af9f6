"""The jobs' own tests go through the queue (enqueue hands the task to the backend on commit; the test runs
jobs.run() or a worker itself), not the suite's inline mode (tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def _queued_jobs(settings):
    settings.JINGKAI_JOBS_INLINE = False
