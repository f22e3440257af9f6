"""A zone administrator signs in, searches the enterprise list and opens a profile, in Debian's Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must not pass by skipping its only end-to-end check
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_search_and_open_a_profile(transactional_db, live_server, zone, browser):
    from playwright.sync_api import expect

    enterprise = zone.above1
    page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page.set_default_timeout(15_000)

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
