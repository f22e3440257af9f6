"""The enterprise profile costs a fixed number of queries, at most 14, whatever the rows of its cards (issue 13
§5: it had grown to 25): for the zone administrator and for a grid officer, with 1 and with 5 rows in each card
(honours, capital changes, contacts, 规上 years, group members, visits with visitors, demands, chain
memberships), and on the demo zone (evaluation results, investment projects, the lot)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingkai.chains.models import Chain, ChainMembership
from jingkai.core.models import User
from jingkai.demands import services as demand_services
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import DemandCategory
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import GridAssignment
from jingkai.visits.models import VisitKind
from jingkai.visits.services import log_visit
from tests import factories as f

MAX_QUERIES = 14


def add_rows(zone, start: int, count: int) -> None:
    """count more rows in every card of above1's profile (numbered from start, so that rows stay unique)."""
    ent = zone.above1
    admin = zone["zone_admin"]
    if ent.group_id is None:
        ent.group = f.GroupFactory()
        ent.save()
    ensure_defaults()
    category = DemandCategory.objects.get(code="policy-consult")
    for i in range(start, start + count):
        f.EnterpriseFactory(group=ent.group)
        f.HonourFactory(enterprise=ent, title=f"荣誉{i}")
        f.CapitalChangeFactory(enterprise=ent, changed_on=dt.date(2010 + i, 1, 1))
        f.ContactFactory(enterprise=ent, name=f"联系人甲{i}", is_primary=False)
        f.AnnualScaleFactory(enterprise=ent, year=2000 + i)
        log_visit(
            actor=admin,
            enterprise=ent,
            visited_on=dt.date(2023, 1, 1) + dt.timedelta(days=i),
            kind=VisitKind.OFFICER,
            visitors=[zone["grid_officer"], zone["grid_leader"]],
            policies=f"政策宣讲{i}",
        )
        demand_services.submit_demand(
            actor=admin,
            enterprise=ent,
            category=category,
            description=f"希望了解研发费用加计扣除政策的申报流程{i}",
            channel="hotline",
        )
        chain = Chain.objects.create(code=f"chain-{i}", name=f"产业链{i}")
        ChainMembership.objects.create(chain=chain, enterprise=ent)


def profile_queries(client, ent) -> tuple[int, str]:
    url = reverse("enterprises:detail", args=[ent.pk])
    client.get(url)  # warm the caches (content types, the session) so that only the page's queries count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["zone_admin", "grid_officer"])
def test_the_profile_costs_at_most_14_queries_whatever_its_rows(client, zone, persona):
    client.force_login(zone[persona])
    add_rows(zone, 1, 1)
    one, page = profile_queries(client, zone.above1)
    assert "政策宣讲1" in page and "产业链1" in page and "荣誉1" in page
    assert zone["grid_officer"].full_name in page  # the visit's visitors
    add_rows(zone, 2, 4)
    five, page = profile_queries(client, zone.above1)
    assert "产业链5" in page and "荣誉5" in page and "联系人甲5" in page
    assert '<span class="badge text-bg-secondary">5 / 5</span>' in page  # open / all demands
    assert one == five, f"{one} queries with one row per card, {five} with five"
    assert five <= MAX_QUERIES


@pytest.mark.django_db
def test_the_change_log_comes_by_its_own_request_at_a_fixed_cost(client, zone):
    client.force_login(zone["zone_admin"])
    url = reverse("enterprises:history", args=[zone.above1.pk])
    add_rows(zone, 1, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_rows(zone, 2, 4)
    with CaptureQueriesContext(connection) as five:
        body = client.get(url).content.decode()
    assert "荣誉5" in body and "产业链5" in body
    assert len(one) == len(five)
    client.force_login(zone["outsider"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_demo_profiles_cost_at_most_14_queries(demo_zone, client):
    ent = Enterprise.objects.get(name="津上精密机床（浙江）有限公司")
    officer = (
        GridAssignment.objects.filter(grid=ent.grid_id, role="officer", end_date__isnull=True)
        .select_related("user")
        .first()
        .user
    )
    for user in (User.objects.get(username="zone_admin"), officer):
        client.force_login(user)
        count, page = profile_queries(client, ent)
        assert 'id="enterprise-visits"' in page
        assert count <= MAX_QUERIES, (user.username, count)
