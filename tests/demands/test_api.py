"""/api/demands: the scoping matrix, create, transitions, 409 on conflicts (two threads on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jingkai.demands.models import Demand, DemandState
from tests.conftest import PERSONAS

# Which of the four demands (one per enterprise) each persona sees before any routing.
VISIBLE = {
    "zone_admin": {"above1", "above2", "below1", "below2"},
    "grid_leader": {"above1"},
    "grid_officer": {"above1"},
    "community_officer": {"below1"},
    "department": set(),  # nothing is routed to 经济发展局 yet
    "enterprise": {"above1"},
    "outsider": {"above2"},
}


@pytest.fixture
def four(zone, file_demand):
    return {
        key: file_demand(enterprise=getattr(zone, key)) for key in ("above1", "above2", "below1", "below2")
    }


def test_paths_are_pinned(client):
    schema = __import__("jingkai.api.api", fromlist=["api"]).api.get_openapi_schema()
    for path in (
        "/api/demands",
        "/api/demands/similar",
        "/api/demands/{demand_id}",
        "/api/demands/{demand_id}/transitions",
    ):
        assert path in schema["paths"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_detail_follow_the_scoping_matrix(zone, four, api_as, persona):
    client = api_as(persona)
    body = client.get("/api/demands").json()
    expected = {four[key].pk for key in VISIBLE[persona]}
    assert {item["id"] for item in body["items"]} == expected and body["count"] == len(expected)
    for key, demand in four.items():
        status = client.get(f"/api/demands/{demand.pk}").status_code
        assert status == (200 if key in VISIBLE[persona] else 404), key


def test_a_department_sees_what_was_ever_routed_to_it_and_those_enterprises(zone, four, api_as):
    dept_client = api_as("department")
    admin = api_as("zone_admin")
    demand = four["above2"]
    admin.post(
        f"/api/demands/{demand.pk}/transitions", {"transition": "accept"}, content_type="application/json"
    )
    r = admin.post(
        f"/api/demands/{demand.pk}/transitions",
        {"transition": "assign", "department": "econ"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert {i["id"] for i in dept_client.get("/api/demands").json()["items"]} == {demand.pk}
    assert dept_client.get(f"/api/enterprises/{zone.above2.pk}").status_code == 200
    assert dept_client.get(f"/api/enterprises/{zone.above1.pk}").status_code == 404
    r = dept_client.post(
        f"/api/demands/{demand.pk}/transitions",
        {"transition": "return", "note": "非本部门"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    assert {i["id"] for i in dept_client.get("/api/demands").json()["items"]} == {demand.pk}  # ever routed


def test_create_and_walk_the_loop(zone, api_as):
    contact = api_as("enterprise")
    r = contact.post(
        "/api/demands",
        {"enterprise": zone.above1.pk, "category": "labour-recruit", "description": "急需招聘数控操作工30名"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["state"] == "submitted"
        and body["channel"] == "portal"
        and body["events"][0]["action"] == "submit"
    )
    other = contact.post(
        "/api/demands",
        {"enterprise": zone.above2.pk, "category": "labour-recruit", "description": "x"},
        content_type="application/json",
    )
    assert other.status_code == 404
    bad = contact.post(
        "/api/demands",
        {"enterprise": zone.above1.pk, "category": "nope", "description": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "category"]
    pk = body["id"]
    admin = api_as("zone_admin")
    r = admin.post(f"/api/demands/{pk}/transitions", {"transition": "take"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["state"] == "submitted"
    r = contact.post(
        f"/api/demands/{pk}/transitions", {"transition": "accept"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = admin.post(
        f"/api/demands/{pk}/transitions", {"transition": "reject"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "note"]
    r = admin.post(
        f"/api/demands/{pk}/transitions",
        {"transition": "accept", "version": 0},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["allowed_transitions"]
    r = admin.post(
        f"/api/demands/{pk}/transitions",
        {"transition": "assign", "department": "econ", "version": 0},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["state"] == "accepted"  # stale version


def test_similar_endpoint(zone, file_demand, api_as):
    demand = file_demand(description="厂区门口道路积水严重，雨天货车无法通行")
    file_demand(description="申请研发费用加计扣除")
    r = api_as("zone_admin").get(
        "/api/demands/similar", {"text": "道路积水货车通行困难", "enterprise": zone.above1.pk}
    )
    assert r.status_code == 200 and [m["id"] for m in r.json()] == [demand.pk]
    r = api_as("outsider").get(
        "/api/demands/similar", {"text": "道路积水货车通行困难", "enterprise": zone.above1.pk}
    )
    assert r.json() == []


def test_filters(zone, four, api_as):
    admin = api_as("zone_admin")
    assert admin.get("/api/demands", {"grid": zone.grid1.code}).json()["count"] == 1
    assert admin.get("/api/demands", {"state": "submitted"}).json()["count"] == 4
    assert admin.get("/api/demands", {"state": "closed"}).json()["count"] == 0
    assert admin.get("/api/demands", {"category": "policy"}).json()["count"] == 4  # includes sub-categories
    r = admin.get("/api/demands", {"deadline": "purple"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "deadline"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_exactly_one_wins(zone, file_demand, api_as):
    """Two threads accept and reject the same demand at once: one 200, one 409 with the winner's state.

    PostgreSQL only: the SQLite test database is in memory with a shared cache, whose table locks fail at
    once instead of waiting ("database table is locked"), so two writers cannot even queue there.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections that wait for each other's locks: runs on PostgreSQL")
    demand = file_demand()
    clients = {p: api_as("zone_admin") for p in ("a", "b")}  # two tokens of one administrator
    barrier = threading.Barrier(2)
    results = {}

    def run(key, body):
        client = clients[key]
        barrier.wait()
        try:
            response = client.post(
                f"/api/demands/{demand.pk}/transitions",
                {**body, "version": 0},
                content_type="application/json",
            )
            results[key] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=("a", {"transition": "accept"})),
        threading.Thread(target=run, args=("b", {"transition": "reject", "note": "重复诉求"})),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(code for code, _body in results.values())
    assert statuses == [200, 409], results
    final = Demand.objects.get(pk=demand.pk)
    loser = next(body for code, body in results.values() if code == 409)
    assert loser["state"] == final.state and final.state in (DemandState.ACCEPTED, DemandState.REJECTED)
    assert final.version == 1 and final.events.exclude(action="submit").count() == 1
