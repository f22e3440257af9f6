"""A zone administrator signs in, searches the enterprise list and opens a profile, in Debian's Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.browser


def test_search_and_open_a_profile(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    enterprise = zone.above1

    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "zone_admin")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))

    page.goto(live_server.url + reverse("enterprises:list"))
    rows = page.locator("#enterprise-table tbody a.fw-semibold")
    expect(rows).to_have_count(4)
    page.fill('input[name="q"]', "精密机床")
    page.press('input[name="q"]', "Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text(enterprise.name)
    assert "q=" in page.url  # the search is in the address, whether htmx swapped the table or not

    rows.first.click()
    page.wait_for_url(live_server.url + enterprise.get_absolute_url())
    expect(page.locator("h1")).to_have_text(enterprise.name)
    expect(page.locator('[data-field="uscc"]')).to_have_text(enterprise.uscc)

    screenshots = Path(settings.VAR_DIR) / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshots / "enterprise-profile.png"), full_page=True)
