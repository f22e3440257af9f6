"""`jingkai demo` end to end, in a subprocess like a user runs it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from jingkai.demo.generator import DEMO_PASSWORD, DEMO_USERNAMES

pytestmark = pytest.mark.slow


def run_demo(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "JINGKAI_DATABASE_URL"}
    if env_url:
        env["JINGKAI_DATABASE_URL"] = env_url
    return subprocess.run(
        [sys.executable, "-m", "jingkai", "demo", "--no-serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_demo_runs_twice_and_refuses_a_foreign_database(tmp_path):
    db = tmp_path / "demo.sqlite3"
    first = run_demo("--db", str(db), "--port", "8123")
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8123/" in first.stdout
    assert DEMO_PASSWORD in first.stdout
    for username in DEMO_USERNAMES:
        assert username in first.stdout

    # What a user did in the demo survives a second run by the same code; --fresh loads it afresh.
    with sqlite3.connect(db) as conn:
        conn.execute("update core_user set first_name = '改过' where username = 'grid_officer'")
    second = run_demo("--db", str(db))
    assert second.returncode == 0, second.stderr
    assert "jingkai demo --fresh" in second.stdout and DEMO_PASSWORD in second.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "select first_name from core_user where username = 'grid_officer'"
        ).fetchone() == ("改过",)
    fresh = run_demo("--db", str(db), "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute(
            "select first_name from core_user where username = 'grid_officer'"
        ).fetchone() != ("改过",)
        assert conn.execute("select count(*) from core_user where username = 'zone_admin'").fetchone() == (1,)
    # Code that changed since the load (here: a stamp from other code) loads it afresh, and says so.
    stamp = db.with_name(db.name + ".demo.json")
    stamp.write_text(stamp.read_text().replace('"fingerprint": "', '"fingerprint": "old'))
    changed = run_demo("--db", str(db))
    assert changed.returncode == 0, changed.stderr
    assert "loading it afresh" in changed.stdout or "重新载入" in changed.stdout
    with sqlite3.connect(db) as conn:
        # Someone adopts the file for real work: the demo must no longer wipe it on its own.
        conn.execute("update core_user set email = 'someone@example.com' where username = 'department'")
    refused = run_demo("--db", str(db))
    assert refused.returncode != 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("select email from core_user where username = 'department'").fetchone() == (
            "someone@example.com",
        )
    forced = run_demo("--db", str(db), "--force")
    assert forced.returncode == 0, forced.stderr


def test_demo_uses_the_database_url_from_the_environment(tmp_path):
    db = tmp_path / "from-env.sqlite3"
    result = run_demo("--scale", "300", env_url=f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from enterprises_enterprise").fetchone()[0] > 1000
        # The synthetic enterprises get monthly statistics, and the dashboards' rollups are rebuilt over them.
        # At the demo's last month (the one before the load date), over the 规上 set of its year.
        last = conn.execute("select max(period) from stats_monthlyreport").fetchone()[0]
        reporting = conn.execute(
            "select count(*) from stats_monthlyreport m join enterprises_annualscale a"
            " on a.enterprise_id = m.enterprise_id and a.year = cast(substr(m.period, 1, 4) as integer)"
            " and a.above_size where m.period = ?",
            [last],
        ).fetchone()[0]
        rolled_up = conn.execute(
            "select enterprises from analytics_rollup where dimension = 'zone' and period = ?", [last]
        ).fetchone()[0]
        assert reporting > 300
        assert rolled_up == reporting


def test_demo_builds_on_postgresql_in_a_database_of_its_own():
    """On CI's PostgreSQL pass: the demo loads into a scratch database (it flushes, then VACUUM ANALYZE)."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("runs on the PostgreSQL pass (JINGKAI_DATABASE_URL=postgres://…)")
    import psycopg

    name = f"{default['NAME']}_demo_{os.getpid()}"
    admin = {k: default[k] or None for k in ("USER", "PASSWORD", "HOST", "PORT")}
    connect = {
        "dbname": "postgres",
        "user": admin["USER"],
        "password": admin["PASSWORD"],
        "host": admin["HOST"],
        "port": admin["PORT"],
    }
    with psycopg.connect(**connect, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        host = f"{admin['HOST'] or '127.0.0.1'}:{admin['PORT'] or 5432}"
        auth = admin["USER"] + (f":{admin['PASSWORD']}" if admin["PASSWORD"] else "")
        result = run_demo(env_url=f"postgres://{auth}@{host}/{name}")
        assert result.returncode == 0, result.stderr
        assert DEMO_PASSWORD in result.stdout
        # The demo empties a server database with flush, data migrations' rows included: every later
        # chapter must still load (the demand categories are put back by the demands demo).
        with psycopg.connect(**{**connect, "dbname": name}) as conn:
            counts = {
                table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in (
                    "demands_demandcategory",
                    "demands_demand",
                    "stats_monthlyreport",
                    "visits_visit",
                    "campaigns_campaigntarget",
                    "investment_project",
                )
            }
        assert all(counts.values()), counts
    finally:
        with psycopg.connect(**connect, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
