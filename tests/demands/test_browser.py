"""An enterprise contact files a demand (seeing a similar open one suggested), follows it and rates it,
in Debian's Chromium."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingkai.demands.models import Demand, DemandCategory, DemandState
from tests.demands.conftest import ensure_default_categories, step

pytestmark = pytest.mark.browser


def test_file_follow_and_rate(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    ensure_default_categories()
    category = DemandCategory.objects.get(code="infra-road")
    from jingkai.demands import services

    earlier = services.submit_demand(
        actor=zone["grid_officer"],
        enterprise=zone.above1,
        category=category,
        description="厂区门口道路破损积水，货车通行困难",
        channel="visit",
    )
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "enterprise")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_load_state()

    page.goto(live_server.url + reverse("demands:list"))
    page.click("#file-demand")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_description", "门口道路积水严重，货车进不来")
    page.press("#id_description", "Space")
    expect(page.locator(f'[data-similar="{earlier.pk}"]')).to_be_visible()
    page.fill("#id_description", "申请在东门增设货车临时停车位，目前无处停放")
    page.click('#demand-form button[type="submit"]')
    expect(page.locator("#demand-state")).to_have_attribute("data-state", "submitted")
    demand = Demand.objects.exclude(pk=earlier.pk).get()
    assert demand.channel == "portal" and demand.enterprise == zone.above1

    # The zone and the department do their part.
    econ = zone["department"].department
    demand = step(demand, "accept", zone["zone_admin"])
    demand = step(demand, "assign", zone["zone_admin"], department=econ)
    demand = step(demand, "take", zone["department"])
    demand = step(demand, "reply", zone["department"], note="已在东门规划临时停车位20个")

    page.reload()
    expect(page.locator("#demand-reply")).to_contain_text("临时停车位")
    form = page.locator('form[data-step="rate"]')
    form.locator("#rating-5").check()
    form.locator('button[type="submit"]').click()
    expect(page.locator("#demand-state")).to_have_attribute("data-state", "closed")
    expect(page.locator("#demand-rating")).to_contain_text("非常满意")
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.rating == 5
    expect(page.locator("#timeline li")).to_have_count(6)
