#!/usr/bin/env python3
"""Summary benchmark: the dashboard's summary by chain and by grid with comparable YoY over ~12,000,000 monthly rows.

    JINGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/jk_bench_stats \
        .venv/bin/python benchmarks/stats_summary.py [--reuse] [--scale 100000] [--runs 50]

What it does:
1. builds the database, unless --reuse finds ≥ 1,000,000 monthly rows there: the plain demo (`jingkai demo
   --no-serve`: grids, chains, parks), then, set-based in PostgreSQL (INSERT … SELECT generate_series), N
   synthetic enterprises spread over the grids, parks, origins and chains (every third in a second chain),
   their 规上 status for 2014–2023 (about 90% 规上, changing from year to year so that enterprises enter and
   leave the set) and 120 months (2013-07 … 2023-06) of every measure; then engine.refresh_all() (timed).
   A database built by `jingkai demo --scale N` can be reused the same way. PostgreSQL only (the comparison
   is with PostgreSQL's own GROUP BY).
2. times engine.refresh() of one month (what an import commit costs: that month and the month a year later);
3. times the summary the dashboard reads (engine.summary by chain and by grid, period and YoY, from rollups),
   --runs times each, in-process;
4. times the same figures computed by a plain SQL GROUP BY over the monthly rows (the 规上 set of the year,
   the comparable set, chain memberships or grids, the previous year's rows), in the same run, and checks
   that both give the same sums;
5. times the alternative the issue proposes for large zones, measured in the same run: a columnar snapshot
   (Parquet files of the flat columns, written from PostgreSQL with COPY and Polars, as an import commit would
   refresh it) read by DuckDB with the same GROUP BY; prints the snapshot's write time and the query's times, and
   checks its sums too;
6. prints median and p95 of each against the targets (< 50 ms; ≥ 30× faster than the GROUP BY) and writes
   benchmarks/out/stats_summary-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jk_bench_stats"
TARGET_MS = 50.0
TARGET_SPEEDUP = 30.0


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def monthly_rows(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM stats_monthlyreport").fetchone()[0]
    except psycopg.Error:
        return 0


SYNTHETIC_SQL = [
    # N enterprises: grid, park, origin and country spread by the number.
    """
    INSERT INTO enterprises_enterprise (created_at, updated_at, uscc, uscc_override_reason, name, short_name,
        english_name, status, industry_code, main_products, origin, origin_country, registered_capital_currency,
        total_investment_currency, listing_market, stock_code, address, grid_id, park_id)
    SELECT now(), now(), 'BENCH' || lpad(i::text, 13, '0'), '', '压测企业' || i || '有限公司', '', '', 'operating',
        'C3421', '', CASE WHEN i %% 5 = 0 THEN 'foreign' ELSE 'domestic' END,
        CASE WHEN i %% 10 = 0 THEN 'JP' WHEN i %% 10 = 5 THEN 'DE' ELSE '' END, 'CNY', 'CNY', '', '', '',
        (SELECT array_agg(id ORDER BY id) FROM grids_grid)[1 + i %% (SELECT count(*) FROM grids_grid)],
        (SELECT array_agg(id ORDER BY id) FROM parks_park)[1 + i %% 7]
    FROM generate_series(1, %(n)s) AS i
    """,
    # 规上 status 2014–2023: about 90% each year, a different 10% out each year.
    """
    INSERT INTO enterprises_annualscale (created_at, updated_at, enterprise_id, year, above_size, revenue)
    SELECT now(), now(), e.id, y, ((e.id * 7 + y * 13) %% 10) <> 0, 50000000
    FROM enterprises_enterprise e CROSS JOIN generate_series(2014, 2023) AS y
    WHERE e.uscc LIKE 'BENCH%%'
    """,
    # One chain each, every third enterprise in a second one.
    """
    INSERT INTO chains_chainmembership (created_at, updated_at, role, note, chain_id, enterprise_id)
    SELECT now(), now(), 'member', '', c.ids[1 + e.id %% array_length(c.ids, 1)], e.id
    FROM enterprises_enterprise e, (SELECT array_agg(id ORDER BY id) AS ids FROM chains_chain) c
    WHERE e.uscc LIKE 'BENCH%%'
    UNION ALL
    SELECT now(), now(), 'member', '', c.ids[1 + (e.id + 1) %% array_length(c.ids, 1)], e.id
    FROM enterprises_enterprise e, (SELECT array_agg(id ORDER BY id) AS ids FROM chains_chain) c
    WHERE e.uscc LIKE 'BENCH%%' AND e.id %% 3 = 0
    """,
    # 120 months of every measure (money in 元); cum = month × months so far, with a yearly growth trend.
    """
    INSERT INTO stats_monthlyreport (enterprise_id, period, output_month, output_cum, revenue_month, revenue_cum,
        profit_month, profit_cum, tax_month, tax_cum, rd_month, rd_cum, export_month, export_cum,
        energy_month, energy_cum, employees_month, employees_cum, derived, issues, revision, updated_at)
    SELECT e.id, p.period, v.m, v.m * extract(month FROM p.period), v.m * 0.98,
        v.m * 0.98 * extract(month FROM p.period), v.m * 0.06, v.m * 0.06 * extract(month FROM p.period),
        v.m * 0.03, v.m * 0.03 * extract(month FROM p.period), v.m * 0.03,
        v.m * 0.03 * extract(month FROM p.period), v.m * 0.1, v.m * 0.1 * extract(month FROM p.period),
        v.m / 20000, v.m / 20000 * extract(month FROM p.period), 50 + e.id %% 500, 50 + e.id %% 500,
        '[]', '[]', 1, now()
    FROM enterprises_enterprise e
    CROSS JOIN (SELECT (DATE '2013-07-01' + make_interval(months => k))::date AS period
                FROM generate_series(0, 119) AS k) p
    CROSS JOIN LATERAL (SELECT round((1000000 + (e.id * 7919) %% 9000000)
        * (1 + 0.06 * (extract(year FROM p.period) - 2013) + ((e.id + extract(month FROM p.period)::int) %% 7) * 0.01),
        2) AS m) v
    WHERE e.uscc LIKE 'BENCH%%'
    """,
]


def build(url: str, scale: int, reuse: bool) -> float | None:
    ensure_database(url)
    rows = monthly_rows(url)
    if reuse and rows >= 1_000_000:
        print(f"reusing {url.split('@')[-1]} ({rows:,} monthly rows)")
        return None
    import psycopg

    print(f"building {url.split('@')[-1]}: jingkai demo --no-serve --force …", flush=True)
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "jingkai", "demo", "--no-serve", "--force"],
        env={**env, "JINGKAI_DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in SYNTHETIC_SQL:
            step = time.perf_counter()
            count = conn.execute(sql, {"n": scale}).rowcount
            print(f"  {count:,} rows in {time.perf_counter() - step:.0f} s", flush=True)
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def timed(fn, runs: int, warmup: int = 2) -> tuple[dict, object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples), result


PLAIN_SQL = """
SELECT {member} AS member, COUNT(*),
       SUM(c.output_cum),
       SUM(CASE WHEN p.enterprise_id IS NOT NULL THEN c.output_cum END),
       SUM(p.output_cum)
