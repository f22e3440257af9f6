"""Several servers, one truth (issue 13 §4; docs/operations.md, Province deployment).

Two `jingkai serve` processes and two `jingkai worker` processes on loopback, against one PostgreSQL database and
Redis (the RQ task backend and the shared cache), all started from a freshly loaded demo zone. A bounded load then
signs in on one server, starts exports (jobs) on both, follows them and downloads their files through the other
server, imports a workbook (upload on one server, its preview and commit through the other), browses both, and
checks:

- every job ran exactly once (state done, one attempt, one worker claimed it) and the queue is empty;
- a file a job wrote on one machine's worker is downloaded through either server, and holds the rows the list has;
- both servers answer the same for the same request (the API's JSON identical; pages the same once the CSRF
  token and the CSP nonce, which differ per response, are blanked);
- nothing failed (no 5xx in either server's log).

Usage (CI runs it after the PostgreSQL pass):  .venv/bin/python scripts/topology.py [--exports 6] [--pages 3]
It needs PostgreSQL at JINGKAI_TOPOLOGY_PG (default postgres://postgres@127.0.0.1:5432) and Redis at
JINGKAI_TOPOLOGY_REDIS (default redis://127.0.0.1:6379/13, a database number it empties first). Exit 0 when every
check holds; it prints each check and the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "jingkai-demo"
CHECKS: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    CHECKS.append((name, ok, detail))
    print(f"  {'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail else ''}", flush=True)
    return ok


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/healthz", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit(f"topology: {url} did not answer within {seconds:.0f} s")


def sign_in(base: str) -> requests.Session:
    """zone_admin through the login form and the demo's second factor, as a person would."""
    from jingkai.accounts.demo import demo_code

    session = requests.Session()
    session.get(base + "/login/", timeout=30)
    answer = session.post(
        base + "/login/",
        data={
            "username": "zone_admin",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": base + "/login/"},
        timeout=30,
    )
    if "/account/otp/" in answer.url:
        answer = session.post(
            answer.url,
            data={"token": demo_code(), "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": answer.url},
            timeout=30,
        )
    if answer.status_code != 200 or "/login/" in answer.url or "/account/" in answer.url:
        raise SystemExit(f"topology: could not sign in at {base} ({answer.status_code} {answer.url})")
    return session


VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r'"csrfToken": "[^"]+"'), '"csrfToken": ""'),
    (re.compile(r"hx-headers=\'[^\']*\'"), "hx-headers=''"),
]


def normalised(html: str) -> str:
    for pattern, replacement in VOLATILE:
        html = pattern.sub(replacement, html)
    return html


def xlsx_rows(content: bytes) -> int:
    """Data rows of the first sheet (streamed workbooks use inline strings: count <row> elements)."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        sheet = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))[0]
        return book.read(sheet).count(b"<row ") - 1  # less the header row


def workbook(name: str) -> bytes:
    """One new enterprise, as an office's 企业名录 sheet (a valid credit code of this run)."""
    import xlsxwriter

    from jingkai.core import uscc

    body = f"{os.getpid() % 100_000_000:08d}"
    for attempt in range(100):
        try:
            code = uscc.make_code("91", "330482", f"{(int(body) + attempt) % 100_000_000:08d}")
            break
        except ValueError:
            continue
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("企业名录")
    for column, (header, value) in enumerate({"统一社会信用代码*": code, "企业名称*": name}.items()):
        sheet.write_string(0, column, header)
        sheet.write_string(1, column, value)
    book.close()
    return buffer.getvalue()


def follow(session: requests.Session, base: str, job_url: str, seconds: float = 120) -> dict:
    """A job's state through the API until it is done or failed."""
    job = int(re.search(r"/jobs/(\d+)/", job_url).group(1))
    deadline = time.monotonic() + seconds
    state = {}
    while time.monotonic() < deadline:
        state = session.get(base + f"/api/jobs/{job}", timeout=30).json()
        if state.get("state") in ("done", "failed"):
            break
        time.sleep(0.5)
    return {"id": job, **state}


