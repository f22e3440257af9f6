#!/usr/bin/env python3
"""Page benchmark: the enterprise list, profile and name search pages on a 100,000-enterprise zone.

    .venv/bin/python benchmarks/pages.py [--database sqlite|postgresql|URL] [--reuse] [--scale 100000]
                                         [--requests 200] [--searches 100] [--workers 2]
    make bench                              (the same, with BENCH_ARGS passed through)

What it does:
1. builds the scaled database with `jingkai demo --no-serve --scale N` into var/bench.sqlite3, or into the
   database named by JINGKAI_DATABASE_URL when that is set (PostgreSQL, say); --reuse keeps an existing one;
   and a plain demo (var/bench-demo.sqlite3) to compare query counts against;
2. counts the SQL queries of each page in-process (Django's test Client and CaptureQueriesContext) on the plain
   demo and on the scaled database: the count must not grow with the data;
3. starts `jingkai serve` on a free port, signs in as zone_admin over HTTP (session cookie and CSRF token as a
   browser would), and times N requests each of (a) the enterprise list, filtered, sorted and paginated with
   varying filters, and (b) the profile pages of N different enterprises, one client at a time;
   and (c) name searches of two and of four Chinese characters (issue 13 §5: served by the name bigrams);
4. starts a second server with JINGKAI_NAME_SEARCH=like (the plain LIKE of every name, as before the bigram
   index) and times the same searches: before and after in one run;
5. prints p50/p95 against the target "p95 ≤ 50 ms", the machine's load (`uptime`) before and after, and the
   peak memory (VmHWM) of the gunicorn master and workers, and writes everything to
   benchmarks/out/pages-<time>.json.

Requests go only to 127.0.0.1, are bounded in number, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
TARGET_P95_MS = 50.0  # issue 13 §5: list, profile and name search at 100,000 enterprises, on a quiet machine
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/jingkai_bench"
# Name searches: two Chinese characters (no trigram exists for them) and four; found in the demo's scale names.
SEARCH_TERMS = {"2": ["科技", "精密", "电子", "机床"], "4": ["精密机械", "汽车部件", "数控机床", "生物科技"]}
USERNAME, PASSWORD = "zone_admin", "jingkai-demo"
SORTS = ["name", "-name", "founded_on", "-founded_on", "employees", "-employees", "uscc", "-updated_at"]
SEED = 20230701


# --- building the databases ---------------------------------------------------------------------------


def jingkai(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jingkai", *args], env=env, cwd=ROOT, **kwargs)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build(url: str, sqlite_path: Path | None, scale: int | None, reuse: bool, env: dict) -> float | None:
    """Build a demo database; returns the seconds it took, or None when an existing one was reused."""
    if reuse and (sqlite_path is None or sqlite_path.exists()):
        print(f"reusing {url}")
        return None
    args = ["demo", "--no-serve"]
    if scale:
        args += ["--scale", str(scale)]
    if sqlite_path is not None:
        remove_sqlite(sqlite_path)
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        args += ["--db", str(sqlite_path)]
    print(f"building {url} ({' '.join(args)}) …", flush=True)
    started = time.perf_counter()
    jingkai(*args, env={**env, "JINGKAI_DATABASE_URL": url}, check=True)
    seconds = time.perf_counter() - started
    print(f"  built in {seconds:.0f} s")
    return seconds


# --- in-process query counts (run as a child process per database) ------------------------------------


def count_queries(samples: int) -> dict:
    """Queries per page on the database in JINGKAI_DATABASE_URL; also the ids and years the timing uses."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jingkai.core.models import User
    from jingkai.enterprises.models import AnnualScale, Enterprise

    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    years = sorted(set(AnnualScale.objects.values_list("year", flat=True).distinct()))
    year = years[-1] if years else 2022
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(SEED)
    sample = rng.sample(ids, min(samples, len(ids)))

    def queries(url: str) -> int:
        client.get(url)  # warm caches (content types, sessions) so that only the page's own queries count
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return len(captured)

    list_urls = [
        "/enterprises/",
        f"/enterprises/?scale=above&year={year}&sort=-employees&page=3",
        f"/enterprises/?scale=below&year={year}&sort=name&page=2",
        "/enterprises/?" + urllib.parse.urlencode({"q": SEARCH_TERMS["2"][0]}),
        "/enterprises/?" + urllib.parse.urlencode({"q": SEARCH_TERMS["4"][0]}),
    ]
    from jingkai.enterprises.models import EnterpriseNameGram

    matches = {
        term: Enterprise.objects.filter(name__contains=term).count()
        for terms in SEARCH_TERMS.values()
        for term in terms
    }
    jinshang = (
        Enterprise.objects.filter(name="津上精密机床（浙江）有限公司").values_list("pk", flat=True).first()
    )
    detail_ids = ([jinshang] if jinshang else []) + sample[:4]
    return {
        "enterprises": len(ids),
        "name_bigrams": EnterpriseNameGram.objects.count(),
        "names_matching": matches,
        "years": years,
        "ids": sample,
        "list": {url: queries(url) for url in list_urls},
        "detail": {f"/enterprises/{pk}/": queries(f"/enterprises/{pk}/") for pk in detail_ids},
    }


