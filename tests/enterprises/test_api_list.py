"""GET /api/enterprises: items, pagination, every filter, and a query count independent of page size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingkai.chains.models import Chain, ChainMembership, ChainRole
from jingkai.core import pinyin
from jingkai.core.money import format_money
from jingkai.enterprises.choices import EnterpriseStatus, Origin
from tests import factories as f


def listed(client, **params) -> list[str]:
    response = client.get("/api/enterprises", params)
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_item_fields(zone, admin_api):
    group = f.GroupFactory(name="尼得科集团")
    park = f.ParkFactory(code="jp-park", name="日本产业园")
    ent = zone.above2
    ent.origin, ent.origin_country = Origin.FOREIGN, "JP"
    ent.registered_capital, ent.registered_capital_currency = Decimal("113700000.50"), "USD"
    ent.group, ent.park, ent.land_area_mu = group, park, Decimal("86.25")
    ent.save()
    items = {item["name"]: item for item in admin_api.get("/api/enterprises").json()["items"]}
    item = items[ent.name]
    assert item["uscc"] == ent.uscc
    assert item["origin_label"] == "日资"
    # Decimals travel as strings so that no cent is lost to floating point.
    assert item["registered_capital"] == "113700000.50"
    assert item["registered_capital_currency"] == "USD"
    assert item["registered_capital_display"] == format_money(ent.registered_capital, "USD", unit="万")
    assert item["land_area_mu"] == "86.25"
    assert item["group"] == {"id": group.pk, "name": group.name}
    assert item["park"] == {"code": "jp-park", "name": "日本产业园"}
    assert item["grid"] == {"code": zone.grid2.code, "name": zone.grid2.name}
    assert item["community"] is None
    assert items[zone.below1.name]["community"] == {
        "code": zone.community1.code,
        "name": zone.community1.name,
    }
    assert item["founded_on"] == ent.founded_on.isoformat()
    assert item["updated_at"]


def test_above_size_follows_the_requested_or_latest_year(zone, admin_api):
    f.AnnualScaleFactory(enterprise=zone.below1, year=2023, above_size=True)
    latest = {i["name"]: i["above_size"] for i in admin_api.get("/api/enterprises").json()["items"]}
    assert latest == {
        zone.below1.name: True,
        zone.above1.name: None,
        zone.above2.name: None,
        zone.below2.name: None,
    }
    in_2022 = {
        i["name"]: i["above_size"] for i in admin_api.get("/api/enterprises?year=2022").json()["items"]
    }
    assert in_2022 == {
        zone.above1.name: True,
        zone.above2.name: True,
        zone.below1.name: False,
        zone.below2.name: False,
    }


def test_pagination(zone, admin_api):
    for n in range(6):
        f.EnterpriseFactory(name=f"戊{n}有限公司")
    everything = listed(admin_api, limit=500)
    assert len(everything) == 10
    pages = [
        admin_api.get("/api/enterprises", {"limit": 3, "offset": offset}).json() for offset in (0, 3, 6, 9)
    ]
    assert [page["count"] for page in pages] == [10, 10, 10, 10]
    assert [len(page["items"]) for page in pages] == [3, 3, 3, 1]
    assert [item["name"] for page in pages for item in page["items"]] == everything
    assert admin_api.get("/api/enterprises", {"offset": 50}).json() == {"items": [], "count": 10}


def test_default_page_is_50(zone, admin_api):
    f.EnterpriseFactory.create_batch(50)
    body = admin_api.get("/api/enterprises").json()
    assert (len(body["items"]), body["count"]) == (50, 54)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"scale": "huge"}, "scale"),
        ({"origin": "mars"}, "origin"),
        ({"honour": "nobel"}, "honour"),
        ({"status": "sleeping"}, "status"),
        ({"sort": "revenue"}, "sort"),
        ({"year": "last"}, "year"),
        ({"group": "x"}, "group"),
    ],
)
def test_a_bad_parameter_is_422_naming_it(zone, admin_api, params, field):
    response = admin_api.get("/api/enterprises", params)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [e["loc"] for e in errors] == [["query", field]]
    assert all(e["msg"] and e["type"] for e in errors)


def test_filter_q_matches_names_and_code_prefixes(zone, admin_api):
    assert listed(admin_api, q="精密") == [zone.above1.name]
    assert listed(admin_api, q=zone.above2.uscc[:12].lower()) == sorted(
        (
            e.name
            for e in (zone.above1, zone.above2, zone.below1, zone.below2)
            if e.uscc.startswith(zone.above2.uscc[:12])
        ),
        key=pinyin.sort_key,
    )
    assert listed(admin_api, q=zone.below2.uscc) == [zone.below2.name]


def test_filter_grid_and_community(zone, admin_api):
    assert listed(admin_api, grid=zone.grid1.code) == [zone.above1.name]
    assert listed(admin_api, grid=str(zone.grid2.pk)) == [zone.above2.name]
    assert set(listed(admin_api, grid="none")) == {zone.below1.name, zone.below2.name}
    assert listed(admin_api, community=zone.community2.code) == [zone.below2.name]
    assert listed(admin_api, grid="G99") == []


def test_filters_never_widen_the_scope(zone, api_as):
    officer = api_as("grid_officer")
    assert listed(officer, grid=zone.grid2.code) == []
    assert listed(officer, q=zone.above2.uscc) == []


def test_filter_chain(zone, admin_api):
    chain = Chain.objects.create(code="auto-parts", name="汽车零部件")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above2, role=ChainRole.LEADER)
    ChainMembership.objects.create(chain=chain, enterprise=zone.below1, role=ChainRole.SUPPLIER)
    assert set(listed(admin_api, chain="auto-parts")) == {zone.above2.name, zone.below1.name}


def test_filter_scale_and_year(zone, admin_api):
    assert set(listed(admin_api, scale="above")) == {zone.above1.name, zone.above2.name}
    assert set(listed(admin_api, scale="below")) == {zone.below1.name, zone.below2.name}
    f.AnnualScaleFactory(enterprise=zone.below2, year=2021, above_size=True)
    assert listed(admin_api, scale="above", year=2021) == [zone.below2.name]


def test_filter_origin(zone, admin_api):
    zone.above2.origin, zone.above2.origin_country = Origin.FOREIGN, "JP"
    zone.above2.save()
    zone.below1.origin, zone.below1.origin_country = Origin.FOREIGN, "DE"
    zone.below1.save()
    assert listed(admin_api, origin="JP") == [zone.above2.name]
    assert set(listed(admin_api, origin="foreign")) == {zone.above2.name, zone.below1.name}
    assert set(listed(admin_api, origin="domestic")) == {zone.above1.name, zone.below2.name}


def test_filter_industry(zone, admin_api):
    zone.below1.industry_code = "C3961"
    zone.below1.save()
    assert listed(admin_api, industry="C39") == [zone.below1.name]
    assert listed(admin_api, industry="39") == [zone.below1.name]
    assert len(listed(admin_api, industry="C")) == 4


def test_filter_honour_counts_only_valid_certificates(zone, admin_api):
    today = dt.date.today()
    f.HonourFactory(
        enterprise=zone.above1,
        certified_on=today - dt.timedelta(days=30),
        expires_on=today + dt.timedelta(days=300),
    )
    f.HonourFactory(
        enterprise=zone.below1,
        certified_on=today - dt.timedelta(days=1200),
        expires_on=today - dt.timedelta(days=1),
    )
    # Validity is judged at the end of the data year the list shows, or today if that is earlier.
    assert listed(admin_api, honour="high_tech", year=today.year) == [zone.above1.name]


def test_filter_honour_judges_validity_at_the_end_of_the_data_year(zone, admin_api):
    # The zone's data year is 2022: a certificate held then counts, though it has expired since.
    f.HonourFactory(enterprise=zone.above2, certified_on=dt.date(2020, 3, 1), expires_on=dt.date(2023, 2, 28))
    f.HonourFactory(enterprise=zone.below2, certified_on=dt.date(2023, 1, 5), expires_on=dt.date(2026, 1, 4))
    assert listed(admin_api, honour="high_tech", year=2022) == [zone.above2.name]
    assert listed(admin_api, honour="high_tech") == [zone.above2.name]  # latest data year: 2022
    assert listed(admin_api, honour="high_tech", year=2023) == [zone.below2.name]


def test_filter_park_group_and_status(zone, admin_api):
    park, group = f.ParkFactory(code="de-park"), f.GroupFactory()
    zone.above1.park = park
    zone.above1.save()
    zone.below2.group = group
    zone.below2.status = EnterpriseStatus.RELOCATED
    zone.below2.save()
    assert listed(admin_api, park="de-park") == [zone.above1.name]
    assert listed(admin_api, group=group.pk) == [zone.below2.name]
    assert listed(admin_api, status="relocated") == [zone.below2.name]


def test_sort(zone, admin_api):
    by_name = listed(admin_api)
    assert by_name == sorted(by_name, key=pinyin.sort_key)  # by pinyin, as people look names up
    assert listed(admin_api, sort="-name") == by_name[::-1]
    zone.below2.employees = 5000
    zone.below2.save()
    assert listed(admin_api, sort="-employees")[0] == zone.below2.name


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["zone_admin", "grid_officer"])
def test_query_count_does_not_grow_with_the_page(zone, api_as, persona):
    group, park = f.GroupFactory(), f.ParkFactory()
    for _ in range(30):
        ent = f.EnterpriseFactory(grid=zone.grid1, group=group, park=park)
        f.AnnualScaleFactory(enterprise=ent, year=2022)
    client = api_as(persona)
    # A token's first use in the hour writes its last use and an audit event (docs/security.md §2): not the page's.
    client.get("/api/enterprises?limit=1")
    assert queries_for(client, "/api/enterprises?limit=2") == queries_for(client, "/api/enterprises?limit=30")
    filtered = "/api/enterprises?scale=above&industry=C34&limit="
    assert queries_for(client, filtered + "2") == queries_for(client, filtered + "30")
    grid_page = f"/api/grids/{zone.grid1.code}/enterprises"
    assert queries_for(client, grid_page + "?limit=2") == queries_for(client, grid_page + "?limit=30")


def test_grid_list_query_count_does_not_grow_with_the_page(zone, admin_api):
    for _ in range(10):
        grid = f.GridFactory()
        f.GridAssignmentFactory(grid=grid, role="leader")
        f.EnterpriseFactory(grid=grid)
    admin_api.get("/api/grids?limit=1")  # the token's first use writes its last use and an audit event
    assert queries_for(admin_api, "/api/grids?limit=1") == queries_for(admin_api, "/api/grids?limit=12")


def test_grid_enterprises_take_the_same_filters(zone, admin_api):
    extra = f.EnterpriseFactory(name="己有限公司", grid=zone.grid1)
    url = f"/api/grids/{zone.grid1.code}/enterprises"
    assert set(listed_at(admin_api, url)) == {zone.above1.name, extra.name}
    assert listed_at(admin_api, url, scale="above") == [zone.above1.name]
    page = admin_api.get(url, {"limit": 1, "offset": 1}).json()
    assert (len(page["items"]), page["count"]) == (1, 2)
    assert admin_api.get(url, {"scale": "huge"}).status_code == 422


def listed_at(client, url, **params) -> list[str]:
    return [item["name"] for item in client.get(url, params).json()["items"]]
