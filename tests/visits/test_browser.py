"""A grid leader opens the grid dashboard and the campaign results in Debian's Chromium: the charts draw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingkai.campaigns import services as campaign_services
from jingkai.visits.services import log_visit
from tests.campaigns.conftest import campaign_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_dashboard_and_results_charts(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    log_visit(
        actor=zone["grid_officer"], enterprise=zone.above1, visited_on=dt.date(2023, 5, 4), kind="officer"
    )
    campaign = campaign_services.create_campaign(zone["zone_admin"], campaign_data())
    campaign_services.launch_campaign(campaign, zone["zone_admin"])
    campaign_services.answer(
        campaign.targets.get(enterprise=zone.above1),
        zone["grid_officer"],
        {"status": "正常生产", "return_rate": 96},
    )
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "grid_leader")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))

    page.goto(live_server.url + reverse("visits:dashboard", args=[zone.grid1.code]) + "?on=2023-06-30")
    expect(page.locator("#dashboard-chart canvas")).to_have_count(1)
    expect(page.locator('[data-figure="visited_due"]')).to_have_text("1 / 1")

    page.goto(live_server.url + reverse("campaigns:results", args=[campaign.pk]))
    expect(page.locator("#rate-chart canvas")).to_have_count(1)
    expect(page.locator(".jk-choice-chart canvas")).to_have_count(2)  # 生产经营状态 and the yes/no field
    expect(page.locator("#results-table tbody tr")).to_have_count(2)  # the grid and the total
