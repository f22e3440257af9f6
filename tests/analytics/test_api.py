"""The summary and enterprise-statistics API: figures, validation and scoping."""

from __future__ import annotations

import datetime as dt

import pytest

from jingkai.analytics import engine
from tests.analytics.conftest import YI
from tests.conftest import PERSONAS, VISIBLE


@pytest.fixture
def refreshed(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), dt.date(2022, 12, 1)])
    return stats_zone


def test_openapi_lists_the_stats_paths(api_as):
    paths = api_as("zone_admin").get("/api/openapi.json").json()["paths"]
    assert "/api/stats/summary" in paths
    assert "/api/stats/targets" in paths
    assert "/api/enterprises/{ident}/stats" in paths


def test_summary_by_chain(refreshed, admin_api):
    body = admin_api.get("/api/stats/summary?period=2022-12&by=chain").json()
    assert body["period"] == "2022-12" and body["scope"] == "zone" and body["unit"] == "money"
    assert float(body["total"]["cum"]) == 215 * YI
    assert body["total"]["enterprises"] == 4
    assert body["total"]["yoy_cum"] == pytest.approx(185 / 170 - 1, abs=1e-6)
    items = {i["label"]: i for i in body["items"]}
    assert float(items["汽车电子"]["cum"]) == 160 * YI
    assert items["汽车电子"]["yoy_cum"] == pytest.approx(160 / 150 - 1, abs=1e-6)
    assert [i["label"] for i in body["items"]][0] == "汽车电子"  # largest first


def test_summary_validates_its_parameters(refreshed, admin_api):
    for query, field in (("period=2022-13", "period"), ("by=colour", "by"), ("measure=joy", "measure")):
        response = admin_api.get(f"/api/stats/summary?{query}")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", field]


def test_summary_defaults_to_the_latest_period(refreshed, admin_api):
    assert admin_api.get("/api/stats/summary?by=grid").json()["period"] == "2022-12"


@pytest.mark.parametrize("persona", PERSONAS)
def test_summary_scoping(refreshed, api_as, persona):
    response = api_as(persona).get("/api/stats/summary?period=2022-12&by=grid")
    if persona in ("zone_admin", "department"):
        assert response.status_code == 200
        assert response.json()["scope"] == "zone"
        assert len(response.json()["items"]) == 2
    elif persona in ("grid_leader", "grid_officer", "outsider"):
        body = response.json()
        assert body["scope"] == "visible"
        grid = refreshed.grid1 if persona != "outsider" else refreshed.grid2
        assert [i["key"] for i in body["items"]] == [str(grid.pk)]
        expected = 145 if grid == refreshed.grid1 else 70
        assert float(body["total"]["cum"]) == expected * YI
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", ["above1", "above2", "below1"])
def test_enterprise_stats_is_404_outside_the_scope(refreshed, api_as, persona, key):
    enterprise = getattr(refreshed, key)
    response = api_as(persona).get(f"/api/enterprises/{enterprise.pk}/stats")
    assert response.status_code == (200 if key in VISIBLE[persona] else 404)


def test_enterprise_stats_gives_yoy(refreshed, admin_api):
    body = admin_api.get(f"/api/enterprises/{refreshed.above1.uscc}/stats").json()
    assert [p["period"] for p in body["periods"]] == ["2021-12", "2022-12"]
    latest = body["periods"][-1]["measures"]["output"]
    assert float(latest["cum"]) == 120 * YI
    assert latest["yoy_cum"] == pytest.approx(0.2)
    assert body["periods"][0]["measures"]["output"]["yoy_cum"] is None
