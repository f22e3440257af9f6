#!/usr/bin/env python3
"""Rollup benchmark: the incremental refresh after one month's import, next to the whole-period refresh, and the
economy overview's first visit before and after its enterprise lists came from the rollups (PostgreSQL).

    JINGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/rollups_bench \\
        .venv/bin/python benchmarks/rollups.py [--scale 100000] [--months 120] [--reuse]

What it does:
1. builds the database unless --reuse finds it built: migrations, a registry written through the ORM (20 grids,
   7 parks, 12 chains of which 3 digital-economy, 50 groups), then set-based in PostgreSQL N enterprises (grid,
   park, origin, every seventh in a group), their 规上 status for every year (about 90%, changing from year to
   year), one or two chains each, and `--months` months of every measure ending at 2023-06 (N × months rows);
   with a larger `--months` on a database built before, only the earlier months are added. The rollups (and
   the stored enterprise lists) are built for the 13 months the measurements read (a full `refresh_all()` of
   120 months takes longer than a benchmark slot: 758 s in the README's earlier run);
2. writes the import of the next month (2023-07, every enterprise, set-based as stats.services.write_reports
   does, not timed) and times, in the same run: (a) the refresh the import's commit now runs
   (`services.on_periods_changed` → `engine.refresh_changes`), (b) the whole-period `engine.refresh()` of the
   month, (c) the same with the statement as it was before this change (no period IN lists: the plan that
   hash-joins the whole table), and checks that (a) and (b) leave the same rows;
3. a correction of 1,000 enterprises' figures for an older month (2022-06, so the month a year later is
   recomputed too): `refresh_changes` with their ids against the whole-period refresh, rows compared;
4. a registry edit: one enterprise moved to another grid (saved through the ORM, refreshed on commit);
5. the economy overview's first visit (zone administrator, cache cleared): the page before (the top
   enterprises and the 百亿 panel computed from the monthly rows) and after (from analytics.TopEnterprise),
   --runs times each, with the two lists compared;
6. prints the figures with `uptime` before and after, and writes benchmarks/out/rollups-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/rollups_bench"
LAST = dt.date(2023, 6, 1)
NEW = dt.date(2023, 7, 1)
TARGET_S = 1.0

ENTERPRISES_SQL = """
INSERT INTO enterprises_enterprise (created_at, updated_at, uscc, uscc_override_reason, name, short_name,
    english_name, status, industry_code, main_products, origin, origin_country, registered_capital_currency,
    total_investment_currency, listing_market, stock_code, address, name_sort, name_pinyin, name_initials,
    grid_id, park_id, group_id)
SELECT now(), now(), 'RB' || lpad(i::text, 16, '0'), '', '压测企业' || i || '有限公司', '', '', 'operating',
    'C3421', '', CASE WHEN i %% 5 = 0 THEN 'foreign' ELSE 'domestic' END,
    CASE WHEN i %% 10 = 0 THEN 'JP' WHEN i %% 10 = 5 THEN 'DE' ELSE '' END, 'CNY', 'CNY', '', '', '',
    'ya ce qi ye ' || i, 'yaceqiye' || i, 'ycqy' || i,
    g.ids[1 + i %% array_length(g.ids, 1)], p.ids[1 + i %% array_length(p.ids, 1)],
    CASE WHEN i %% 7 = 0 THEN gr.ids[1 + (i / 7) %% array_length(gr.ids, 1)] END
FROM generate_series(1, %(n)s) AS i,
    (SELECT array_agg(id ORDER BY id) AS ids FROM grids_grid) g,
    (SELECT array_agg(id ORDER BY id) AS ids FROM parks_park) p,
    (SELECT array_agg(id ORDER BY id) AS ids FROM enterprises_enterprisegroup) gr
