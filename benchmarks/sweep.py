#!/usr/bin/env python3
"""Demand sweep benchmark: `jingkai sweep`'s demand part over 1,000,000 open demands on PostgreSQL.

    JINGKAI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/jk_bench_sweep \
        .venv/bin/python benchmarks/sweep.py [--n 1000000] [--small 1000] [--naive 10000]

What it does (PostgreSQL only; the database is created and migrated if needed, its demands replaced):
1. writes a small zone with Django's ORM: 16 grids with a leader each, 2 communities with an officer,
   2 zone admins, 2,000 enterprises (every tenth in a community, not a grid);
2. inserts N demands set-based (INSERT … SELECT generate_series): states 已提交 … 办理中 and 已答复, deadlines
   spread over the 121 days around today, in the state a daily sweep leaves behind (what was overdue before
   yesterday already escalated; replied ones past their window already closed); then ANALYZE;
3. runs demands.sweep.run(now) and prints its time and its number of SQL queries; runs it a second time
   (idempotence: nothing to do, same number of queries);
4. does the same over --small demands to compare the query count (target: equal; time under 10 s at 1,000,000);
5. a cold start over --naive demands (nothing swept before: every overdue demand escalates at once);
6. runs a naive per-row loop (for each overdue demand: an event, a notification, a save) over --naive demands,
   for comparison; writes benchmarks/out/sweep-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jk_bench_sweep"


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["JINGKAI_DATABASE_URL"] = url
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "jingkai"), "migrate", "--no-input", "-v", "0"], check=True, env=env
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    import django

    django.setup()


def build_zone() -> None:
    from jingkai.core.models import Role, User
    from jingkai.enterprises.models import Enterprise
    from jingkai.grids.models import Community, CommunityAssignment, Grid, GridAssignment

    if Enterprise.objects.filter(uscc__startswith="SWEEP").count() >= 2000:
        return
    start = dt.date(2020, 1, 1)
    grids = []
    for number in range(1, 17):
        grid, _ = Grid.objects.get_or_create(
            code=f"SW{number:02d}", defaults={"name": f"压测网格{number}", "number": 900 + number}
        )
        leader, _ = User.objects.get_or_create(
            username=f"sweep_leader_{number}", defaults={"role": Role.GRID_LEADER}
        )
        GridAssignment.objects.get_or_create(
            grid=grid, user=leader, role="leader", defaults={"start_date": start}
        )
        grids.append(grid)
    communities = []
    for number in range(1, 3):
        community, _ = Community.objects.get_or_create(
            code=f"SWC{number}", defaults={"name": f"压测社区{number}", "number": 900 + number}
        )
        officer, _ = User.objects.get_or_create(
            username=f"sweep_officer_{number}", defaults={"role": Role.COMMUNITY_OFFICER}
        )
        CommunityAssignment.objects.get_or_create(
            community=community, user=officer, defaults={"start_date": start}
        )
        communities.append(community)
    for number in range(1, 3):
        User.objects.get_or_create(username=f"sweep_admin_{number}", defaults={"role": Role.ZONE_ADMIN})
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                uscc=f"SWEEP{i:013d}",
                name=f"压测诉求企业{i}有限公司",
                grid=None if i % 10 == 0 else grids[i % 16],
                community=communities[i % 2] if i % 10 == 0 else None,
            )
            for i in range(2000)
        ],
        ignore_conflicts=True,
    )


def fill(n: int, today: dt.date, steady: bool = True) -> None:
    """Replace the demands with n synthetic ones (set-based)."""
    from django.db import connection

    from jingkai.demands.models import DemandCategory

    category = DemandCategory.objects.order_by("pk").first()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE demands_demandevent, demands_demand RESTART IDENTITY CASCADE")
        cursor.execute("DELETE FROM notifications_notification WHERE kind = 'demand.escalated'")
        cursor.execute(
            """
            INSERT INTO demands_demand (created_at, updated_at, enterprise_id, category_id, channel, state, title,
                description, contact_name, contact_phone, submitted_at, state_entered_at, due_on, escalation_level,
                ever_overdue, reply, rating_comment, reopen_count, extension_status, extension_reason, source_ref,
                version)
            SELECT now(), now(), e.ids[1 + i %% array_length(e.ids, 1)], %(category)s, 'hotline',
                (ARRAY['submitted','accepted','assigned','in_progress','replied'])[1 + i %% 5],
                '压测诉求' || i, '压测诉求内容' || i, '', '', now(), now(),
                %(today)s::date + ((i::bigint * 7919) %% 121 - 60)::int, 0, false, '', '', 0, '', '', '', 0
            FROM generate_series(1, %(n)s) AS i,
                 (SELECT array_agg(id ORDER BY id) AS ids FROM enterprises_enterprise
                  WHERE uscc LIKE 'SWEEP%%') AS e
            """,
            {"n": n, "today": today, "category": category.pk},
        )
        if steady:
            # The state a daily sweep leaves behind: what was overdue before yesterday is already escalated
            # (level 2 after three days), replied demands past their window already closed.
            cursor.execute(
                """
                UPDATE demands_demand SET
                    escalation_level = CASE WHEN due_on < %(today)s::date - 3 THEN 2 ELSE 1 END,
                    overdue_since = due_on + 1, ever_overdue = true
                WHERE state <> 'replied' AND due_on < %(today)s::date - 1
                """,
                {"today": today},
            )
            cursor.execute(
                "UPDATE demands_demand SET state = 'closed', due_on = NULL "
                "WHERE state = 'replied' AND due_on < %(today)s::date - 1",
                {"today": today},
            )
        cursor.execute("ANALYZE demands_demand")


def timed_sweep(now) -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingkai.demands import sweep

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        counts = sweep.run(now)
        elapsed = time.perf_counter() - started
    return elapsed, len(ctx.captured_queries), counts


def naive(now) -> tuple[float, int, int]:
    """What a per-row sweep would do: load each overdue demand, write an event and a notification, save it."""
    from django.db import connection, transaction

    from jingkai.demands.models import ESCALATING_STATES, Demand, DemandEvent
    from jingkai.grids.models import GridAssignment
    from jingkai.notifications.models import Notification

    today = now.date()
    calls = [0]

    def count(execute, sql, params, many, context):
        calls[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), transaction.atomic():
        started = time.perf_counter()
        done = 0
        for demand in Demand.objects.filter(
            state__in=ESCALATING_STATES, due_on__lt=today, escalation_level=0
        ):
            leader = GridAssignment.objects.filter(grid_id=demand.enterprise.grid_id, role="leader").first()
            DemandEvent.objects.create(
                demand=demand,
                action="escalate",
                from_state=demand.state,
                to_state=demand.state,
                at=now,
                level=1,
            )
            if leader is not None:
                Notification.objects.get_or_create(
                    key=f"demand:{demand.pk}:escalated:1:{demand.version}:{leader.user_id}",
                    defaults={
                        "recipient_id": leader.user_id,
                        "kind": "demand.escalated",
                        "title": demand.title,
                    },
                )
            demand.escalation_level = 1
            demand.overdue_since = today
            demand.save()
            done += 1
        elapsed = time.perf_counter() - started
    return elapsed, calls[0], done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--naive", type=int, default=10_000)
    args = parser.parse_args()
    url = os.environ.get("JINGKAI_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print("PostgreSQL only: set JINGKAI_DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    ensure_database(url)
    setup_django(url)
    from django.utils import timezone

    build_zone()
    now = timezone.now()
    today = timezone.localdate(now)
    results = {}
    for label, n in (("large", args.n), ("small", args.small)):
        started = time.perf_counter()
        fill(n, today)
        print(f"{n:>9,} demands inserted in {time.perf_counter() - started:.1f} s")
        elapsed, queries, counts = timed_sweep(now)
        again, queries_again, counts_again = timed_sweep(now)
        results[label] = {"n": n, "seconds": elapsed, "queries": queries, "counts": counts,
                          "second_run_seconds": again, "second_run_queries": queries_again,
                          "second_run_counts": counts_again}  # fmt: skip
        print(f"sweep over {n:>9,}: {elapsed:6.2f} s, {queries} queries, {counts}")
        print(f"  again (idempotent): {again:6.2f} s, {queries_again} queries, {counts_again}")
    # Cold start: nothing swept before, every overdue demand escalates at once (the first run after go-live).
    fill(args.naive, today, steady=False)
    elapsed, queries, counts = timed_sweep(now)
    results["cold_start"] = {"n": args.naive, "seconds": elapsed, "queries": queries, "counts": counts}
    print(
        f"cold start over {args.naive:,} (all overdue escalate at once): {elapsed:6.2f} s, {queries} queries, {counts}"
    )
    fill(args.naive, today, steady=False)
    elapsed, queries, done = naive(now)
    results["naive"] = {"n": args.naive, "seconds": elapsed, "queries": queries, "escalated": done}
    print(
        f"naive per-row loop over {args.naive:,}: {elapsed:6.2f} s, {queries:,} queries ({done:,} escalated)"
    )
    fill(args.naive, today, steady=False)
    elapsed, queries, counts = timed_sweep(now)
    results["set_based_same_n"] = {"n": args.naive, "seconds": elapsed, "queries": queries}
    print(f"set-based sweep over {args.naive:,}:  {elapsed:6.2f} s, {queries} queries")
    same = results["large"]["queries"] == results["small"]["queries"]
    fast = results["large"]["seconds"] < 10.0
    print(f"target: < 10 s at {args.n:,} → {'met' if fast else 'MISSED'}; same queries as at {args.small:,} → "
          f"{'yes' if same else 'NO'}")  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"sweep-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(results, indent=2, default=str)
    )
    return 0 if same and fast else 1


if __name__ == "__main__":
    sys.exit(main())
