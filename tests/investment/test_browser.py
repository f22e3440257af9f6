"""招商 staff move a project forward in Chromium: the stage form names the refusal, the figures chart draws."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jingkai.investment import services

pytestmark = pytest.mark.browser


def test_stage_move_and_figures_chart(transactional_db, live_server, inv, page):
    from playwright.sync_api import expect

    staff = inv["investment"]
    staff.set_password("pw-for-tests-1")
    staff.save()
    services.add_arrival(
        inv.p_none, {"on": dt.date(2022, 3, 1), "kind": "domestic", "amount": Decimal(10**8)}, staff
    )
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "investment")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))

    page.goto(live_server.url + reverse("investment:stage", args=[inv.p_none.pk]) + "?to=signed")
    expect(page.locator("[data-refusal]")).to_be_visible()
    page.goto(live_server.url + reverse("investment:stage", args=[inv.p_none.pk]) + "?to=negotiating")
    page.select_option('select[name="owner"]', str(staff.pk))
    page.click("form.card button.btn-primary")
    page.wait_for_url(live_server.url + reverse("investment:detail", args=[inv.p_none.pk]))
    expect(page.locator('[data-stage="negotiating"]')).to_be_visible()

    page.goto(live_server.url + reverse("investment:figures") + "?year=2022")
    expect(page.locator('[data-figure="domestic_arrived"]')).to_contain_text("1亿元")
    expect(page.locator("#investment-chart canvas")).to_have_count(1)
