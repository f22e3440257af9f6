"""/api/visits: paths pinned in the OpenAPI schema, the scoping matrix, logging a visit, 422 errors."""

from __future__ import annotations

import pytest

from jingkai.visits.models import Visit
from tests.conftest import PERSONAS, VISIBLE

ENTERPRISES = ("above1", "above2", "below1", "below2")


def test_paths_are_in_the_schema(api_as):
    paths = api_as("zone_admin").get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/visits"])
    assert "get" in paths["/api/visits/{visit_id}"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_detail_follow_the_scoping_matrix(zone, visits, api_as, persona):
    client = api_as(persona)
    body = client.get("/api/visits").json()
    assert {item["enterprise"]["name"] for item in body["items"]} == {
        getattr(zone, key).name for key in VISIBLE[persona]
    }
    assert body["count"] == len(VISIBLE[persona])
    for item in body["items"]:
        assert (item["notes"] is None) == (persona == "enterprise")
    for key in ENTERPRISES:
        response = client.get(f"/api/visits/{visits[key].pk}")
        assert response.status_code == (200 if key in VISIBLE[persona] else 404), key


def test_filters(zone, visits, api_as):
    client = api_as("zone_admin")
    assert client.get("/api/visits", {"grid": zone.grid1.code}).json()["count"] == 1
    assert client.get("/api/visits", {"enterprise": zone.below1.pk}).json()["count"] == 1
    assert client.get("/api/visits", {"kind": "leader"}).json()["count"] == 0
    assert client.get("/api/visits", {"from": "2023-05-11"}).json()["count"] == 0
    assert client.get("/api/visits", {"to": "2023-05-10"}).json()["count"] == 4
    bad = client.get("/api/visits", {"from": "2023-06-01", "to": "2023-01-01"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "to"]


def test_create_a_visit_with_a_demand(zone, api_as):
    client = api_as("grid_officer")
    response = client.post(
        "/api/visits",
        {
            "enterprise": zone.above1.uscc,
            "visited_on": "2023-05-02",
            "kind": "guidance",
            "visitors": ["grid_leader"],
            "policy_tags": ["稳岗补贴"],
            "demands": [{"category": "policy-consult", "description": "政策咨询"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == zone.grid1.code
    assert {v["name"] for v in body["visitors"]} == {str(zone["grid_officer"]), str(zone["grid_leader"])}
    assert len(body["demand_ids"]) == 1


def test_create_errors_are_located_and_write_nothing(zone, api_as):
    client = api_as("grid_officer")
    response = client.post(
        "/api/visits",
        {"enterprise": zone.above2.uscc, "visited_on": "2023-05-02", "kind": "officer"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "enterprise"]
    response = client.post(
        "/api/visits",
        {
            "enterprise": str(zone.above1.pk),
            "visited_on": "2023-05-02",
            "kind": "officer",
            "visitors": ["nobody"],
            "demands": [{"category": "no-such", "description": "x"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {tuple(d["loc"]) for d in response.json()["detail"]} == {
        ("body", "visitors"),
        ("body", "demands.0.category"),
    }
    response = client.post(
        "/api/visits",
        {"enterprise": str(zone.above1.pk), "visited_on": "2023-05-02", "kind": "picnic"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Visit.objects.exists()


def test_enterprise_contacts_may_not_log_visits(zone, api_as):
    response = api_as("enterprise").post(
        "/api/visits",
        {"enterprise": str(zone.above1.pk), "visited_on": "2023-05-02", "kind": "officer"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()
