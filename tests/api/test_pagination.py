"""Every API list pages the same way (jingkai.core.api.Pagination): `{"items": [...], "count": N}`, 50 by
default, a `limit` above 500 refused with a 422 naming it, and invalid filters named by query parameter."""

from __future__ import annotations

import pytest

from jingkai.campaigns import services as campaign_services
from tests.campaigns.conftest import campaign_data


@pytest.fixture
def lists(zone):
    campaign = campaign_services.create_campaign(zone["zone_admin"], campaign_data())
    campaign_services.launch_campaign(campaign, zone["zone_admin"])
    return [
        "/api/enterprises",
        "/api/grids",
        f"/api/grids/{zone.grid1.code}/enterprises",
        "/api/notifications",
        "/api/demands",
        "/api/visits",
        "/api/campaigns",
        f"/api/campaigns/{campaign.pk}/responses",
        "/api/projects",
    ]


def test_every_list_answers_items_and_count_and_refuses_a_limit_above_500(zone, lists, admin_api):
    for url in lists:
        body = admin_api.get(url).json()
        assert {"items", "count"} <= set(body), url
        assert isinstance(body["items"], list) and body["count"] >= len(body["items"]), url
        assert admin_api.get(url, {"limit": 500}).status_code == 200, url
        refused = admin_api.get(url, {"limit": 501})
        assert refused.status_code == 422, url
        assert refused.json()["detail"][0]["loc"] == ["query", "limit"], url


def test_limit_and_offset_page_through_a_list(zone, lists, admin_api):
    url = f"/api/grids/{zone.grid1.code}/enterprises"
    whole = admin_api.get(lists[7]).json()
    assert whole["count"] == len(whole["items"]) == 4  # the zone's four enterprises were asked
    first = admin_api.get(lists[7], {"limit": 3}).json()
    rest = admin_api.get(lists[7], {"limit": 3, "offset": 3}).json()
    assert (len(first["items"]), len(rest["items"]), rest["count"]) == (3, 1, 4)
    assert admin_api.get(url, {"offset": 10}).json()["items"] == []


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/projects", {"rag": "purple"}, "rag"),
        ("/api/projects", {"stage": "dreaming"}, "stage"),
        ("/api/projects", {"year": 1800}, "year"),
        ("/api/demands", {"state": "lost"}, "state"),
        ("/api/demands", {"enterprise": "abc"}, "enterprise"),
        ("/api/visits", {"grid": "G99"}, "grid"),
        ("/api/arrivals", {"from": "2023-13-01"}, "from"),
    ],
)
def test_invalid_filters_are_422_naming_the_query_parameter(zone, admin_api, url, params, field):
    response = admin_api.get(url, params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]
