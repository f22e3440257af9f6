"""Every page with a chart, as each role that may see it, on the demo zone served as a user runs it (issue 11 §4):
every chart box on the page is drawn by ECharts and holds data (read back from its instance), so a chart that is
drawn empty (data encoded twice, a wrong key, no rows) cannot return unnoticed.

The demo is built into a scratch SQLite database and served by `jingkai serve` in a process of its own; Chromium
(Playwright) signs in as each demo user. `test_every_chart_template_is_opened_here` keeps the list complete: a
template that gains a chart (`data-chart=`) fails it until a page showing it is listed below.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jingkai.accounts.demo import demo_code

SRC = Path(__file__).resolve().parents[2] / "src" / "jingkai"
PASSWORD = "jingkai-demo"

# Each template with a chart, and the page (as a path template) that shows it.
CHART_TEMPLATES = {
    "enterprises/_home_grid_chart.html": "/",
    "enterprises/detail.html": "/enterprises/{enterprise}/",
    "analytics/enterprise_panel.html": "/enterprises/{enterprise}/",  # the profile's htmx panel
    "analytics/_chart_box.html": "/economy/",
    "demands/dashboard.html": "/demands/dashboard/",
    "visits/dashboard.html": "/visits/grids/G01/",
    "campaigns/results.html": "/campaigns/{campaign}/results/",
    "investment/figures.html": "/investment/figures/",
    "evaluation/run.html": "/evaluation/2022/",
    "evaluation/_class_box.html": "/evaluation/2022/",
}
# Who opens which page, and which of its charts they must find drawn (ids; "*" any chart boxes on the page).
VISITS = {
    "zone_admin": ["/", "/enterprises/{enterprise}/", "/economy/", "/economy/by/chain/", "/economy/by/origin/",
                   "/economy/by/park/", "/economy/by/group/", "/economy/grids/{grid}/", "/demands/dashboard/",
                   "/visits/grids/G01/", "/campaigns/{campaign}/results/", "/investment/figures/",
                   "/evaluation/2022/"],
    "grid_leader": ["/enterprises/{enterprise}/", "/economy/", "/economy/grids/{grid}/", "/demands/dashboard/",
                    "/visits/grids/G01/",
                    "/evaluation/2022/"],
    "grid_officer": ["/enterprises/{enterprise}/", "/economy/", "/demands/dashboard/", "/visits/grids/G01/",
                     "/evaluation/2022/"],
    "community_officer": ["/demands/dashboard/", "/evaluation/2022/"],
    "department": ["/economy/", "/demands/dashboard/"],
    "investment": ["/investment/figures/"],
    "enterprise": ["/enterprises/{enterprise}/"],
}  # fmt: skip


def test_every_chart_template_is_opened_here():
    with_charts = {
        "/".join(path.parts[path.parts.index("templates") + 1 :])
        for path in SRC.rglob("*.html")
        if "data-chart=" in path.read_text(encoding="utf-8")
    }
    assert with_charts == set(CHART_TEMPLATES)
    opened = {path for paths in VISITS.values() for path in paths}
    assert set(CHART_TEMPLATES.values()) <= opened


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("charts") / "demo.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in ("JINGKAI_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    built = subprocess.run(
        [sys.executable, "-m", "jingkai", "demo", "--no-serve", "--db", str(db)],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    port = _free_port()
    env["JINGKAI_DATABASE_URL"] = f"sqlite:///{db}"
    server = subprocess.Popen(
        [sys.executable, "-m", "jingkai", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the demo server did not answer")
        with sqlite3.connect(db) as conn:
            ids = {
                "enterprise": conn.execute(
                    "select id from enterprises_enterprise where name = '津上精密机床（浙江）有限公司'"
                ).fetchone()[0],
                "grid": conn.execute("select id from grids_grid where code = 'G01'").fetchone()[0],
                "campaign": conn.execute(
                    "select id from campaigns_campaign where title = '2022年复工复产企业排查'"
                ).fetchone()[0],
            }
        yield url, ids
    finally:
        server.terminate()
        server.wait(timeout=30)


def sign_in(page, url: str, persona: str) -> None:
    """Sign in through the login form as a demo user; the demo's administrators then enter a one-time code of
    the demo's second factor (README, Demo logins)."""
    page.goto(url + "/login/")
    page.fill('input[name="username"]', persona)
    page.fill('input[name="password"]', PASSWORD)
    page.click("form[action='/login/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/account/otp/" in page.url:
        page.fill('input[name="token"]', demo_code())
        page.click("#jk-otp-verify button[type=submit]")
        page.wait_for_load_state("networkidle")


DRAWN = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  if (!chart) return {id: el.id || el.dataset.chartData, drawn: false, points: 0};
  const series = chart.getOption().series || [];
  const points = series.reduce((n, s) => n + (s.data || []).filter(v => {
    const x = (v && typeof v === 'object' && 'value' in v) ? v.value : v;
    return x !== null && x !== undefined && x !== '-' && !(Array.isArray(x) && x.length === 0);
  }).length, 0);
  return {id: el.id || el.dataset.chartData, drawn: true, series: series.length, points: points};
})"""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("persona", list(VISITS))
def test_every_chart_draws_data_for_each_role(demo_server, browser, persona):
    url, ids = demo_server
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, url, persona)
    found = {}
    for path in VISITS[persona]:
        target = path.format(**ids)
        response = page.goto(url + target)
        assert response.status == 200, (persona, target, response.status)
        page.wait_for_load_state("networkidle")
        # The htmx panels (the profile's statistics) replace their placeholders; a loaded machine can go quiet
        # for half a second before htmx has even asked for them, so wait for the placeholders to be gone.
        page.wait_for_function("() => !document.querySelector('div[hx-get][data-panel]')", timeout=30_000)
        page.wait_for_load_state("networkidle")
        charts = page.evaluate(DRAWN)
        assert charts, (persona, target, "no chart on the page")
        for chart in charts:
            assert chart["drawn"] and chart["series"] and chart["points"] > 0, (persona, target, chart)
        found[target] = [c["id"] for c in charts]
    context.close()
    assert errors == []
    if persona == "zone_admin":  # the two charts of the profile: the capital history and the statistics panel
        profile = found[f"/enterprises/{ids['enterprise']}/"]
        assert "capital-chart" in profile and "enterprise-trend-chart" in profile
        assert {"histogram-chart", "chain-chart", "grid-chart", "park-chart"} <= set(
            found["/evaluation/2022/"]
        )
    assert all(re.match(r"^[\w-]+$", i or "") for ids_ in found.values() for i in ids_)
