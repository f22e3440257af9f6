"""Jobs per second through the database backend and through RQ, with 1, 2 and 4 workers (issue 13 §6).

    .venv/bin/python benchmarks/jobs.py [--jobs 300] [--workers 1,2,4] [--database sqlite|postgresql]

For each backend and worker count: a scratch database migrated once (SQLite file, or a PostgreSQL database made
for the run), N `core.ping` jobs (they do nothing: the figure is the queue's own cost — enqueue, hand-over, the
worker's claim and its writes of the Job row) enqueued before the workers start, then K `jingkai worker`
processes; the rate is N / (last job finished − first job started), read from the Job rows, so the workers'
start-up is not counted. It checks every job ran exactly once (done, one attempt). RQ uses Redis at
JINGKAI_BENCH_REDIS (default redis://127.0.0.1:6379/14, emptied first). Prints the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PG = os.environ.get("JINGKAI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("JINGKAI_BENCH_REDIS", "redis://127.0.0.1:6379/14")

ENQUEUE = """
import json, sys, time
import django
django.setup()
from django.db import connection
from jingkai.core import jobs
from jingkai.core.models import Job
Job.objects.all().delete()
n = int(sys.argv[1])
started = time.perf_counter()
for _ in range(n):
    jobs.enqueue(jobs.PING_KIND, user=None, args={})
print(json.dumps({"enqueue_s": time.perf_counter() - started}))
"""

MEASURE = """
import json
import django
django.setup()
from django.db.models import Max, Min
from jingkai.core.models import Job
done = Job.objects.filter(kind="core.ping")
span = done.aggregate(first=Min("started_at"), last=Max("finished_at"))
print(json.dumps({
    "total": done.count(),
    "done": done.filter(state="done").count(),
    "once": done.filter(state="done", attempts=1).count(),
    "seconds": (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else None,
}))
"""


def run(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True, **kwargs
    )


def one(backend: str, workers: int, jobs: int, database_url: str, var: Path) -> dict:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="jingkai.settings",
        JINGKAI_DATABASE_URL=database_url,
        JINGKAI_TASKS_BACKEND=backend,
        JINGKAI_REDIS_URL=REDIS,
        JINGKAI_VAR_DIR=str(var),
        JINGKAI_SWEEP_EVERY_MINUTES="0",
    )
    if backend == "rq":
        import redis

        redis.Redis.from_url(REDIS).flushdb()
    if backend == "database":
        run(
            env,
            "-c",
            "import django; django.setup(); from django_tasks_db.models import DBTaskResult as R; R.objects.all().delete()",
        )
    enqueued = json.loads(run(env, "-c", ENQUEUE, str(jobs)).stdout.strip().splitlines()[-1])
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "jingkai", "worker", "--no-sweep", "--worker-id", f"bench-{i}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for i in range(workers)
    ]
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            measured = json.loads(run(env, "-c", MEASURE).stdout.strip().splitlines()[-1])
            if measured["done"] >= jobs:
                break
            time.sleep(1)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    rate = jobs / measured["seconds"] if measured["seconds"] else None
    return {"backend": backend, "workers": workers, "jobs": jobs, **measured, **enqueued, "jobs_per_s": rate}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--backends", default="database,rq")
    options = parser.parse_args()
    counts = [int(n) for n in options.workers.split(",")]
    var = Path(tempfile.mkdtemp(prefix="jingkai-bench-jobs-"))
    name = f"jingkai_bench_jobs_{os.getpid()}"
    if options.database == "postgresql":
        import psycopg

        with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        database_url = f"{PG}/{name}"
    else:
        database_url = f"sqlite:///{var}/jobs.sqlite3"
    print(
        f"load before: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} cores; database {options.database}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGKAI_")}
    env.update(JINGKAI_DATABASE_URL=database_url, JINGKAI_VAR_DIR=str(var))
    subprocess.run([sys.executable, "-m", "jingkai", "migrate", "-v", "0"], env=env, check=True)
    results = []
    try:
        for backend in options.backends.split(","):
            for workers in counts:
                result = one(backend, workers, options.jobs, database_url, var)
                results.append(result)
                ok = result["once"] == options.jobs
                print(
                    f"{backend:9} {workers} worker(s): {result['jobs_per_s']:.1f} jobs/s "
                    f"({options.jobs} ping jobs in {result['seconds']:.2f} s; enqueue {result['enqueue_s']:.2f} s; "
                    f"ran exactly once: {'yes' if ok else 'NO, ' + str(result)}); load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
    finally:
        if options.database == "postgresql":
            import psycopg

            with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    OUT.mkdir(exist_ok=True)
    (OUT / f"jobs-{options.database}.json").write_text(json.dumps(results, indent=2))
    return 0 if all(r["once"] == options.jobs for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
