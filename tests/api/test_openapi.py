"""The published contract: OpenAPI at /api/openapi.json and the interactive docs at /api/docs."""

from __future__ import annotations

from django.test import Client


def test_openapi_lists_every_path_with_its_methods(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "经开 Jingkai API"
    methods = {path: set(ops) for path, ops in schema["paths"].items()}
    # Each area's tests pin its own paths (tests/<area>/test_api*.py); these are the foundation's.
    foundation = {
        "/api/enterprises": {"get", "post"},
        "/api/enterprises/{ident}": {"get", "patch"},
        "/api/grids": {"get"},
        "/api/grids/{code}/enterprises": {"get"},
        "/api/notifications": {"get"},
        "/api/notifications/{notification_id}/read": {"post"},
    }
    assert {path: methods.get(path) for path in foundation} == foundation


def test_openapi_documents_the_filters_and_enumerates_their_values(db):
    schema = Client().get("/api/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/enterprises"]["get"]["parameters"]}
    expected = {"limit", "offset", "q", "grid", "community", "chain", "scale", "year", "origin"}
    expected |= {"industry", "honour", "park", "group", "status", "sort"}
    assert set(params) == expected
    scale = params["scale"]["schema"]["anyOf"][0]
    assert scale["enum"] == ["above", "below"]


def test_openapi_declares_both_authentication_methods(db):
    schemes = Client().get("/api/openapi.json").json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_is_served(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_docs_page_loads_no_asset_from_a_cdn(db):
    # Zone networks are often closed: the docs must work without the internet (ARCHITECTURE.md §4).
    content = Client().get("/api/docs").content.decode()
    assert "cdn." not in content
    assert "/static/ninja/swagger-ui-bundle.js" in content
