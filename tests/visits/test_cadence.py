"""Not visited in time: quarter boundaries, 规上/规下 by the latest year, the configured cadence, and
a query count that does not grow with the number of enterprises."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingkai.enterprises.models import Enterprise
from jingkai.visits import cadence
from jingkai.visits.models import CadencePeriod, ScaleClass, VisitCadence
from jingkai.visits.services import log_visit
from tests import factories as f


def not_visited(on, enterprises=None):
    return set(
        cadence.not_visited_rows(enterprises or Enterprise.objects.all(), on).values_list("name", flat=True)
    )


def test_periods():
    assert cadence.period_containing("quarter", dt.date(2023, 3, 31)).start == dt.date(2023, 1, 1)
    q2 = cadence.period_containing("quarter", dt.date(2023, 4, 1))
    assert (q2.start, q2.end, q2.label) == (dt.date(2023, 4, 1), dt.date(2023, 6, 30), "2023年第2季度")
    q4 = cadence.period_containing("quarter", dt.date(2023, 12, 31))
    assert (q4.start, q4.end) == (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    h2 = cadence.period_containing("half_year", dt.date(2023, 7, 1))
    assert (h2.start, h2.end, h2.label) == (dt.date(2023, 7, 1), dt.date(2023, 12, 31), "2023年下半年")
    assert cadence.period_containing("none", dt.date(2023, 7, 1)) is None


def test_quarter_boundaries_decide_which_visit_counts(zone):
    admin = zone["zone_admin"]
    log_visit(actor=admin, enterprise=zone.above1, visited_on=dt.date(2023, 3, 31), kind="officer")
    log_visit(actor=admin, enterprise=zone.above2, visited_on=dt.date(2023, 4, 1), kind="officer")
    # By default only 规上 enterprises are due, each quarter.
    assert not_visited(dt.date(2023, 3, 15)) == {zone.above2.name}
    assert not_visited(dt.date(2023, 5, 15)) == {zone.above1.name}
    assert not_visited(dt.date(2023, 6, 30)) == {zone.above1.name}
    assert not_visited(dt.date(2023, 7, 1)) == {zone.above1.name, zone.above2.name}
    rows = {e.name: e for e in cadence.not_visited_rows(Enterprise.objects.all(), dt.date(2023, 5, 15))}
    assert rows[zone.above1.name].last_visit == dt.date(2023, 3, 31)
    assert rows[zone.above1.name].above_size is True


def test_scale_is_judged_on_the_latest_year_and_the_cadence_is_configurable(zone):
    # 2023 figures arrive: above2 drops below the line, below1 rises above it.
    f.AnnualScaleFactory(enterprise=zone.above1, year=2023, above_size=True)
    f.AnnualScaleFactory(enterprise=zone.above2, year=2023, above_size=False, revenue=1)
    f.AnnualScaleFactory(enterprise=zone.below1, year=2023, above_size=True)
    f.AnnualScaleFactory(enterprise=zone.below2, year=2023, above_size=False, revenue=1)
    on = dt.date(2023, 8, 1)
    assert not_visited(on) == {zone.above1.name, zone.below1.name}
    VisitCadence.objects.create(scale_class=ScaleClass.BELOW, period=CadencePeriod.HALF_YEAR)
    log_visit(
        actor=zone["zone_admin"], enterprise=zone.below2, visited_on=dt.date(2023, 7, 3), kind="officer"
    )
    assert not_visited(on) == {zone.above1.name, zone.below1.name, zone.above2.name}
    VisitCadence.objects.update_or_create(
        scale_class=ScaleClass.ABOVE, defaults={"period": CadencePeriod.NONE}
    )
    assert not_visited(on) == {zone.above2.name}


def test_closed_enterprises_are_not_due(zone):
    zone.above2.status = "deregistered"
    zone.above2.save()
    assert not_visited(dt.date(2023, 5, 1)) == {zone.above1.name}


def test_summary_by_grid_and_community(zone):
    log_visit(
        actor=zone["zone_admin"], enterprise=zone.above1, visited_on=dt.date(2023, 5, 1), kind="officer"
    )
    VisitCadence.objects.create(scale_class=ScaleClass.BELOW, period=CadencePeriod.YEAR)
    by_grid = {r["code"]: r for r in cadence.summary_by_area(Enterprise.objects.all(), dt.date(2023, 5, 20))}
    assert (by_grid[zone.grid1.code]["due"], by_grid[zone.grid1.code]["not_visited"]) == (1, 0)
    assert (by_grid[zone.grid2.code]["due"], by_grid[zone.grid2.code]["not_visited"]) == (1, 1)
    by_community = {
        r["code"]: r
        for r in cadence.summary_by_area(Enterprise.objects.all(), dt.date(2023, 5, 20), "community")
    }
    assert by_community[zone.community1.code]["not_visited"] == 1


def _count_queries(on):
    with CaptureQueriesContext(connection) as ctx:
        list(cadence.not_visited_rows(Enterprise.objects.all(), on))
        cadence.summary_by_area(Enterprise.objects.all(), on)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_enterprises(zone):
    on = dt.date(2023, 5, 1)
    small = _count_queries(on)
    for _i in range(30):
        ent = f.EnterpriseFactory(grid=zone.grid1)
        f.AnnualScaleFactory(enterprise=ent, year=2022, above_size=True)
        log_visit(actor=zone["zone_admin"], enterprise=ent, visited_on=dt.date(2023, 1, 9), kind="officer")
    assert len(not_visited(on)) == 32
    assert _count_queries(on) == small


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("zone_admin", {"above1", "above2"}),
        ("grid_leader", {"above1"}),
        ("outsider", {"above2"}),
        ("community_officer", set()),
    ],
)
def test_not_visited_page_is_scoped(client, zone, persona, expected):
    client.force_login(zone[persona])
    response = client.get(reverse("visits:not_visited"), {"on": "2023-05-01"})
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("above1", "above2", "below1", "below2"):
        assert (getattr(zone, key).name in html) == (key in expected), key


@pytest.mark.parametrize("persona", ["department", "enterprise"])
def test_not_visited_page_is_for_staff(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("visits:not_visited")).status_code == 403


def test_not_visited_for_another_grid_is_404(client, zone):
    client.force_login(zone["grid_leader"])
    assert client.get(reverse("visits:not_visited"), {"grid": zone.grid2.code}).status_code == 404
    assert client.get(reverse("visits:not_visited_export"), {"grid": zone.grid2.code}).status_code == 404
    ok = client.get(reverse("visits:not_visited_export"), {"grid": zone.grid1.code, "on": "2023-05-01"})
    assert ok.status_code == 200
