#!/usr/bin/env python3
"""Dashboard benchmark: p95 of the zone's economic-operation page under 20 concurrent users on the demo data.

    .venv/bin/python benchmarks/stats_dashboard.py [--reuse] [--users 20] [--requests 25] [--workers 2] [--think S]

What it does:
1. builds the plain demo (`jingkai demo --no-serve`) into var/bench-stats-demo.sqlite3, or into the database
   named by JINGKAI_DATABASE_URL when that is set; --reuse keeps an existing one;
2. starts `jingkai serve` (gunicorn) on a free port of 127.0.0.1;
3. signs in N users (threads, each its own session as a browser tab would) as zone_admin and has each request
   /economy/ --requests times at once, varying the month and the measure; back to back by default (the worst
   case: every user clicks again the moment a page arrives), or with --think S seconds (randomised ±50%)
   between a user's requests, as people reading a dashboard do;
4. prints p50/p95/max of all requests against the target "p95 < 100 ms" (the pages' target of ADR 0005),
   the throughput, and writes benchmarks/out/stats_dashboard-<time>.json.

The server, the HTTP client with a session and the percentiles are those of benchmarks/pages.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (benchmarks/pages.py: the server, the browser, the percentiles)

ROOT = pages.ROOT
OUT = pages.OUT
TARGET_P95_MS = 100.0
MEASURES = ["output", "output", "output", "revenue", "profit", "tax", "rd", "export"]


def dashboard_urls(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    months = [dt.date(2022, m, 1) for m in range(1, 13)] + [dt.date(2023, m, 1) for m in range(1, 7)]
    return [
        "/economy/?"
        + urllib.parse.urlencode({"period": f"{rng.choice(months):%Y-%m}", "measure": rng.choice(MEASURES)})
        for _ in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent signed-in users")
    parser.add_argument("--requests", type=int, default=25, help="requests per user")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="reuse a demo database built by an earlier run")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between a user's requests (default 0)"
    )
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.setdefault("JINGKAI_DEBUG", "false")
    env["JINGKAI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    path = None if os.environ.get("JINGKAI_DATABASE_URL") else ROOT / "var" / "bench-stats-demo.sqlite3"
    url = os.environ.get("JINGKAI_DATABASE_URL") or pages.sqlite_url(path)
    build_seconds = pages.build(url, path, None, args.reuse, env)

    server, port = pages.start_server(url, args.workers, env)
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    try:
        browsers = []
        for _ in range(args.users):
            browser = pages.Browser(port)
            browser.login()
            browser.time_get("/economy/")  # warm the worker and the connection
            browsers.append(browser)
        start = threading.Barrier(args.users)

        def user(index: int, browser: pages.Browser) -> None:
            urls = dashboard_urls(args.requests, seed=index)
            pause = random.Random(index)
            start.wait()
            for path_ in urls:
                if args.think:
                    time.sleep(args.think * pause.uniform(0.5, 1.5))
                try:
                    ms = browser.time_get(path_)
                except SystemExit as exc:  # a non-200 answer
                    with lock:
                        errors.append(str(exc))
                    continue
                with lock:
                    samples.append(ms)

        threads = [threading.Thread(target=user, args=(i, b)) for i, b in enumerate(browsers)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        pages.stop_server(server)

    if not samples:
        raise SystemExit(f"no successful request: {errors[:3]}")
    result = pages.percentiles(samples)
    report = {
        "database": url.split("@")[-1],
        "users": args.users,
        "requests_per_user": args.requests,
        "workers": args.workers,
        "build_seconds": build_seconds,
        "dashboard": result,
        "errors": len(errors),
        "throughput_rps": round(len(samples) / wall, 1),
        "think_seconds": args.think,
        "target_p95_ms": TARGET_P95_MS,
    }
    print()
    print(f"Jingkai dashboard benchmark: /economy/ on the demo data ({report['database']})")
    print(f"{args.users} concurrent users × {args.requests} requests, {args.workers} gunicorn workers, "
          f"think time {args.think} s")  # fmt: skip
    if not args.think:
        # Little's law: N users back to back on a server doing X requests/s wait N / X seconds on average.
        print(f"back to back, the mean wait is about users / throughput = "
              f"{1000 * args.users / max(len(samples) / wall, 0.001):.0f} ms of queueing")  # fmt: skip
    print(f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms; "
          f"{report['throughput_rps']} requests/s; errors {len(errors)}")  # fmt: skip
    met = result["p95_ms"] < TARGET_P95_MS and not errors
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'MISSED'}")
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"stats_dashboard-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