FROM stats_monthlyreport c
JOIN enterprises_annualscale s ON s.enterprise_id = c.enterprise_id AND s.year = %(year)s AND s.above_size
{join}
LEFT JOIN stats_monthlyreport p ON p.enterprise_id = c.enterprise_id AND p.period = %(prev)s
WHERE c.period = %(period)s
GROUP BY 1
"""
JOINS = {
    "chain": ("m.chain_id", "JOIN chains_chainmembership m ON m.enterprise_id = c.enterprise_id"),
    "grid": (
        "e.grid_id",
        "JOIN enterprises_enterprise e ON e.id = c.enterprise_id AND e.grid_id IS NOT NULL",
    ),
}


SNAPSHOT_SQL = {
    # Sorted by period, so that DuckDB skips the row groups of other months by their min/max statistics.
    "monthly": "SELECT enterprise_id, period, output_cum FROM stats_monthlyreport ORDER BY period, enterprise_id",
    "scale": "SELECT enterprise_id, year FROM enterprises_annualscale WHERE above_size",
    "chain": "SELECT enterprise_id, chain_id AS member FROM chains_chainmembership",
    "grid": "SELECT id AS enterprise_id, grid_id AS member FROM enterprises_enterprise WHERE grid_id IS NOT NULL",
}
DUCKDB_SQL = """
SELECT m.member, COUNT(*), SUM(c.output_cum),
       SUM(CASE WHEN p.enterprise_id IS NOT NULL THEN c.output_cum END), SUM(p.output_cum)
