"""`jingkai serve` for real: gunicorn workers answer, whitenoise serves compressed static files."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_serve_answers_with_workers_and_static_files(tmp_path):
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
        # The background-job worker beside the server has its own test (tests/core/jobs/test_worker.py).
        [*jingkai, "serve", "--port", str(port), "--workers", "2", "--threads", "2", "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = get(port, "/healthz")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"server did not start: {server.stdout.read() if server.poll() is not None else ''}"
                    )
                time.sleep(0.2)
        assert status == 200
        # The master answers once one worker is up; the second may still be forking.
        while len(children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(children(server.pid)) == 2  # the gunicorn master forked two workers

        # collectstatic ran first, so whitenoise serves the pre-compressed copy from STATIC_ROOT.
        assert (tmp_path / "static" / "css" / "jingkai.css").exists()
        status, headers, body = get(port, "/static/css/jingkai.css", {"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers.get("Content-Encoding") == "gzip"
        status, _, _ = get(port, "/static/css/nope.css")
        assert status == 404
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0
