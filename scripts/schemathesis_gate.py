#!/usr/bin/env python3
"""The schemathesis gate (docs/security.md §8): fuzz the served demo's API as two roles; any failure fails CI.

    .venv/bin/python scripts/schemathesis_gate.py [--examples N] [--seed N] [--port N] [--keep]

1. loads the demo into a temporary SQLite file (`jingkai demo --db PATH --no-serve --fresh`);
2. issues an API token for each role (`jingkai token zone_admin`, `jingkai token grid_officer`);
3. serves it (`jingkai serve --port N`, JINGKAI_DATABASE_URL=sqlite:////PATH);
4. runs `schemathesis run` against /api/openapi.json once per role, with a fixed seed and a bounded number of
   examples per operation, checking that no answer is a server error (5xx), that every status code is one the
   operation documents and that every answer matches its documented schema;
5. prints, per role and in total, the operations tested, the cases sent and the failures, and exits 1 on any
   failure (or if schemathesis tested nothing).

The run is deterministic for a given seed and demo; a failure names the operation and the curl line that
reproduces it (schemathesis prints them), against a server you can keep with --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ROLES = ("zone_admin", "grid_officer")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# Hypothesis' health checks about slow or filtered generation are about the generator, not the API.
SUPPRESS = "too_slow,filter_too_much,data_too_large,large_base_example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    # This checkout's code, whatever the virtualenv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["JINGKAI_DATABASE_URL"] = f"sqlite:///{db}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def jingkai(*args: str, env: dict, capture: bool = False) -> str:
    result = subprocess.run(
        [str(BIN / "jingkai"), *args],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stdin=subprocess.DEVNULL,
    )
    return (result.stdout or "").strip()


def wait_for(url: str, token: str, seconds: float = 60.0) -> None:
    """The schema answers once the server is up (with a token: the API's schema is for signed-in callers)."""
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (our own server)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"schemathesis gate: the server did not answer {url} within {seconds:.0f} s")


def run_schemathesis(base: str, token: str, role: str, args, report_dir: Path) -> dict:
    report = report_dir / f"{role}.json"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/openapi.json",
        "--url",
        base,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        str(args.seed),
        "--max-examples",
        str(args.examples),
        "--phases",
        args.phases,
        "--workers",
        str(args.workers),
        "--generation-database",
        "none",
        "--suppress-health-check",
        SUPPRESS,
        "--request-timeout",
        "30",
        "--no-color",
        "--continue-on-failure",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    print(f"\n---- schemathesis as {role} (seed {args.seed}, at most {args.examples} examples per operation)")
    sys.stdout.flush()
    status = subprocess.run(command, cwd=report_dir, stdin=subprocess.DEVNULL).returncode
    return {"role": role, "status": status, **summarise(report)}


def summarise(report: Path) -> dict:
    """Operations, cases and failures from schemathesis' JSON run report (keys looked up defensively)."""
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        return {"operations": None, "cases": None, "failures": None}
    operations = cases = failures = None
    summary = data.get("summary") or data.get("results") or data
    for key in ("operations", "total_operations"):
        value = _find(summary, key)
        if value is not None:
            operations = value.get("tested", value.get("total")) if isinstance(value, dict) else value
            break
    for key in ("test_cases", "cases", "total_cases"):
        value = _find(summary, key)
        if value is not None:
            cases = value.get("total", value.get("generated")) if isinstance(value, dict) else value
            break
    value = _find(summary, "failures")
    if isinstance(value, dict):
        failures = value.get("total", value.get("unique"))
    elif isinstance(value, list):
        failures = len(value)
    elif isinstance(value, int):
        failures = value
    return {"operations": operations, "cases": cases, "failures": failures}


def _find(data, key):
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = _find(value, key)
            if found is not None:
                return found
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("SCHEMATHESIS_EXAMPLES", 15)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SCHEMATHESIS_SEED", 20260312)))
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--phases", default="examples,coverage,fuzzing")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--keep", action="store_true", help="keep the database and the server's log")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jingkai-schemathesis-"))
    db = work / "demo.sqlite3"
    env = environment(db)
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    started = time.monotonic()
    try:
        print(f"schemathesis gate: loading the demo into {db}")
        sys.stdout.flush()
        jingkai("demo", "--db", str(db), "--no-serve", "--fresh", "-v", "0", env=env)
        tokens = {role: jingkai("token", role, "--name", "schemathesis", env=env, capture=True) for role in
                  args.roles.split(",")}  # fmt: skip
        log = (work / "server.log").open("w")
        server = subprocess.Popen(
            # No worker: nothing changes the data behind the fuzzing but the requests themselves.
            [
                str(BIN / "jingkai"),
                "serve",
                "--port",
                str(port),
                "--workers",
                "2",
                "--no-collectstatic",
                "--no-worker",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(f"{base}/api/openapi.json", next(iter(tokens.values())))
        results = [run_schemathesis(base, token, role, args, work) for role, token in tokens.items()]
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if args.keep:
            print(f"schemathesis gate: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\n==== schemathesis gate ====")
    print(f"{'role':<14}{'operations':>12}{'cases':>10}{'failures':>10}{'exit':>6}")
    failed = False
    totals = {"operations": 0, "cases": 0, "failures": 0}
    for result in results:
        print(
            f"{result['role']:<14}{_show(result['operations']):>12}{_show(result['cases']):>10}"
            f"{_show(result['failures']):>10}{result['status']:>6}"
        )
        for key in totals:
            totals[key] += result[key] or 0
        failed |= result["status"] != 0 or bool(result["failures"]) or not result["operations"]
    print(f"{'total':<14}{totals['operations']:>12}{totals['cases']:>10}{totals['failures']:>10}")
    print(f"time: {time.monotonic() - started:.0f} s")
    if failed:
        print("schemathesis gate: FAILED (see the failures above)")
        return 1
    print("schemathesis gate: passed (0 failures)")
    return 0


def _show(value) -> str:
    return "?" if value is None else str(value)


if __name__ == "__main__":
    sys.exit(main())
