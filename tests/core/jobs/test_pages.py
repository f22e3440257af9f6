"""The jobs pages and API, for every persona: my jobs, a job's page and progress, retry, download."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jingkai.core import jobs
from jingkai.core.models import Job
from tests.conftest import PERSONAS
from tests.core.jobs import tasks

pytestmark = pytest.mark.django_db

OWNER = "grid_officer"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owned(zone):
    """A running job and a failed one of the grid officer, and a done one of the outsider."""
    running = jobs.claim(jobs.enqueue(tasks.count_rows, user=zone[OWNER], args={"n": 10}, total=10).pk)
    running.progress(4, stage="counting")
    failed = jobs.enqueue(tasks.refuse, user=zone[OWNER], args={})
    jobs.run(failed.pk)
    other = jobs.enqueue(tasks.count_rows, user=zone["outsider"], args={"n": 1})
    jobs.run(other.pk)
    return {
        "running": running,
        "failed": Job.objects.get(pk=failed.pk),
        "other": Job.objects.get(pk=other.pk),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_own_jobs_and_administrators_everyone(zone, owned, persona):
    response = client_of(zone[persona]).get(reverse("jobs:list"))
    assert response.status_code == 200
    shown = {int(pk) for pk in response.content.decode().split('data-job="')[1:] for pk in [pk.split('"')[0]]}
    mine = {job.pk for job in owned.values() if job.user_id == zone[persona].pk}
    expected = {job.pk for job in owned.values()} if persona == "zone_admin" else mine
    assert shown == expected


def test_the_list_filters_by_state_and_kind(zone, owned):
    client = client_of(zone[OWNER])
    body = client.get(reverse("jobs:list"), {"state": "failed"}).content.decode()
    assert f'data-job="{owned["failed"].pk}"' in body and f'data-job="{owned["running"].pk}"' not in body
    body = client.get(reverse("jobs:list"), {"kind": "tests.count"}).content.decode()
    assert f'data-job="{owned["running"].pk}"' in body and f'data-job="{owned["failed"].pk}"' not in body
    body = client.get(reverse("jobs:list"), {"state": "nonsense"}).content.decode()
    assert "invalid-feedback" in body  # shown with the form, ignored


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_job_page_is_its_owners_and_the_administrators(zone, owned, persona):
    job = owned["running"]
    for name in ("jobs:detail", "jobs:progress"):
        response = client_of(zone[persona]).get(reverse(name, args=[job.pk]))
        assert response.status_code == (200 if persona in (OWNER, "zone_admin") else 404), name


def test_the_progress_polls_while_running_and_stops_when_done(zone, owned):
    client = client_of(zone[OWNER])
    job = owned["running"]
    body = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="40"' in body and "jk-progress-40" in body
    assert "counting" in body
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'hx-get="' + reverse("jobs:progress", args=[job.pk]) + '"' in page
    job.finish({"counted": 10})
    body = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in body and 'aria-valuenow="100"' in body and "counted" in body


def test_a_failed_job_says_why_and_offers_its_owner_a_retry(zone, owned):
    job = owned["failed"]
    body = client_of(zone[OWNER]).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "文件格式不对" in body and 'id="job-retry"' in body
    body = client_of(zone["zone_admin"]).get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "文件格式不对" in body and 'id="job-retry"' not in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_owner_retries(zone, owned, persona, django_capture_on_commit_callbacks):
    job = owned["failed"]
    with django_capture_on_commit_callbacks(execute=False):
        response = client_of(zone[persona]).post(reverse("jobs:retry", args=[job.pk]))
    expected = {OWNER: 302, "zone_admin": 403}.get(persona, 404)
    assert response.status_code == expected
    job.refresh_from_db()
    assert job.state == (Job.State.QUEUED if persona == OWNER else Job.State.FAILED)


def test_retry_needs_the_csrf_token_and_post(zone, owned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(zone[OWNER])
    url = reverse("jobs:retry", args=[owned["failed"].pk])
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405


def test_anonymous_is_sent_to_sign_in(owned):
    for name in ("jobs:list",):
        assert Client().get(reverse(name)).status_code == 302
    assert Client().get(reverse("jobs:detail", args=[owned["running"].pk])).status_code == 302


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_lists_and_shows_the_same_jobs(zone, owned, persona, api_as):
    api = api_as(persona)
    answer = api.get("/api/jobs")
    assert answer.status_code == 200
    ids = {item["id"] for item in answer.json()["items"]}
    mine = {job.pk for job in owned.values() if job.user_id == zone[persona].pk}
    assert ids == ({job.pk for job in owned.values()} if persona == "zone_admin" else mine)
    job = owned["running"]
    answer = api.get(f"/api/jobs/{job.pk}")
    assert answer.status_code == (200 if persona in (OWNER, "zone_admin") else 404)
    if answer.status_code == 200:
        data = answer.json()
        assert (data["state"], data["done"], data["total"], data["percent"]) == ("running", 4, 10, 40)
        assert data["owner"] == OWNER and data["label"] == "数数"


def test_the_api_filters_and_refuses_a_bad_state(zone, owned, api_as):
    api = api_as(OWNER)
    assert {i["id"] for i in api.get("/api/jobs?state=failed").json()["items"]} == {owned["failed"].pk}
    answer = api.get("/api/jobs?state=nonsense")
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "state"]


def test_the_list_costs_a_fixed_number_of_queries(zone, django_assert_max_num_queries):
    client = client_of(zone["zone_admin"])
    client.get(reverse("jobs:list"))
    for _ in range(30):
        jobs.enqueue(tasks.count_rows, user=zone[OWNER], args={"n": 1})
    with django_assert_max_num_queries(12):
        client.get(reverse("jobs:list"))