"""
SCALE_SQL = """
INSERT INTO enterprises_annualscale (created_at, updated_at, enterprise_id, year, above_size, revenue)
SELECT now(), now(), e.id, y, ((e.id * 7 + y * 13) %% 10) <> 0, 50000000
FROM enterprises_enterprise e CROSS JOIN generate_series(%(first_year)s, 2023) AS y
WHERE e.uscc LIKE 'RB%%'
"""
MEMBERSHIP_SQL = """
INSERT INTO chains_chainmembership (created_at, updated_at, role, note, chain_id, enterprise_id)
SELECT now(), now(), 'member', '', c.ids[1 + e.id %% array_length(c.ids, 1)], e.id
FROM enterprises_enterprise e, (SELECT array_agg(id ORDER BY id) AS ids FROM chains_chain) c
WHERE e.uscc LIKE 'RB%%'
UNION ALL
SELECT now(), now(), 'member', '', c.ids[1 + (e.id + 1) %% array_length(c.ids, 1)], e.id
FROM enterprises_enterprise e, (SELECT array_agg(id ORDER BY id) AS ids FROM chains_chain) c
WHERE e.uscc LIKE 'RB%%' AND e.id %% 3 = 0
"""
# Money in 元; cum = month × months so far, with a yearly trend; a few hundred enterprises above 100亿元 a year.
MONTHS_SQL = """
INSERT INTO stats_monthlyreport (enterprise_id, period, output_month, output_cum, revenue_month, revenue_cum,
    profit_month, profit_cum, tax_month, tax_cum, rd_month, rd_cum, export_month, export_cum,
    energy_month, energy_cum, employees_month, employees_cum, sales_month, sales_cum,
    new_product_month, new_product_cum, derived, issues, revision, updated_at)
SELECT e.id, p.period, v.m, v.m * extract(month FROM p.period), v.m * 0.98,
    v.m * 0.98 * extract(month FROM p.period), v.m * 0.06, v.m * 0.06 * extract(month FROM p.period),
    v.m * 0.03, v.m * 0.03 * extract(month FROM p.period), v.m * 0.03,
    v.m * 0.03 * extract(month FROM p.period), v.m * 0.1, v.m * 0.1 * extract(month FROM p.period),
    v.m / 20000, v.m / 20000 * extract(month FROM p.period), 50 + e.id %% 500, 50 + e.id %% 500,
    v.m * 0.97, v.m * 0.97 * extract(month FROM p.period), v.m * 0.2, v.m * 0.2 * extract(month FROM p.period),
    '[]', '[]', 1, now()
FROM enterprises_enterprise e
CROSS JOIN (SELECT (DATE %(first)s + make_interval(months => k))::date AS period
            FROM generate_series(0, %(count)s - 1) AS k) p
CROSS JOIN LATERAL (SELECT round((1000000 + (e.id * 7919) %% 9000000)
    * CASE WHEN e.id %% 997 = 0 THEN 2000 ELSE 1 END
    * (1 + 0.06 * (extract(year FROM p.period) - 2013) + ((e.id + extract(month FROM p.period)::int) %% 7) * 0.01),
    2) AS m) v
