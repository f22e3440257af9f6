"""/api/projects, /api/arrivals and /api/investment/summary: paths, scoping, stage moves, errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.translation import gettext

from jingkai.investment import services
from jingkai.investment.models import Figure


def test_openapi_pins_the_investment_paths(api_as):
    schema = api_as("zone_admin").get("/api/openapi.json").json()
    methods = {path: set(ops) for path, ops in schema["paths"].items()}
    expected = {
        "/api/projects": {"get", "post"},
        "/api/projects/{project_id}": {"get"},
        "/api/projects/{project_id}/stage": {"post"},
        "/api/projects/{project_id}/arrivals": {"get", "post"},
        "/api/arrivals": {"get"},
        "/api/investment/summary": {"get"},
    }
    assert {path: methods.get(path) for path in expected} == expected
    params = {p["name"] for p in schema["paths"]["/api/investment/summary"]["get"]["parameters"]}
    assert params == {"year", "from", "to", "by"}


VISIBLE = {
    "zone_admin": {"P1", "P2", "P3", "P4"},
    "investment": {"P1", "P2", "P3", "P4"},
    "grid_leader": {"P1"},
    "grid_officer": {"P1"},
    "community_officer": {"P3"},
    "outsider": {"P2"},
    "department": set(),
    "enterprise": set(),
}


@pytest.mark.parametrize("persona", sorted(VISIBLE))
def test_list_and_detail_are_scoped(api_as, inv, persona):
    client = api_as(persona)
    body = client.get("/api/projects").json()
    assert {item["code"] for item in body["items"]} == VISIBLE[persona]
    assert body["count"] == len(VISIBLE[persona])
    for project in (inv.p_grid1, inv.p_grid2, inv.p_comm1, inv.p_none):
        status = client.get(f"/api/projects/{project.pk}").status_code
        assert status == (200 if project.code in VISIBLE[persona] else 404)


def test_create_and_move_through_the_api(api_as, inv):
    client = api_as("investment")
    response = client.post(
        "/api/projects",
        {
            "code": "API1",
            "name": "新项目",
            "investor": "某株式会社",
            "kind": "new",
            "origin": "foreign",
            "country": "JP",
            "owner": "investment",
            "enterprise": str(inv.above1.pk),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pid = response.json()["id"]
    url = f"/api/projects/{pid}/stage"
    assert client.post(url, {"stage": "negotiating"}, content_type="application/json").status_code == 200
    refused = client.post(
        url, {"stage": "signed", "values": {"contract_on": "2022-03-01"}}, content_type="application/json"
    )
    assert refused.status_code == 422
    locs = {tuple(d["loc"]) for d in refused.json()["detail"]}
    assert locs == {("body", "total_investment"), ("body", "contract_foreign_capital")}
    ok = client.post(
        url,
        {
            "stage": "signed",
            "values": {
                "contract_on": "2022-03-01",
                "total_investment": "50000000",
                "contract_foreign_capital": "3000000",
            },
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["stage"] == "signed"
    assert [e["to_stage"] for e in ok.json()["stage_log"]] == ["lead", "negotiating", "signed"]
    back = client.post(url, {"stage": "lead"}, content_type="application/json")
    assert back.status_code == 422
    assert gettext("Only a zone administrator may override it.") in back.json()["detail"][0]["msg"]


def test_grid_staff_read_but_cannot_write(api_as, inv):
    client = api_as("grid_officer")
    assert (
        client.post(
            f"/api/projects/{inv.p_grid1.pk}/stage", {"stage": "negotiating"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/projects/{inv.p_grid2.pk}/stage", {"stage": "negotiating"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/projects",
            {"code": "X", "name": "x", "investor": "x", "kind": "new"},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_arrivals_and_summary(api_as, inv):
    staff = inv["investment"]
    client = api_as("investment")
    response = client.post(
        f"/api/projects/{inv.p_grid1.pk}/arrivals",
        {"on": "2022-12-31", "kind": "domestic", "amount": "120000000"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    wrong = client.post(
        f"/api/projects/{inv.p_grid1.pk}/arrivals",
        {"on": "2022-12-31", "kind": "domestic", "amount": "1", "currency": "USD"},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    services.add_arrival(
        inv.p_grid2, {"on": dt.date(2023, 1, 1), "kind": "domestic", "amount": Decimal(5)}, staff
    )
    body = client.get("/api/investment/summary?year=2022").json()
    assert body["figures"]["domestic_arrived"] == {
        "label": str(Figure.DOMESTIC_ARRIVED.label),
        "value": "120000000.00",
        "currency": "CNY",
        "display": "1.2亿元",
    }
    edge = client.get("/api/investment/summary?from=2022-12-31&to=2023-01-01").json()
    assert edge["figures"]["domestic_arrived"]["value"] == "120000005.00"
    assert client.get("/api/investment/summary?year=2022&by=colour").status_code == 422
    arrivals = client.get("/api/arrivals?from=2023-01-01").json()
    assert [a["amount"] for a in arrivals] == ["5.00"]
    # Grid staff's figures cover their grids' projects only; an enterprise contact sees none.
    grid = api_as("outsider").get("/api/investment/summary?year=2023").json()
    assert grid["figures"]["domestic_arrived"]["value"] == "5.00"
    assert api_as("enterprise").get("/api/arrivals").json() == []


def test_list_and_summary_queries_do_not_grow_with_projects(api_as, inv):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.investment.conftest import make_project

    client = api_as("investment")

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    services.add_arrival(
        inv.p_grid1, {"on": dt.date(2022, 5, 1), "kind": "domestic", "amount": Decimal(1)}, inv["investment"]
    )
    client.get("/api/projects")  # the token's first use writes its last use and an audit event
    before = (count("/api/projects"), count("/api/investment/summary?year=2022&by=owner"))
    staff = inv["investment"]
    for i in range(25):
        project = make_project(staff, f"N{i}", owner=staff, enterprise=inv.above1)
        services.add_arrival(
            project, {"on": dt.date(2022, 5, 1), "kind": "domestic", "amount": Decimal(1)}, staff
        )
    after = (count("/api/projects"), count("/api/investment/summary?year=2022&by=owner"))
    assert after == before


def test_staff_link_an_enterprise_outside_their_view_only_by_its_credit_code(api_as, inv):
    from tests import factories as f

    unseen = f.EnterpriseFactory(grid=inv.grid2)
    client = api_as("investment")
    body = {"name": "新项目", "investor": "某公司", "kind": "new", "origin": "domestic"}

    by_id = client.post("/api/projects", body | {"code": "L1", "enterprise": str(unseen.pk)},
                        content_type="application/json")  # fmt: skip
    assert by_id.status_code == 422
    assert {tuple(d["loc"]) for d in by_id.json()["detail"]} == {("body", "enterprise")}
    by_code = client.post("/api/projects", body | {"code": "L2", "enterprise": unseen.uscc.lower()},
                          content_type="application/json")  # fmt: skip
    assert by_code.status_code == 201, by_code.content