def import_through(sessions, bases, api, seen: list) -> bool:
    """Upload on server 1, the check through server 2, the commit posted to server 1, the result read from both."""
    name = f"拓扑测试{os.getpid()}号有限公司"
    one, other = sessions
    page = one.get(bases[0] + "/enterprises/import/", timeout=30)
    uploaded = one.post(
        bases[0] + "/enterprises/import/",
        data={"csrfmiddlewaretoken": one.cookies["csrftoken"]},
        files={
            "file": (
                "名录.xlsx",
                workbook(name),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=60,
    )
    if not check("upload answered with its preview", uploaded.status_code == 302, str(uploaded.status_code)):
        return False
    preview = bases[1] + uploaded.headers["Location"]
    waiting = other.get(preview, allow_redirects=False, timeout=60)
    if not check(
        "the check became a job", "/jobs/" in waiting.headers.get("Location", ""), str(waiting.status_code)
    ):
        return False
    checked = follow(other, bases[1], waiting.headers["Location"])
    seen.append(checked["id"])
    check("the check ran on a worker", checked.get("state") == "done", str(checked))
    shown = other.get(preview, timeout=60)
    check("the preview, read through the other server, lists the new row", name in shown.text)
    posted = one.post(
        bases[0] + uploaded.headers["Location"],
        data={"csrfmiddlewaretoken": one.cookies["csrftoken"]},
        headers={"Referer": bases[0] + uploaded.headers["Location"]},
        allow_redirects=False,
        timeout=60,
    )
    if not check(
        "the commit became a job", "/jobs/" in posted.headers.get("Location", ""), str(posted.status_code)
    ):
        return False
    committed = follow(one, bases[0], posted.headers["Location"])
    seen.append(committed["id"])
    check("the commit ran on a worker", committed.get("state") == "done", str(committed))
    found = [
        requests.get(base + "/api/enterprises", params={"q": name}, headers=api, timeout=30).json()["count"]
        for base in bases
    ]
    return found == [1, 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=int, default=6, help="export jobs to start (half on each server)")
    parser.add_argument("--pages", type=int, default=3, help="rounds of browsing both servers")
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder afterwards")
    options = parser.parse_args()

    pg = os.environ.get("JINGKAI_TOPOLOGY_PG", "postgres://postgres@127.0.0.1:5432")
    redis_url = os.environ.get("JINGKAI_TOPOLOGY_REDIS", "redis://127.0.0.1:6379/13")
    name = f"jingkai_topology_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="jingkai-topology-"))
    admin = urlparse(pg)
    connect = {"host": admin.hostname, "port": admin.port or 5432, "user": admin.username or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(redis_url).flushdb()

    env = {
        k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        JINGKAI_DATABASE_URL=f"{pg.rstrip('/')}/{name}",
        JINGKAI_TASKS_BACKEND="rq",
        JINGKAI_CACHE="redis",
        JINGKAI_REDIS_URL=redis_url,
        JINGKAI_VAR_DIR=str(work / "var"),  # shared by all four: the generated keys, like a shared volume
        JINGKAI_MEDIA_ROOT=str(work / "media"),
        JINGKAI_SECRET_KEY=secrets.token_urlsafe(48),
        JINGKAI_EXPORT_JOB_ROWS="5",  # every list export of the demo becomes a job
        PYTHONUNBUFFERED="1",
    )
    processes: list[subprocess.Popen] = []
    logs: dict[str, Path] = {}

    def start(label: str, *args: str) -> None:
        logs[label] = work / f"{label}.log"
        handle = logs[label].open("w")
        processes.append(
            subprocess.Popen(
                [PYTHON, "-m", "jingkai", *args], env=env, stdout=handle, stderr=subprocess.STDOUT, cwd=work
            )
        )

    started = time.monotonic()
    try:
        print(f"topology: loading the demo zone into {name} …", flush=True)
        built = subprocess.run(
            [PYTHON, "-m", "jingkai", "demo", "--no-serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if built.returncode:
            print(built.stdout[-2000:], built.stderr[-4000:])
            return 1
        loaded = time.monotonic()
        # Each machine collects its static files at deployment; here the four share one folder, so once.
        subprocess.run(
            [PYTHON, "-m", "jingkai", "collectstatic", "--noinput", "-v", "0"], env=env, check=True
        )
        ports = [free_port(), free_port()]
        for index, port in enumerate(ports):
            start(
                f"server{index + 1}",
                "serve",
                "--port",
                str(port),
                "--workers",
                "1",
                "--no-worker",
                "--no-collectstatic",
            )
        for index in range(2):
            start(f"worker{index + 1}", "worker", "--worker-id", f"topology-{index + 1}")
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_for(base)
        print(
            f"topology: demo {loaded - started:.0f} s; 2 servers {', '.join(bases)}, 2 workers (RQ)",
            flush=True,
        )

        one = sign_in(bases[0])
        other = requests.Session()
        other.cookies.update(one.cookies)  # the session lives in the database: the other server knows it
        sessions = [one, other]
        token = subprocess.run(
            [PYTHON, "-m", "jingkai", "token", "zone_admin", "--name", "topology", "--days", "1"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        api = {"Authorization": f"Bearer {token}"}

        print("topology: exports as jobs on both servers", flush=True)
        filters = ["", "?scale=above", "?scale=below", "?q=科技", "?q=机械", "?scale=above&q=有限"]
        jobs = []
        for number in range(options.exports):
            query = filters[number % len(filters)]
            answer = sessions[number % 2].get(
                bases[number % 2] + "/enterprises/export.xlsx" + query, timeout=60
            )
            match = re.search(r"/jobs/(\d+)/", answer.url)
            if not check(f"export {number + 1} ({query or 'all'}) became a job", bool(match), answer.url):
                continue
            jobs.append((int(match.group(1)), query, number % 2))
        deadline = time.monotonic() + 300
        states = {}
        while time.monotonic() < deadline:
            states = {
                job: requests.get(bases[(side + 1) % 2] + f"/api/jobs/{job}", headers=api, timeout=30).json()
                for job, _query, side in jobs
            }
            if all(s["state"] in ("done", "failed") for s in states.values()):
                break
            time.sleep(1)
        check(
            "every export job finished",
            all(s.get("state") == "done" for s in states.values()),
            str({j: s.get("state") for j, s in states.items()}),
        )
        for job, query, side in jobs:
            through = (side + 1) % 2  # the server that did not start it
            download = sessions[through].get(bases[through] + f"/jobs/{job}/download", timeout=60)
            listed = requests.get(
                bases[side] + "/api/enterprises" + (query + "&" if query else "?") + "limit=1",
                headers=api,
                timeout=30,
            ).json()["count"]
            ok = download.status_code == 200 and download.content[:2] == b"PK"
            rows = xlsx_rows(download.content) if ok else -1
            check(f"job {job}'s file through the other server holds the list's rows", ok and rows == listed,
                  f"{rows} rows, list {listed}")  # fmt: skip

        print(
            "topology: an import through both servers (upload on one, check and commit through the other)",
            flush=True,
        )
        imported = import_through(sessions, bases, api, jobs_seen := [])
        jobs += [(job, None, None) for job in jobs_seen]
        check("the imported enterprise is listed by both servers", imported, "")

        print("topology: both servers answer the same", flush=True)
        api_paths = [
            "/api/enterprises?limit=500",
            "/api/grids",
            "/api/enterprises?scale=above&limit=100",
            "/api/jobs",
        ]
        pages = ["/", "/enterprises/", "/enterprises/?scale=above", "/grids/", "/jobs/"]
        for round_ in range(options.pages):
            for path in api_paths:
                a, b = (requests.get(base + path, headers=api, timeout=60) for base in bases)
                check(
                    f"round {round_ + 1}: {path} identical",
                    a.status_code == b.status_code == 200 and a.json() == b.json(),
                )
            for path in pages:
                a, b = (
                    session.get(base + path, timeout=60)
                    for session, base in zip(sessions, bases, strict=True)
                )
                same = a.status_code == b.status_code == 200 and normalised(a.text) == normalised(b.text)
                check(f"round {round_ + 1}: page {path} identical", same, f"{a.status_code}/{b.status_code}")

        print("topology: every job ran exactly once", flush=True)
        with psycopg.connect(dbname=name, **connect) as conn:
            rows = conn.execute("select id, state, attempts from core_job order by id").fetchall()
        exported = {job for job, _q, _s in jobs}
        mine = [r for r in rows if r[0] in exported]
        check(
            "export and import jobs recorded", len(mine) == len(exported), f"{len(mine)} of {len(exported)}"
        )
        check("each ran once (one attempt, done)", all(r[1] == "done" and r[2] == 1 for r in mine), str(mine))
        check(
            "no other job failed",
            all(r[1] != "failed" for r in rows),
            str([r for r in rows if r[1] == "failed"]),
        )
        queued = sum(
            redis.Redis.from_url(redis_url).llen(key)
            for key in redis.Redis.from_url(redis_url).keys("rq:queue:*")
        )
        check("the queue is empty", queued == 0, f"{queued} waiting")
        ran = {
            label: len(
                re.findall(r"Successfully completed jingkai\.", logs[label].read_text(errors="replace"))
            )
            for label in ("worker1", "worker2")
        }
        print(f"  jobs completed per worker (RQ's log, the sweep included): {ran}", flush=True)
        errors = {
            label: len(
                re.findall(
                    r'" 5\d\d |Internal Server Error|Traceback', logs[label].read_text(errors="replace")
                )
            )
            for label in logs
        }
        check("no server or worker error in the logs", not any(errors.values()), str(errors))
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if not options.keep:
            with psycopg.connect(dbname="postgres", autocommit=True, **connect) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    failed = [c for c in CHECKS if not c[1]]
    print(
        json.dumps(
            {
                "checks": len(CHECKS),
                "failed": len(failed),
                "jobs": len(jobs),
                "seconds": round(time.monotonic() - started),
            },
            ensure_ascii=False,
        )
    )
    if failed or options.keep:
        print(f"topology: logs under {work}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
