"""The grid dashboard: scoped like the grid, figures from the visits and from demands.metrics."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from jingkai.demands.models import Demand, DemandCategory, DemandState
from jingkai.visits import dashboard
from jingkai.visits.services import log_visit

ON = dt.date(2023, 5, 20)


@pytest.fixture
def grid_activity(zone):
    category = DemandCategory.objects.get(code="policy-consult")
    admin = zone["zone_admin"]
    visit = log_visit(
        actor=zone["grid_officer"],
        enterprise=zone.above1,
        visited_on=dt.date(2023, 4, 12),
        kind="officer",
        demands=[
            {"category": category, "description": "稳岗补贴如何申请"},
            {"category": category, "description": "研发费用加计扣除口径"},
        ],
    )
    log_visit(actor=admin, enterprise=zone.above1, visited_on=dt.date(2023, 2, 3), kind="leader")
    log_visit(
        actor=admin,
        enterprise=zone.above2,
        visited_on=dt.date(2023, 4, 20),
        kind="leader",
        demands=[{"category": category, "description": "另一网格的诉求"}],
    )
    first = visit.demands.order_by("pk").first()
    closed_at = timezone.make_aware(dt.datetime(2023, 4, 20, 10))
    Demand.objects.filter(pk=first.pk).update(state=DemandState.CLOSED, closed_at=closed_at, rating=5)
    return visit


def test_visit_demands_are_filed_with_the_visit_channel(zone, grid_activity):
    demands = list(grid_activity.demands.all())
    assert len(demands) == 2
    assert {d.channel for d in demands} == {"visit"}
    assert {d.enterprise_id for d in demands} == {zone.above1.pk}


def test_dashboard_figures(zone, grid_activity):
    figures = dashboard.grid_figures(zone.grid1, zone["grid_leader"], ON)
    assert (figures["due"], figures["visited_due"], figures["not_visited"]) == (1, 1, 0)
    assert figures["quarter_visits"] == 1  # the February visit was in the first quarter
    assert figures["demands"]["total"] == 2  # the other grid's demand is not counted
    assert figures["demands"]["open"] == 1
    assert figures["demands"]["satisfaction_rate"] == 1.0
    months = figures["chart"]["months"]
    assert months[-1] == "2023-05" and len(months) == 12
    leader_visits = next(s for s in figures["chart"]["visits"] if s["kind"] == "leader")
    assert leader_visits["data"][months.index("2023-02")] == 1
    officer_visits = next(s for s in figures["chart"]["visits"] if s["kind"] == "officer")
    assert officer_visits["data"][months.index("2023-04")] == 1


@pytest.mark.parametrize(
    ("persona", "grids"),
    [
        ("zone_admin", {"grid1", "grid2"}),
        ("grid_leader", {"grid1"}),
        ("grid_officer", {"grid1"}),
        ("outsider", {"grid2"}),
        ("community_officer", set()),
        ("department", set()),
        ("enterprise", set()),
    ],
)
def test_dashboard_is_scoped(client, zone, grid_activity, persona, grids):
    client.force_login(zone[persona])
    for key in ("grid1", "grid2"):
        grid = getattr(zone, key)
        page = client.get(reverse("visits:dashboard", args=[grid.code]), {"on": ON.isoformat()})
        export = client.get(reverse("visits:dashboard_export", args=[grid.code]), {"on": ON.isoformat()})
        expected = 200 if key in grids else 404
        assert (page.status_code, export.status_code) == (expected, expected), key


def test_dashboard_page_and_export(client, zone, grid_activity):
    client.force_login(zone["grid_leader"])
    response = client.get(reverse("visits:dashboard", args=[zone.grid1.code]), {"on": ON.isoformat()})
    html = response.content.decode()
    assert 'data-figure="open">1<' in html
    assert "dashboard-chart-data" in html
    grid_page = client.get(reverse("grids:detail", args=[zone.grid1.code]))
    assert reverse("visits:dashboard", args=[zone.grid1.code]) in grid_page.content.decode()
    export = client.get(reverse("visits:dashboard_export", args=[zone.grid1.code]), {"on": ON.isoformat()})
    book = CalamineWorkbook.from_filelike(io.BytesIO(export.content))
    figures = book.get_sheet_by_index(0).to_python()
    values = [row[1] for row in figures[1:]]
    assert values[0] == zone.grid1.name
    assert 2.0 in values and 1.0 in values
    by_month = book.get_sheet_by_index(1).to_python()
    assert len(by_month) == 13