FROM read_parquet('{dir}/monthly.parquet') c
JOIN read_parquet('{dir}/scale.parquet') s ON s.enterprise_id = c.enterprise_id AND s.year = $year
JOIN read_parquet('{dir}/{dimension}.parquet') m ON m.enterprise_id = c.enterprise_id
LEFT JOIN (SELECT enterprise_id, output_cum FROM read_parquet('{dir}/monthly.parquet') WHERE period = $prev) p
       ON p.enterprise_id = c.enterprise_id
WHERE c.period = $period
GROUP BY 1
"""


def write_snapshot(connection, directory: Path) -> dict:
    """The columnar snapshot: each flat table COPYed out of PostgreSQL as CSV and written as Parquet."""
    import io

    import polars as pl

    directory.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    sizes = {}
    for name, sql in SNAPSHOT_SQL.items():
        buffer = io.BytesIO()
        cursor = connection.connection.cursor()
        with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        overrides = {"output_cum": pl.Decimal(18, 2)} if name == "monthly" else None
        frame = pl.read_csv(buffer, schema_overrides=overrides, try_parse_dates=True)
        frame.write_parquet(directory / f"{name}.parquet", row_group_size=100_000)
        sizes[name] = frame.height
    return sizes


def run(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    import django

    django.setup()
    from django.db import connection

    from jingkai.analytics import engine, services
    from jingkai.analytics.models import Rollup
    from jingkai.core import dates

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT enterprise_id) FROM stats_monthlyreport")
        rows, enterprises = cursor.fetchone()
    period = dates.parse_month(args.period) if args.period else services.latest_period()
    prev = dates.add_months(period, -12)
    report = {
        "database": connection.settings_dict["NAME"],
        "monthly_rows": rows,
        "enterprises_reporting": enterprises,
        "period": f"{period:%Y-%m}",
    }
    print(f"{rows:,} monthly rows of {enterprises:,} enterprises; summary of {period:%Y-%m}", flush=True)

    if args.refresh_all or not Rollup.objects.filter(period=period).exists():
        started = time.perf_counter()
        months = engine.refresh_all()
        report["refresh_all_s"] = round(time.perf_counter() - started, 1)
        print(f"refresh_all: {months} months in {report['refresh_all_s']} s", flush=True)
    started = time.perf_counter()
    engine.refresh([period])
    report["refresh_one_month_s"] = round(time.perf_counter() - started, 2)
    report["rollup_rows"] = Rollup.objects.count()

    def summary_both():
        return engine.summary(period, "chain"), engine.summary(period, "grid")

    report["rollups"], (chains, grids) = timed(summary_both, args.runs)

    def plain_both():
        results = {}
        with connection.cursor() as cursor:
            for dimension, (member, join) in JOINS.items():
                cursor.execute(
                    PLAIN_SQL.format(member=member, join=join),
                    {"year": period.year, "prev": prev, "period": period},
                )
                results[dimension] = {str(r[0]): r[1:] for r in cursor.fetchall()}
        return results

    report["plain_group_by"], plain = timed(plain_both, args.plain_runs, warmup=1)

    import duckdb

    snapshot_dir = OUT / "snapshot"
    started = time.perf_counter()
    report["snapshot_rows"] = write_snapshot(connection, snapshot_dir)
    report["snapshot_write_s"] = round(time.perf_counter() - started, 1)
    duck = duckdb.connect()

    def duckdb_both():
        results = {}
        for dimension in JOINS:
            rows = duck.execute(
                DUCKDB_SQL.format(dir=snapshot_dir, dimension=dimension),
                {"year": period.year, "prev": prev, "period": period},
            ).fetchall()
            results[dimension] = {str(r[0]): tuple(r[1:]) for r in rows}
        return results

    report["duckdb_parquet"], columnar = timed(duckdb_both, args.plain_runs, warmup=1)
    report["duckdb_same_figures"] = columnar == {
        k: {m: tuple(v) for m, v in d.items()} for k, d in plain.items()
    }

    mismatches = []
    for dimension, summary in (("chain", chains), ("grid", grids)):
        for item in summary.items:
            count, cum, cmp_cum, prev_cum = plain[dimension].get(item.key, (0, None, None, None))
            if (count, cum, cmp_cum, prev_cum) != (item.enterprises, item.cum, item.cmp_cum, item.prev_cum):
                mismatches.append((dimension, item.key))
        if len(summary.items) != len(plain[dimension]):
            mismatches.append((dimension, "member count"))
    report["same_figures"] = not mismatches
    report["members"] = {"chain": len(chains.items), "grid": len(grids.items)}
    report["speedup_median"] = round(
        report["plain_group_by"]["median_ms"] / max(report["rollups"]["median_ms"], 0.001), 1
    )
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic enterprises (× 120 months)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of the rollup summary")
    parser.add_argument("--plain-runs", type=int, default=5, help="timed runs of the plain GROUP BY")
    parser.add_argument("--period", help="month to summarise, e.g. 2023-06 (default: the latest)")
    parser.add_argument("--reuse", action="store_true", help="reuse a database that already has monthly rows")
    parser.add_argument("--refresh-all", action="store_true", help="rebuild every rollup first (timed)")
    parser.add_argument("_inner", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()

    url = os.environ.get("JINGKAI_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "This benchmark compares with PostgreSQL: set JINGKAI_DATABASE_URL to a postgres:// URL."
        )
    if args._inner == "_run":
        print(json.dumps(run(args), default=str))
        return 0

    build_seconds = build(url, args.scale, args.reuse)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    inner = [sys.executable, __file__, "_run", "--runs", str(args.runs), "--plain-runs", str(args.plain_runs)]
    if args.period:
        inner += ["--period", args.period]
    if args.refresh_all or build_seconds is not None:
        inner += ["--refresh-all"]
    result = subprocess.run(
        inner, env={**env, "JINGKAI_DATABASE_URL": url}, cwd=ROOT, check=True, capture_output=True, text=True
    )
    for line in result.stdout.strip().splitlines()[:-1]:
        print(line)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    report["build_seconds"] = None if build_seconds is None else round(build_seconds)

    rollups, plain = report["rollups"], report["plain_group_by"]
    print()
    print(
        f"Jingkai summary benchmark: {report['monthly_rows']:,} monthly rows, PostgreSQL {report['database']}"
    )
    print(f"summary of {report['period']} by chain ({report['members']['chain']} chains) "
          f"and by grid ({report['members']['grid']} grids), with comparable YoY")  # fmt: skip
    print(f"{'':<36}{'n':>5}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}")
    rows = (
        ("(a) rollups (engine.summary)", rollups),
        ("(b) plain SQL GROUP BY", plain),
        ("(c) DuckDB over Parquet snapshot", report["duckdb_parquet"]),
    )
    for label, row in rows:
        print(f"{label:<36}{row['n']:>5}{row['median_ms']:>12}{row['p95_ms']:>10}{row['max_ms']:>10}")
    fast = rollups["p95_ms"] < TARGET_MS
    ratio = report["speedup_median"] >= TARGET_SPEEDUP
    print(f"target p95 < {TARGET_MS:.0f} ms: {'met' if fast else 'MISSED'}; "
          f"speed-up {report['speedup_median']}× (target ≥ {TARGET_SPEEDUP:.0f}×): {'met' if ratio else 'MISSED'}")  # fmt: skip
    print(f"same sums from both: {'yes' if report['same_figures'] else 'NO'}")
    print(f"(c) snapshot: {report['snapshot_rows']['monthly']:,} monthly rows written to Parquet in "
          f"{report['snapshot_write_s']} s (the cost each import commit would pay); same sums as (b): "
          f"{'yes' if report['duckdb_same_figures'] else 'NO'}")  # fmt: skip
    print(f"refresh of one month (an import commit: the month and the month a year later): "
          f"{report['refresh_one_month_s']} s; {report['rollup_rows']:,} rollup rows in all")  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"stats_summary-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if (fast and ratio and report["same_figures"]) else 1


if __name__ == "__main__":
    sys.exit(main())
