"""`jingkai serve` for real (issue 12 §5): gunicorn sends no `Server` banner; pages are no-store with the CSP,
static files keep their cache headers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.core.test_serve import free_port, get

pytestmark = pytest.mark.slow


def test_served_responses_name_no_server(tmp_path):
    env = {
        **os.environ,
        "JINGKAI_VAR_DIR": str(tmp_path),
        "JINGKAI_DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    jingkai = [sys.executable, "-m", "jingkai"]
    subprocess.run([*jingkai, "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*jingkai, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("server did not start")
                time.sleep(0.2)
        for path in ("/login/", "/api/openapi.json", "/static/css/jingkai.css", "/nope/"):
            _, headers, _ = get(port, path)
            assert "server" not in {k.lower() for k in headers}, (path, headers)
        status, headers, _ = get(port, "/login/")
        assert status == 200 and headers["Cache-Control"] == "no-store" and headers["Pragma"] == "no-cache"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, headers, _ = get(port, "/static/css/jingkai.css")
        assert (
            status == 200
            and "max-age=" in headers["Cache-Control"]
            and "no-store" not in headers["Cache-Control"]
        )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