WHERE e.uscc LIKE 'RB%%'
"""


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def build(args) -> dict:
    """Registry through the ORM, the rest set-based; returns what was written and how long it took."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from jingkai.chains.models import Chain
    from jingkai.enterprises.models import EnterpriseGroup
    from jingkai.grids.models import Grid
    from jingkai.parks.models import Park

    built = {}
    if not Grid.objects.exists():
        for i in range(1, 21):
            Grid.objects.create(number=i, code=f"RB{i:02d}", name=f"压测网格{i}")
        for i in range(1, 8):
            Park.objects.create(code=f"rb-park{i}", name=f"压测园区{i}", kind=Park.Kind.PLATFORM)
        for i in range(1, 13):
            Chain.objects.create(code=f"rb-chain{i}", name=f"压测产业链{i}", is_digital_economy=i <= 3)
        for i in range(1, 51):
            EnterpriseGroup.objects.create(name=f"压测集团{i}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM enterprises_enterprise WHERE uscc LIKE 'RB%%'")
        if cursor.fetchone()[0] == 0:
            first_year = add_months(LAST, -(args.months - 1)).year
            for name, sql in (
                ("enterprises", ENTERPRISES_SQL),
                ("scale", SCALE_SQL),
                ("chains", MEMBERSHIP_SQL),
            ):
                step = time.perf_counter()
                cursor.execute(sql, {"n": args.scale, "first_year": min(first_year, 2013)})
                built[name] = {"rows": cursor.rowcount, "s": round(time.perf_counter() - step, 1)}
                print(f"  {name}: {cursor.rowcount:,} rows in {built[name]['s']} s", flush=True)
        cursor.execute("SELECT min(period) FROM stats_monthlyreport")
        existing_first = cursor.fetchone()[0]
        first = add_months(LAST, -(args.months - 1))
        end = existing_first if existing_first else add_months(LAST, 1)
        count = (end.year - first.year) * 12 + end.month - first.month
        if count > 0:
            step = time.perf_counter()
            cursor.execute(MONTHS_SQL, {"first": first, "count": count})
            built["months"] = {"rows": cursor.rowcount, "s": round(time.perf_counter() - step, 1)}
            print(f"  {count} months: {cursor.rowcount:,} rows in {built['months']['s']} s", flush=True)
            step = time.perf_counter()
            cursor.execute("VACUUM ANALYZE")
            built["vacuum_analyze_s"] = round(time.perf_counter() - step, 1)
    built["build_s"] = round(time.perf_counter() - started, 1)
    return built


def rows_of(periods) -> list:
    from jingkai.analytics.models import ROLLUP_VALUE_FIELDS, Rollup, TopEnterprise

    rollups = sorted(
        Rollup.objects.filter(period__in=periods).values_list(
            "period", "dimension", "member", "enterprises", "comparable", *ROLLUP_VALUE_FIELDS
        )
    )
    top = sorted(
        TopEnterprise.objects.filter(period__in=periods).values_list(
            "period", "kind", "measure", "enterprise_id", "cum", "last_year_cum"
        ),
        key=repr,
    )
    return [rollups, top]


def seconds(fn) -> float:
    started = time.perf_counter()
    fn()
    return round(time.perf_counter() - started, 3)


