"""The chart contract (static/js/charts.js): every chart box names a drawer that exists, no template draws
a chart inline, and ECharts is loaded only by pages that draw charts."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

import jingkai

SRC = Path(jingkai.__file__).parent
DRAWERS = set(re.findall(r'^    "([a-z-]+)": function', (SRC / "static/js/charts.js").read_text(), re.M))


def templates():
    return list(SRC.rglob("templates/**/*.html"))


def test_every_chart_box_names_a_drawer_and_its_data():
    assert {"grid-bars", "steps", "bar-line", "lines", "answer-rate", "visits-demands"} <= DRAWERS
    boxes = 0
    for path in templates():
        for tag in re.findall(r"<div[^>]*\bdata-chart=[^>]*>", path.read_text()):
            boxes += 1
            kind = re.search(r'data-chart="([^"]+)"', tag).group(1)
            assert kind in DRAWERS, (path.name, kind)
            assert "data-chart-data=" in tag, (path.name, tag)
    assert boxes >= 9


def test_no_template_draws_a_chart_inline():
    for path in templates():
        text = path.read_text()
        assert "echarts.init" not in text, path
        if path.name != "charts.html":
            assert "echarts.min.js" not in text, path


def test_echarts_is_loaded_only_where_charts_are_drawn(client, zone):
    client.force_login(zone["zone_admin"])
    assert "echarts.min.js" not in client.get(reverse("enterprises:list")).content.decode()
    assert "echarts.min.js" not in client.get(reverse("visits:list")).content.decode()
    dashboard = client.get(reverse("demands:dashboard")).content.decode()
    assert "echarts.min.js" in dashboard and "js/charts.js" in dashboard
