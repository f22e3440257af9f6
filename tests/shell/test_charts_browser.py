"""static/js/charts.js in Chromium: each page's chart boxes are drawn from their json_script data, with
no script error, on pages loaded whole and in panels that htmx brings in later."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.browser


def test_charts_draw_from_their_data(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    f.CapitalChangeFactory(enterprise=zone.above1)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "zone_admin")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))

    expect(page.locator("#grid-chart canvas")).to_have_count(1)  # the admin sees two grids: compared
    page.goto(live_server.url + zone.above1.get_absolute_url())
    expect(page.locator("#capital-chart canvas")).to_have_count(1)
    expect(page.locator("#enterprise-stats")).to_be_visible()  # the htmx panel arrived (no figures: no box)
    page.goto(live_server.url + reverse("demands:dashboard"))
    expect(page.locator("#demand-chart canvas")).to_have_count(1)
    # Drawn from its data, not merely drawn: the instance holds the months and a series per measure.
    option = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('demand-chart')).getOption();"
        " return {labels: o.xAxis[0].data, series: o.series.map(s => s.data.length)}; }"
    )
    assert len(option["labels"]) == 12
    assert option["series"] and all(n == 12 for n in option["series"])
    assert errors == []
