"""`jingkai serve` starts one background-job worker beside gunicorn and stops it with the server; the worker runs
jobs handed over by another process, and schedules the sweep."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from jingkai.core import jobs
from jingkai.core.models import Job
from tests.core.test_serve import children, free_port, get


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_serve_starts_a_worker_that_runs_jobs_and_stops_with_the_server(tmp_path):
    env = {
        **os.environ,
        "JINGKAI_VAR_DIR": str(tmp_path),
        "JINGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3",
        "JINGKAI_TASKS_BACKEND": "database",
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[3] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    jingkai = [sys.executable, "-m", "jingkai"]
    subprocess.run([*jingkai, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*jingkai, "serve", "--port", str(port), "--workers", "1", "--threads", "2", "--no-collectstatic"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker_pid = None
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _, _ = get(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {server.stdout.read() if server.poll() else ''}")
                time.sleep(0.2)
        assert status == 200
        while time.monotonic() < deadline:
            workers = [pid for pid in children(server.pid) if " worker --parent-pid" in _cmdline(pid)]
            if workers:
                break
            time.sleep(0.2)
        assert len(workers) == 1, [_cmdline(pid) for pid in children(server.pid)]
        worker_pid = workers[0]
        # A job enqueued by another process (as a web server would) is run by that worker: the sweep, here.
        script = (
            "import django; django.setup();"
            "from django.db import transaction;"
            "from jingkai.core import jobs;"
            "print(jobs.enqueue(jobs.sweep_job, user=None, args={}).pk)"
        )
        out = subprocess.run(
            [sys.executable, "-c", script],
            env={**env, "DJANGO_SETTINGS_MODULE": "jingkai.settings"},
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        job_id = int(out.stdout.strip().splitlines()[-1])
        state = ""
        while time.monotonic() < deadline + 60:
            with sqlite3.connect(tmp_path / "serve.sqlite3", timeout=10) as db:
                state = db.execute("SELECT state FROM core_job WHERE id = ?", [job_id]).fetchone()[0]
            if state in ("done", "failed"):
                break
            time.sleep(0.5)
        assert state == "done"
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0
    if worker_pid is not None:
        deadline = time.monotonic() + 10
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker_pid)  # stopped with the server


@pytest.mark.django_db
def test_the_sweep_is_scheduled_once_per_interval(settings):
    settings.JINGKAI_SWEEP_EVERY_MINUTES = 60
    first = jobs.schedule_sweep()
    assert first is not None and first.kind == jobs.SWEEP_KIND and first.user is None
    assert jobs.schedule_sweep() is None  # another worker asks in the same hour: nothing
    Job.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(minutes=61))
    assert jobs.schedule_sweep() is not None
    settings.JINGKAI_SWEEP_EVERY_MINUTES = 0
    Job.objects.all().delete()
    assert jobs.schedule_sweep() is None  # cron runs it


@pytest.mark.django_db
def test_the_sweep_job_runs_jingkai_sweep():
    job = jobs.enqueue(jobs.sweep_job, user=None, args={})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert any(line.startswith("jobs:") for line in job.result["lines"]) or job.result["lines"] is not None


@pytest.mark.slow
def test_the_rq_backend_runs_a_job_through_redis(tmp_path):
    """JINGKAI_TASKS_BACKEND=rq: the job goes through Redis and `jingkai worker` (django-rq's worker) runs it."""
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("no Redis at 127.0.0.1:6379")
    env = {
        **os.environ,
        "JINGKAI_VAR_DIR": str(tmp_path),
        "JINGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/rq.sqlite3",
        "JINGKAI_TASKS_BACKEND": "rq",
        "JINGKAI_REDIS_URL": "redis://127.0.0.1:6379/13",
        "DJANGO_SETTINGS_MODULE": "jingkai.settings",
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[3] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    jingkai = [sys.executable, "-m", "jingkai"]
    subprocess.run([*jingkai, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    script = (
        "import django; django.setup();"
        "from jingkai.core import jobs;"
        "print(jobs.enqueue(jobs.sweep_job, user=None, args={}).pk)"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    job_id = int(out.stdout.strip().splitlines()[-1])
    subprocess.run([*jingkai, "worker", "--batch"], env=env, check=True, timeout=120, capture_output=True)
    with sqlite3.connect(tmp_path / "rq.sqlite3") as db:
        state, task_id = db.execute("SELECT state, task_id FROM core_job WHERE id = ?", [job_id]).fetchone()
    assert state == "done" and task_id  # the RQ job's id
