"""Several servers, one truth, for real (issue 13 §4): `jingkai serve` names static files by their hash and has
browsers keep them; two processes share the cache; a replica on a second SQLite file takes the dashboards' page
reads and nothing else."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from tests.core.test_serve import free_port, get

pytestmark = pytest.mark.slow

JINGKAI = [sys.executable, "-m", "jingkai"]
YEAR = 365 * 86400


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        JINGKAI_VAR_DIR=str(tmp_path),
        JINGKAI_DATABASE_URL=f"sqlite:///{tmp_path}/primary.sqlite3",
        **extra,
    )
    return env


def _shell(env: dict, code: str) -> str:
    done = subprocess.run(
        [*JINGKAI, "shell", "--no-imports", "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_served_pages_name_hashed_static_files_kept_for_a_year(tmp_path):
    env = _env(tmp_path)
    subprocess.run([*JINGKAI, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*JINGKAI, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        status, headers, body = get(port, "/login/", headers={"X-Request-ID": "lb-req-1"})
        assert status == 200 and headers["X-Request-ID"] == "lb-req-1"
        referenced = re.findall(r'(?:href|src)="/static/([^"]+)"', body.decode())
        assert referenced, "the login page links its style sheets and scripts"
        assert set(referenced) <= set(manifest.values()), referenced  # every one by its hashed name
        assert "css/jingkai.css" in manifest and manifest["css/jingkai.css"] in referenced
        for name in referenced:
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), name
            status, headers, _ = get(port, "/static/" + name, headers={"Accept-Encoding": "gzip"})
            cache_control = headers["Cache-Control"]
            assert status == 200 and "immutable" in cache_control and "public" in cache_control, cache_control
            assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= YEAR
            assert headers.get("Content-Encoding") == "gzip"  # the compressed copy of the hashed file
        # The unhashed name still answers, re-checked after a minute as before.
        status, headers, _ = get(port, "/static/css/jingkai.css")
        assert status == 200 and "immutable" not in headers["Cache-Control"]
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_two_processes_share_the_cache(tmp_path):
    env = _env(tmp_path)
    subprocess.run([*JINGKAI, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    _shell(env, "from django.core.cache import cache; cache.set('probe', '一号进程写的', 300)")
    out = _shell(env, "from django.core.cache import cache; print(cache.get('probe'))")
    assert out.strip() == "一号进程写的"


def test_a_replica_serves_the_dashboards_page_reads_only(tmp_path):
    replica_file = tmp_path / "replica.sqlite3"
    env = _env(tmp_path, JINGKAI_REPLICA_DATABASE_URL=f"sqlite:///{replica_file}")
    subprocess.run([*JINGKAI, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    # `migrate --database replica` creates no table there: the replica's schema comes with the copy.
    subprocess.run(
        [*JINGKAI, "migrate", "--database", "replica", "--verbosity", "0"], env=env, check=True, timeout=300
    )
    with sqlite3.connect(replica_file) as db:
        tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert tables <= {"django_migrations", "sqlite_sequence"}, tables
    replica_file.unlink()
    shutil.copy(tmp_path / "primary.sqlite3", replica_file)  # the replica: a copy of the primary
    out = _shell(
        env,
        """
        import json
        from django.db import transaction
        from django.http import HttpResponse
        from django.test import RequestFactory
        from jingkai.analytics.models import Refresh
        from jingkai.core.middleware import ReplicaReadsMiddleware
        from jingkai.core.models import Department

        Refresh.objects.create(periods=["2026-11"])  # written to the primary only
        Department.objects.create(code="scale", name="规模")

        def view(request):
            with transaction.atomic():
                in_transaction = Refresh.objects.count()
            counts = [Refresh.objects.count(), in_transaction, Department.objects.filter(code="scale").count()]
            return HttpResponse(json.dumps(counts))

        page = ReplicaReadsMiddleware(view)
        factory = RequestFactory()
        print(json.dumps({
            "get": json.loads(page(factory.get("/economy/")).content),
            "post": json.loads(page(factory.post("/economy/")).content),
            "command": Refresh.objects.count(),
            "replica": Refresh.objects.using("replica").count(),
        }))
        """,
    )
    counts = json.loads(out.strip().splitlines()[-1])
    assert counts == {
        "get": [0, 1, 1],  # a page read of analytics: the replica (which lacks the new row); in a transaction
        # and for other apps: the primary
        "post": [1, 1, 1],  # a form's POST reads the primary
        "command": 1,  # so does a command (or the sweep, or a job)
        "replica": 0,
    }