def measure_queries(url: str, samples: int, env: dict) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "_queries", "--samples", str(samples)],
        env={**env, "JINGKAI_DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- the server and an HTTP client with a session -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """One keep-alive connection that keeps cookies, as a signed-in browser tab would."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                # The server may close an idle keep-alive connection; reconnect once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, response, data

    def login(self) -> None:
        status, _, page = self.request("GET", "/login/")
        if status != 200:
            raise SystemExit(f"GET /login/ answered {status}")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise SystemExit("no CSRF token on the login page")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1).decode(), "username": USERNAME, "password": PASSWORD}
        )
        status, response, _ = self.request(
            "POST",
            "/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                # Django checks the Referer only over HTTPS, but a browser sends it anyway.
                "Referer": f"http://127.0.0.1:{self.port}/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {USERNAME} failed (status {status}); is the demo database built?")

    def time_get(self, path: str) -> float:
        started = time.perf_counter()
        status, _, _ = self.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}")
        return elapsed


def start_server(url: str, workers: int, env: dict, **extra: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jingkai", "serve", "--port", str(port), "--workers", str(workers)],
        env={**env, "JINGKAI_DATABASE_URL": url, **extra},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"jingkai serve exited: {server.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("jingkai serve did not start within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


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


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- the timed runs -----------------------------------------------------------------------------------


def list_urls(count: int, years: list[int]) -> list[str]:
    """Filtered, sorted, paginated list pages; the mix varies scale, year, sort, page and a name search."""
    rng = random.Random(SEED)
    years = years[-3:] or [2022]
    urls = []
    for i in range(count):
        params = {
            "scale": rng.choice(["above", "below", ""]),
            "year": rng.choice(years),
            "sort": rng.choice(SORTS),
        }
        params["page"] = rng.randint(1, 10)
        if i % 8 == 0:
            params["q"] = rng.choice(["精密", "科技", "电子", "机械"])
        urls.append("/enterprises/?" + urllib.parse.urlencode({k: v for k, v in params.items() if v != ""}))
    return urls


def search_urls(count: int, length: str) -> list[str]:
    """Name searches as typed into the list's search box: the first page, the default (pinyin) order."""
    rng = random.Random(f"{SEED}-{length}")
    return [
        "/enterprises/?" + urllib.parse.urlencode({"q": rng.choice(SEARCH_TERMS[length])})
        for _ in range(count)
    ]


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(pct(95), 1),
        "max_ms": round(ordered[-1], 1),
        "mean_ms": round(statistics.fmean(ordered), 1),
    }


