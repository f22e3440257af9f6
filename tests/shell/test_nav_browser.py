"""The navigation bar in Chromium (issue 11 §4): the zone administrator's sections, grouped into menus by area of
work, fit one line at 1280 and 1440 px, and every section is reachable through its menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 1440])
def test_the_admins_navigation_fits_one_line_and_opens_its_menus(
    transactional_db, live_server, zone, page, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', "zone_admin")
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))
    links = page.locator("#jk-nav > ul > li > a")
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    heights = {round(links.nth(i).bounding_box()["height"]) for i in range(links.count())}
    assert len(tops) == 1, tops  # one row of sections
    assert max(heights) < 50, heights  # no label wraps onto a second line
    page.click('[data-nav-group="registry"] > a')
    coverage = page.locator(
        f'[data-nav-group="registry"] .dropdown-menu a[href="{reverse("grids:coverage")}"]'
    )
    coverage.click()
    page.wait_for_url(live_server.url + reverse("grids:coverage"))
    assert "active" in page.locator('[data-nav-group="registry"] > a').get_attribute("class")
