"""A job's page in Chromium: the progress bar moves while the job runs (htmx polling under the CSP, no inline
script or style), stops polling when the job is done and offers the result; the user can leave and come back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingkai.core import jobs
from tests.core.jobs import tasks

pytestmark = pytest.mark.browser


def test_the_progress_bar_follows_the_job(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    job = jobs.claim(jobs.enqueue(tasks.count_rows, user=zone["grid_officer"], args={"n": 10}, total=10).pk)
    job.progress(2, stage="counting")
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "grid_officer")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_load_state()
    page.goto(live_server.url + reverse("jobs:detail", args=[job.pk]))
    bar = page.locator("#job-status .progress")
    expect(bar).to_have_attribute("aria-valuenow", "20")
    expect(page.locator("#job-stage")).to_have_text("counting")
    job._progress_written = None
    job.progress(7)  # the worker moves on: the page shows it within a second or two, without a reload
    expect(bar).to_have_attribute("aria-valuenow", "70", timeout=5000)
    job.finish({"counted": 10})
    expect(page.locator("#job-status")).to_have_attribute("data-state", "done", timeout=5000)
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#job-status")).not_to_have_attribute("hx-trigger", "every 1s")
    # Leave and come back through 我的任务.
    page.goto(live_server.url + reverse("home"))
    page.click("#jk-jobs-link")
    page.click(f'tr[data-job="{job.pk}"] a >> nth=0')
    expect(page.locator("#job-result")).to_contain_text("counted")
    assert violations == []