def timed(browser: Browser, paths: list[str], warmup: int = 10) -> tuple[dict, list[tuple[float, str]]]:
    for path in paths[:warmup]:
        browser.time_get(path)
    results = [(browser.time_get(path), path) for path in paths]
    return percentiles([ms for ms, _ in results]), sorted(results, reverse=True)[:5]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="enterprises in the scaled database")
    parser.add_argument(
        "--database",
        default=None,
        help="sqlite (default: --db), postgresql (" + PG_DEFAULT + ") or a database URL; "
        "JINGKAI_DATABASE_URL is used when this is not given",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    parser.add_argument(
        "--searches", type=int, default=100, help="timed name searches per term length and way"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--db", default="var/bench.sqlite3", help="SQLite file when JINGKAI_DATABASE_URL is unset"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse databases built by an earlier run")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.setdefault("JINGKAI_DEBUG", "false")
    # The demo's administrators have a second factor; the benchmark signs in with the password only.
    env.setdefault("JINGKAI_OTP_REQUIRED", "false")
    # The server is reached as 127.0.0.1 and the in-process client as "testserver".
    env["JINGKAI_ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    chosen = args.database or os.environ.get("JINGKAI_DATABASE_URL") or "sqlite"
    if chosen in ("postgresql", "postgres", "pg"):
        chosen = PG_DEFAULT
    scaled_path = ROOT / args.db if chosen == "sqlite" else None
    scaled_url = sqlite_url(scaled_path) if scaled_path is not None else chosen
    env.pop("JINGKAI_DATABASE_URL", None)
    env.pop("JINGKAI_NAME_SEARCH", None)
    demo_path = ROOT / "var" / "bench-demo.sqlite3"
    demo_url = sqlite_url(demo_path)

    report: dict = {
        "scale": args.scale,
        "database": scaled_url.split("@")[-1],
        "target_p95_ms": TARGET_P95_MS,
        "load_before": uptime(),
    }
    report["build_seconds"] = {
        "demo": build(demo_url, demo_path, None, args.reuse, env),
        "scaled": build(scaled_url, scaled_path, args.scale, args.reuse, env),
    }
    if args.reuse:  # a database built by older code gets the migrations it lacks (the name bigrams, say)
        for url in (demo_url, scaled_url):
            jingkai("migrate", "--no-input", env={**env, "JINGKAI_DATABASE_URL": url}, check=True)

    print("counting queries per page (in-process, Django test Client) …", flush=True)
    plain = measure_queries(demo_url, 5, env)
    scaled = measure_queries(scaled_url, args.requests, env)
    report["queries"] = {"demo": plain, "scaled": {k: v for k, v in scaled.items() if k != "ids"}}
    report["queries"]["demo"].pop("ids")

    print(f"serving {scaled['enterprises']} enterprises with {args.workers} workers …", flush=True)
    server, port = start_server(scaled_url, args.workers, env)
    try:
        browser = Browser(port)
        browser.login()
        report["list"], slow_list = timed(browser, list_urls(args.requests, scaled["years"]))
        detail_paths = [f"/enterprises/{pk}/" for pk in scaled["ids"]]
        report["detail"], slow_detail = timed(browser, detail_paths)
        searches = {length: search_urls(args.searches, length) for length in SEARCH_TERMS}
        for length, paths in searches.items():
            report[f"search{length}"], _slow = timed(browser, paths)
        pids = [server.pid, *children(server.pid)]
        report["memory_mib"] = {str(pid): round(vm_hwm_mib(pid), 1) for pid in pids}
    finally:
        stop_server(server)

    print("the same searches with the plain LIKE of every name (JINGKAI_NAME_SEARCH=like) …", flush=True)
    plain_server, plain_port = start_server(scaled_url, args.workers, env, JINGKAI_NAME_SEARCH="like")
    try:
        browser = Browser(plain_port)
        browser.login()
        for length, paths in searches.items():
            report[f"search{length}_like"], _slow = timed(browser, paths)
    finally:
        stop_server(plain_server)
    report["load_after"] = uptime()

    # --- the report ---
    print()
    print(f"Jingkai page benchmark: {scaled['enterprises']:,} enterprises, {report['database']}")
    print(f"load before: {report['load_before']}")
    print(f"load after:  {report['load_after']}")
    print(
        f"name bigrams: {scaled['name_bigrams']:,} rows; names containing each term: "
        + ", ".join(f"{term} {count:,}" for term, count in scaled["names_matching"].items())
    )
    print(
        f"{'page':<40}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  target p95 ≤ {TARGET_P95_MS:.0f} ms"
    )
    rows = [
        ("list", "(a) list: filter+sort+page"),
        ("detail", "(b) enterprise profile"),
        ("search2", "(c) name search, 2 characters"),
        ("search4", "(d) name search, 4 characters"),
        ("search2_like", "    before: plain LIKE, 2 characters"),
        ("search4_like", "    before: plain LIKE, 4 characters"),
    ]
    for key, label in rows:
        row = report[key]
        verdict = "met" if row["p95_ms"] <= TARGET_P95_MS else "MISSED"
        if key.endswith("_like"):
            indexed = report[key.removesuffix("_like")]["p95_ms"]
            verdict = f"({row['p95_ms'] / indexed:.1f}× the indexed p95)" if indexed else ""
        print(f"{label:<40}{row['n']:>5}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}  {verdict}")
    print("slowest list pages:", ", ".join(f"{ms:.0f} ms {path}" for ms, path in slow_list[:3]))
    print("slowest profiles:  ", ", ".join(f"{ms:.0f} ms {path}" for ms, path in slow_detail[:3]))
    print()
    print(
        f"SQL queries per page (plain demo: {plain['enterprises']:,} enterprises -> scaled: {scaled['enterprises']:,})"
    )
    grew = False
    for kind in ("list", "detail"):
        before, after = max(plain[kind].values()), max(scaled[kind].values())
        grew |= after > before
        print(f"  {kind:<7} max {before} -> {after}  ({'does not grow' if after <= before else 'GROWS'})")
    print()
    memory = report["memory_mib"]
    master, workers = memory[str(server.pid)], [v for k, v in memory.items() if k != str(server.pid)]
    print(
        f"peak memory (VmHWM): master {master:.0f} MiB, workers "
        + ", ".join(f"{v:.0f}" for v in workers)
        + f" MiB; total {master + sum(workers):.0f} MiB (shared pages counted in each)"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out.relative_to(ROOT)}")
    return 1 if grew else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_queries":
        samples = int(sys.argv[sys.argv.index("--samples") + 1])
        print(json.dumps(count_queries(samples)))
    else:
        sys.exit(main())
