"""The year's 规上 roll derived from the December reports (stats/roll.py), and the grid leaders' notices (issue 11 §6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingkai.core.contributions import Listener
from jingkai.enterprises import roll as scale
from jingkai.enterprises.coverage import find_gaps
from jingkai.enterprises.models import AnnualScale
from jingkai.notifications.models import Notification
from jingkai.stats import roll
from jingkai.stats.models import MonthlyReport
from tests.core.imports.helpers import table, xlsx
from tests.core.test_contributions import declare  # noqa: F401 (fixture)

YEAR = 2023
LIMIT = Decimal("20000000")  # 2,000万元 in 元
JUST_BELOW = LIMIT - Decimal("0.01")


def december(enterprise, revenue, year=YEAR):
    return MonthlyReport.objects.create(
        enterprise=enterprise, period=dt.date(year, 12, 1), revenue_cum=revenue
    )


@pytest.fixture
def reports(zone):
    """below1 reaches exactly 2,000万 (enters), above2 falls a fen short (leaves), above1 stays above, below2
    stays below a fen short; a November report of a big revenue decides nothing."""
    december(zone.below1, LIMIT)
    december(zone.above2, JUST_BELOW)
    december(zone.above1, Decimal("80000000"))
    december(zone.below2, JUST_BELOW)
    MonthlyReport.objects.create(enterprise=zone.below2, period=dt.date(YEAR, 11, 1), revenue_cum=LIMIT * 2)
    return zone


@pytest.fixture
def listening(declare):  # noqa: F811
    """The listener that stats/contributions.py declares for the roll (the grid leaders' notices)."""
    declare("stats", Listener(scale.ROLL_COMMITTED, roll.notify_grid_leaders))


def test_the_threshold_is_inclusive():
    assert (
        scale.is_above_size(LIMIT) and not scale.is_above_size(JUST_BELOW) and not scale.is_above_size(None)
    )


def test_derivation_at_exactly_and_just_below_2000_wan(reports):
    zone = reports
    plan, undecided = roll.plan_from_reports(YEAR)
    moves = {item.enterprise.name: (item.move, item.above_size) for item in plan.items}
    assert moves == {
        zone.below1.name: ("entering", True),
        zone.above2.name: ("leaving", False),
        zone.above1.name: ("unchanged", True),
        zone.below2.name: ("unchanged", False),
    }
    assert undecided == 0 and plan.counts == {"entering": 1, "leaving": 1, "unchanged": 2}
    assert not AnnualScale.objects.filter(year=YEAR).exists()


def test_no_december_report_keeps_the_status_and_a_blank_revenue_decides_nothing(zone):
    december(zone.below1, None)
    plan, undecided = roll.plan_from_reports(YEAR)
    assert undecided == 1
    assert all(item.carried and item.move == "unchanged" for item in plan.items) and len(plan.items) == 4


def test_the_page_previews_then_commits_with_history(client, reports):
    zone = reports
    admin = zone["zone_admin"]
    client.force_login(admin)
    url = reverse("stats:scale_roll")
    preview = client.get(url, {"year": YEAR})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="scale-roll-commit"' in html
    assert [preview.context["plan"].counts[k] for k in ("entering", "leaving", "unchanged")] == [1, 1, 2]
    assert html.count('data-move="entering"') == 1 and html.count('data-move="leaving"') == 1
    assert not AnnualScale.objects.filter(year=YEAR).exists()  # a preview writes nothing

    done = client.post(url, {"year": YEAR})
    assert done.status_code == 302
    rows = {r.enterprise_id: (r.above_size, r.revenue) for r in AnnualScale.objects.filter(year=YEAR)}
    assert rows == {
        zone.below1.pk: (True, LIMIT),
        zone.above2.pk: (False, JUST_BELOW),
        zone.above1.pk: (True, Decimal("80000000")),
        zone.below2.pk: (False, JUST_BELOW),
    }
    assert {r.history_user for r in AnnualScale.history.filter(year=YEAR)} == {admin}
    gaps = {(gap.kind, gap.enterprise_id) for gap in find_gaps()}
    assert gaps == {("above_no_grid", zone.below1.pk), ("below_no_community", zone.above2.pk)}


def test_the_grid_leaders_concerned_are_notified(reports, listening):
    zone = reports
    zone.below1.grid = zone.grid1  # a 规下 enterprise already placed in grid 1 enters
    zone.below1.save()
    roll.commit_from_reports(YEAR, zone["zone_admin"])
    notices = {(n.recipient_id, n.url) for n in Notification.objects.filter(kind=roll.NOTICE_KIND)}
    leader2 = zone.grid2.assignments.get(role="leader").user_id
    assert notices == {
        (zone["grid_leader"].pk, zone.below1.get_absolute_url()),  # entering, in grid 1
        (leader2, zone.above2.get_absolute_url()),  # leaving grid 2
    }
    assert not Notification.objects.filter(recipient=zone["grid_officer"]).exists()  # leaders only
    roll.commit_from_reports(YEAR, zone["zone_admin"])
    assert Notification.objects.filter(kind=roll.NOTICE_KIND).count() == 2  # not twice


def test_an_imported_roll_notifies_the_grid_leader_too(client, zone, listening):
    client.force_login(zone["zone_admin"])
    content = xlsx(
        {
            "名录": table(
                [{"统一社会信用代码": zone.above1.uscc, "企业名称": zone.above1.name, "规上/规下": "规下"}]
            )
        }
    )
    file = SimpleUploadedFile("名录.xlsx", content)
    url = client.post(reverse("enterprises:scale_roll:import"), {"file": file, "year": YEAR})["Location"]
    assert client.post(url).status_code == 302
    notice = Notification.objects.get(kind=roll.NOTICE_KIND)
    assert notice.recipient == zone["grid_leader"] and zone.above1.name in notice.title


@pytest.mark.parametrize(
    "persona", ["grid_leader", "grid_officer", "community_officer", "department", "enterprise"]
)
def test_only_zone_admins_derive_the_roll(client, reports, persona):
    client.force_login(reports[persona])
    url = reverse("stats:scale_roll")
    assert client.get(url, {"year": YEAR}).status_code == 403
    assert client.post(url, {"year": YEAR}).status_code == 403
    assert not AnnualScale.objects.filter(year=YEAR).exists()


def test_the_derivation_card_shows_on_the_roll_page_when_declared(client, zone, declare):  # noqa: F811
    from jingkai.core.contributions import Panel
    from jingkai.stats import views

    declare(
        "stats",
        Panel(
            "scale_roll.sources",
            "stats",
            render=views.scale_roll_panel,
            permission="enterprises.can_run_scale_roll",
        ),
    )
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("enterprises:scale_roll")).content.decode()
    assert 'data-source="stats"' in html and reverse("stats:scale_roll") in html
