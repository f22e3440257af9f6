"""The run page in Chromium: every chart is drawn from its data (the ECharts instance holds non-empty series)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingkai.chains.models import Chain, ChainMembership
from tests import factories as f
from tests.evaluation.conftest import YEAR

pytestmark = pytest.mark.browser

CHARTS = ["histogram-chart", "chain-chart", "grid-chart", "park-chart"]


def test_run_page_charts_draw_their_data(transactional_db, live_server, evaluated, page):
    from playwright.sync_api import expect

    z = evaluated
    z.above1.park = f.ParkFactory()
    z.above1.save()
    chain = Chain.objects.create(code="machine-tools", name="数控机床")
    ChainMembership.objects.create(chain=chain, enterprise=z.above1)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "zone_admin")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))

    page.goto(live_server.url + reverse("evaluation:run", args=[YEAR]))
    for chart in CHARTS:
        expect(page.locator(f"#{chart} canvas")).to_have_count(1)
    drawn = page.evaluate(
        """(ids) => ids.map((id) => {
             const o = echarts.getInstanceByDom(document.getElementById(id)).getOption();
             return {id, categories: o.xAxis[0].data.length,
                     series: o.series.map((s) => s.data.reduce((a, b) => a + (b || 0), 0))};
           })""",
        CHARTS,
    )
    for chart in drawn:
        assert chart["series"], chart
        assert chart["categories"] > 0, chart
        assert sum(chart["series"]) > 0, chart
    histogram = next(c for c in drawn if c["id"] == "histogram-chart")
    assert sum(histogram["series"]) == 4  # every scored enterprise in a bar
    assert errors == []
