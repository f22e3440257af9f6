"""A grid officer in the field, on a 390 px phone in Debian's Chromium: the enterprise list shows cards, the
profile puts 登记走访 on the first screen, a visit is logged with a demand, and the not-visited count drops."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jingkai.demands.models import Demand, DemandCategory
from jingkai.visits.models import Visit, VisitKind
from tests.demands.conftest import ensure_default_categories

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}  # iPhone 12–15 in CSS pixels
PHONE_NUMBER = "0512 6688 1234"


def screenshot(page, name):
    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"phone-{name}.png"), full_page=True)


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', "pw-for-tests-1")
    page.click('button[type="submit"]')
    page.wait_for_url(live_server.url + reverse("home"))


def test_a_grid_officer_logs_a_visit_from_a_phone(transactional_db, live_server, zone, page):
    from playwright.sync_api import expect

    ensure_default_categories()
    category = DemandCategory.objects.get(code="policy-consult")
    enterprise = zone.above1
    contact = enterprise.contacts.get()
    contact.phone = PHONE_NUMBER
    contact.save()
    today = timezone.localdate()
    not_visited_url = live_server.url + reverse("visits:not_visited") + f"?on={today:%Y-%m-%d}"

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "grid_officer")

    # Before: the grid's 规上 enterprise is due this quarter and not visited.
    page.goto(not_visited_url)
    expect(page.locator("#not-visited-count")).to_have_text("1")

    # The list: a card per enterprise, the table hidden; the name on one line, with 规上 and the grid.
    page.goto(live_server.url + reverse("enterprises:list"))
    cards = page.locator("#enterprise-cards .jk-enterprise-card")
    expect(cards).to_have_count(1)
    expect(page.locator("#enterprise-rows-table")).to_be_hidden()
    card = cards.first
    expect(card).to_be_visible()
    name = card.locator(".jk-card-name")
    expect(name).to_have_text(enterprise.name)
    expect(card).to_contain_text("规上")
    expect(card).to_contain_text(enterprise.grid.name)
    line_height = name.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    name_box = name.bounding_box()
    print(
        f"\n[390px] list card name: {name_box['width']:.0f} x {name_box['height']:.0f} px, line {line_height}"
    )
    assert name_box["height"] < 1.5 * line_height  # the full name on one line, not two characters a line
    screenshot(page, "enterprise-list")

    # The profile: 登记走访 and the call link on the first screen, the long sections folded.
    name.click()
    page.wait_for_url(live_server.url + enterprise.get_absolute_url())
    log_visit = page.locator('#profile-actions [data-action="log-visit"]')
    expect(log_visit).to_be_visible()
    expect(log_visit).to_have_text("登记走访")
    box = log_visit.bounding_box()
    call = page.locator('#profile-actions [data-action="call"]')
    # The number is masked (docs/security.md §4): the call link comes with the audited reveal, not before it.
    expect(call).to_contain_text("0512-****1234")
    assert PHONE_NUMBER.replace(" ", "")[-8:] not in page.content()
    call_box = call.bounding_box()
    expect(page.locator('#profile-actions [data-action="file-demand"]')).to_be_visible()
    expect(page.locator("#profile-summary")).to_contain_text(enterprise.grid.name)
    expect(page.locator("#fold-history")).to_be_hidden()
    expect(page.locator("#fold-basic")).to_be_hidden()
    panel_button = page.locator("#enterprise-visits a.btn")
    panel_top = panel_button.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(
        f"[390px] profile: 登记走访 top {box['y']:.0f} px, call top {call_box['y']:.0f} px, "
        f"visit panel button at {panel_top:.0f} px, page {height} px"
    )
    assert box["y"] + box["height"] < PHONE["height"]
    assert call_box["y"] + call_box["height"] < PHONE["height"]
    screenshot(page, "enterprise-profile")

    # A folded section opens on a tap.
    page.locator('[data-bs-target="#fold-basic"]').click()
    expect(page.locator('[data-field="uscc"]')).to_be_visible()

    # The visit form: enterprise, kind (网格员走访) and today are filled in; one demand raised.
    log_visit.click()
    page.wait_for_url("**" + reverse("visits:create") + "*")
    expect(page.locator('select[name="enterprise"]')).to_have_value(str(enterprise.pk))
    expect(page.locator('select[name="kind"]')).to_have_value(VisitKind.OFFICER)
    expect(page.locator('input[name="visited_on"]')).to_have_value(f"{today:%Y-%m-%d}")
    page.fill('textarea[name="policies"]', "宣讲稳岗补贴政策")
    page.select_option('select[name="demand-0-category"]', str(category.pk))
    page.fill('input[name="demand-0-title"]', "用工招聘对接")
    page.fill('textarea[name="demand-0-description"]', "需要对接 20 名数控操作工")
    page.click('form:has([name="demand-0-category"]) button[type="submit"]')
    page.wait_for_url("**/visits/*/")
    expect(page.get_by_text("用工招聘对接")).to_be_visible()

    visit = Visit.objects.get()
    assert visit.kind == VisitKind.OFFICER
    assert visit.visited_on == today
    assert list(visit.visitors.all()) == [zone["grid_officer"]]
    demand = Demand.objects.get()
    assert (demand.enterprise, demand.title) == (enterprise, "用工招聘对接")

    # After: nothing left to visit in the grid this quarter.
    page.goto(not_visited_url)
    expect(page.locator("#not-visited-count")).to_have_text("0")