def run(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    import django

    django.setup()
    from django.db import connection, transaction

    report: dict = {"uptime_before": uptime()}
    if not args.reuse:
        report["build"] = build(args)
    from jingkai.analytics import engine, services
    from jingkai.analytics.models import Rollup
    from jingkai.enterprises.models import Enterprise
    from jingkai.grids.models import Grid

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_monthlyreport WHERE period >= %s", [NEW])  # an earlier run's import
        cursor.execute("SELECT count(*), count(DISTINCT enterprise_id) FROM stats_monthlyreport")
        rows, enterprises = cursor.fetchone()
    report.update(monthly_rows=rows, enterprises=enterprises, database=connection.settings_dict["NAME"])
    print(f"{rows:,} monthly rows of {enterprises:,} enterprises", flush=True)
    read = [add_months(LAST, -k) for k in range(13)]
    missing = [p for p in read if not Rollup.objects.filter(period=p, dimension="zone").exists()]
    if missing:
        report["rollups_of_13_months_s"] = seconds(lambda: engine.refresh(missing))
        print(f"rollups of {len(missing)} months: {report['rollups_of_13_months_s']} s", flush=True)

    # 2. one month's import: every enterprise's 2023-07 row (as write_reports leaves it), then its refresh.
    with connection.cursor() as cursor:
        cursor.execute(MONTHS_SQL, {"first": NEW, "count": 1})
        cursor.execute("ANALYZE stats_monthlyreport")
        cursor.execute("SELECT enterprise_id FROM stats_monthlyreport WHERE period = %s", [NEW])
        imported = [r[0] for r in cursor.fetchall()]
    report["imported_rows"] = len(imported)

    def on_commit_of_import():
        with transaction.atomic():
            services.on_periods_changed([NEW], imported)

    runs = {"incremental": [], "whole_period": [], "whole_period_before": []}
    for _ in range(args.runs):
        runs["incremental"].append(seconds(on_commit_of_import))
        after_incremental = rows_of([NEW, add_months(NEW, 12)])
        runs["whole_period"].append(seconds(lambda: engine.refresh([NEW])))
        after_whole = rows_of([NEW, add_months(NEW, 12)])
        engine.PERIOD_IN_LISTS = False
        try:
            runs["whole_period_before"].append(seconds(lambda: engine.refresh([NEW])))
        finally:
            engine.PERIOD_IN_LISTS = True
    report["import_refresh"] = runs
    report["import_same_rows"] = after_incremental == after_whole
    report["import_rollup_rows"] = len(after_whole[0])
    print(f"import of {len(imported):,} rows: {runs}; same rows: {report['import_same_rows']}", flush=True)

    # 3. a correction of 1,000 enterprises in an older month (and its comparable basis a year later).
    old = dt.date(2022, 6, 1)
    corrected = imported[:: max(1, len(imported) // 1000)][:1000]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE stats_monthlyreport SET output_cum = output_cum + 100, output_month = output_month + 100 "
            "WHERE period = %s AND enterprise_id = ANY(%s)",
            [old, corrected],
        )
    correction = {"incremental": [], "whole_period": []}
    for _ in range(args.runs):
        correction["incremental"].append(
            seconds(
                lambda: engine.refresh_changes(
                    [{"kind": "reports", "periods": [f"{old}"], "enterprises": corrected}]
                )
            )
        )
        keyed = rows_of([old, add_months(old, 12)])
        correction["whole_period"].append(seconds(lambda: engine.refresh([old])))
        whole = rows_of([old, add_months(old, 12)])
    report["correction_refresh"] = correction
    report["correction_same_rows"] = keyed == whole
    print(
        f"correction of {len(corrected)} enterprises: {correction}; same rows: {keyed == whole}", flush=True
    )

    # 4. a registry edit: one enterprise moved to another grid, saved through the ORM, refreshed on commit.
    enterprise = Enterprise.objects.filter(pk=imported[len(imported) // 2]).first()
    grids = list(Grid.objects.order_by("pk").values_list("pk", flat=True))
    target = next(pk for pk in grids if pk != enterprise.grid_id)

    def move():
        with transaction.atomic():
            enterprise.grid_id = target
            enterprise.save()

    report["grid_move_s"] = seconds(move)
    print(f"one enterprise moved to another grid: {report['grid_move_s']} s", flush=True)

    report["first_visit"] = first_visit(args, services)
    report["uptime_after"] = uptime()
    return report


def first_visit(args, services) -> dict:
    """The overview as the zone administrator with an empty cache: lists from the monthly rows, then stored."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    settings.JINGKAI_OTP_REQUIRED = (
        False  # the page, not the sign-in, is measured (as tests/conftest.py does)
    )

    from jingkai.core.models import Role, User

    admin, _ = User.objects.get_or_create(username="rollups_bench_admin", defaults={"role": Role.ZONE_ADMIN})
    client = Client()
    client.force_login(admin)
    period = LAST
    live = (
        services.top_enterprises_live(admin, period, "output"),
        list(services.hundred_yi_enterprises_live(period, admin)),
    )
    stored = (
        services.top_enterprises(admin, period, "output"),
        services.hundred_yi(period, admin).enterprises,
    )
    result = {"same_lists": live == stored, "hundred_yi_enterprises": len(stored[1])}

    def visit():
        cache.clear()
        response = client.get("/economy/", {"period": f"{period:%Y-%m}"}, HTTP_HOST="localhost")
        assert response.status_code == 200, (response.status_code, response.get("Location"))

    original = services.sees_every_enterprise
    for label, patched in (("before", lambda user: False), ("after", original)):
        services.sees_every_enterprise = patched
        try:
            visit()
            samples = [seconds(visit) * 1000 for _ in range(args.visits)]
        finally:
            services.sees_every_enterprise = original
        ordered = sorted(samples)
        result[label] = {
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
        }
    for label, fn in (
        ("top_live_ms", lambda: services.top_enterprises_live(admin, period, "output")),
        ("top_stored_ms", lambda: services.top_enterprises(admin, period, "output")),
        ("hundred_live_ms", lambda: list(services.hundred_yi_enterprises_live(period, admin))),
        ("hundred_stored_ms", lambda: services.hundred_yi(period, admin)),
    ):
        result[label] = round(statistics.median(seconds(fn) * 1000 for _ in range(args.visits)), 1)
    print(f"first visit: {result}", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=100_000, help="synthetic enterprises")
    parser.add_argument("--months", type=int, default=120, help="months of figures ending at 2023-06")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each refresh")
    parser.add_argument("--visits", type=int, default=10, help="timed first visits before and after")
    parser.add_argument("--reuse", action="store_true", help="measure on the database as it is")
    parser.add_argument("_inner", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("JINGKAI_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("This benchmark runs on PostgreSQL: set JINGKAI_DATABASE_URL to a postgres:// URL.")
    if args._inner == "_run":
        print(json.dumps(run(args), default=str))
        return 0
    ensure_database(url)
    inner = [sys.executable, __file__, "_run", "--scale", str(args.scale), "--months", str(args.months)]
    inner += ["--runs", str(args.runs), "--visits", str(args.visits)] + (["--reuse"] if args.reuse else [])
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        inner, env={**env, "JINGKAI_DATABASE_URL": url}, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        print(result.stdout, result.stderr, sep="\n")
        return result.returncode
    lines = result.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    report = json.loads(lines[-1])
    imp, cor, visit = report["import_refresh"], report["correction_refresh"], report["first_visit"]
    best = {k: min(v) for k, v in imp.items()}
    print()
    print(
        f"Jingkai rollup benchmark: {report['monthly_rows']:,} monthly rows, {report['enterprises']:,} enterprises"
    )
    print(f"load before: {report['uptime_before']}")
    print(f"one month's import ({report['imported_rows']:,} rows), best of {len(imp['incremental'])}:")
    print(f"  (a) refresh on commit (refresh_changes)     {best['incremental']:>7.3f} s   target ≤ {TARGET_S} s: "
          f"{'met' if best['incremental'] <= TARGET_S else 'MISSED'}")  # fmt: skip
    print(f"  (b) whole-period refresh()                  {best['whole_period']:>7.3f} s")
    print(f"  (c) whole-period refresh(), previous SQL    {best['whole_period_before']:>7.3f} s")
    print(f"  same rows (a) and (b): {'yes' if report['import_same_rows'] else 'NO'}")
    print(f"correction of 1,000 enterprises in 2022-06: refresh_changes {min(cor['incremental']):.3f} s, "
          f"whole periods {min(cor['whole_period']):.3f} s; same rows: "
          f"{'yes' if report['correction_same_rows'] else 'NO'}")  # fmt: skip
    print(f"one enterprise moved to another grid (commit + refresh): {report['grid_move_s']} s")
    print(f"economy overview first visit (zone admin, cache cleared), median / p95 ms: before "
          f"{visit['before']['median_ms']} / {visit['before']['p95_ms']}, after {visit['after']['median_ms']} / "
          f"{visit['after']['p95_ms']}; lists: top {visit['top_live_ms']} → {visit['top_stored_ms']} ms, 百亿 "
          f"{visit['hundred_live_ms']} → {visit['hundred_stored_ms']} ms; same lists: "
          f"{'yes' if visit['same_lists'] else 'NO'}")  # fmt: skip
    print(f"load after: {report['uptime_after']}")
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"rollups-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(f"written to {out.relative_to(ROOT)}")
    ok = report["import_same_rows"] and report["correction_same_rows"] and visit["same_lists"]
    return 0 if ok and best["incremental"] <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
