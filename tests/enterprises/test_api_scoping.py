"""Every persona against every API surface: lists equal the scoping matrix, the rest is 404."""

from __future__ import annotations

import pytest

from jingkai.enterprises.models import Enterprise
from tests.conftest import PERSONAS, VISIBLE

ENTERPRISES = ["above1", "above2", "below1", "below2"]
# Grids each persona may see (department and enterprise contacts see none).
GRIDS_VISIBLE = {
    "zone_admin": {"grid1", "grid2"},
    "grid_leader": {"grid1"},
    "grid_officer": {"grid1"},
    "community_officer": set(),
    "department": set(),
    "enterprise": set(),
    "outsider": {"grid2"},
}


def names(zone, keys) -> set[str]:
    return {getattr(zone, key).name for key in keys}


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_list_is_exactly_what_the_persona_may_see(zone, api_as, persona):
    response = api_as(persona).get("/api/enterprises")
    assert response.status_code == 200
    body = response.json()
    assert {item["name"] for item in body["items"]} == names(zone, VISIBLE[persona])
    assert body["count"] == len(VISIBLE[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("key", ENTERPRISES)
def test_enterprise_detail_is_404_outside_the_scope(zone, api_as, persona, key):
    enterprise = getattr(zone, key)
    client = api_as(persona)
    expected = 200 if key in VISIBLE[persona] else 404
    by_id = client.get(f"/api/enterprises/{enterprise.pk}")
    by_code = client.get(f"/api/enterprises/{enterprise.uscc}")
    assert (by_id.status_code, by_code.status_code) == (expected, expected)
    if expected == 200:
        assert by_code.json()["id"] == enterprise.pk
    else:
        assert by_id.json() == {"detail": "Not found"}
        assert enterprise.name not in by_code.content.decode()


@pytest.mark.parametrize(
    ("persona", "key"), [(p, k) for p in PERSONAS for k in ENTERPRISES if k not in VISIBLE[p]]
)
def test_patch_outside_the_scope_is_404_and_changes_nothing(zone, api_as, persona, key):
    enterprise = getattr(zone, key)
    response = api_as(persona).patch(
        f"/api/enterprises/{enterprise.pk}", {"employees": 7}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Enterprise.objects.get(pk=enterprise.pk).employees == enterprise.employees


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_list_is_exactly_the_grids_the_persona_may_see(zone, api_as, persona):
    body = api_as(persona).get("/api/grids").json()
    assert {item["code"] for item in body["items"]} == {getattr(zone, g).code for g in GRIDS_VISIBLE[persona]}
    assert body["count"] == len(GRIDS_VISIBLE[persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("grid_key", ["grid1", "grid2"])
def test_grid_enterprises_are_404_for_an_invisible_grid(zone, api_as, persona, grid_key):
    grid = getattr(zone, grid_key)
    response = api_as(persona).get(f"/api/grids/{grid.code}/enterprises")
    if grid_key not in GRIDS_VISIBLE[persona]:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    in_grid = {key for key in ENTERPRISES if getattr(zone, key).grid_id == grid.pk}
    assert {item["name"] for item in response.json()["items"]} == names(zone, in_grid & VISIBLE[persona])


def test_grid_list_shows_leaders_officers_and_counts(zone, admin_api):
    items = {item["code"]: item for item in admin_api.get("/api/grids").json()["items"]}
    first = items[zone.grid1.code]
    assert first["leaders"] == [str(zone["grid_leader"])]
    assert first["officers"] == [str(zone["grid_officer"])]
    assert first["enterprise_count"] == Enterprise.objects.filter(grid=zone.grid1).count() == 1
    assert items[zone.grid2.code]["officers"] == [str(zone["outsider"])]


def test_grid_code_is_case_insensitive(zone, api_as):
    response = api_as("grid_officer").get(f"/api/grids/{zone.grid1.code.lower()}/enterprises")
    assert [item["name"] for item in response.json()["items"]] == [zone.above1.name]
