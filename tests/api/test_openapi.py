"""The published contract: OpenAPI at /api/openapi.json and the interactive docs at /api/docs.

Both are for signed-in callers only (tests/security/test_headers.py): these tests read them signed in.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def signed_in(db) -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def test_openapi_lists_every_path_with_its_methods(signed_in):
    response = signed_in.get("/api/openapi.json")
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


def test_openapi_documents_the_filters_and_enumerates_their_values(signed_in):
    schema = signed_in.get("/api/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/enterprises"]["get"]["parameters"]}
    expected = {"limit", "offset", "q", "grid", "community", "chain", "scale", "year", "origin"}
    expected |= {"industry", "honour", "park", "group", "status", "sort"}
    assert set(params) == expected
    scale = params["scale"]["schema"]["anyOf"][0]
    assert scale["enum"] == ["above", "below"]


def test_openapi_declares_both_authentication_methods(signed_in):
    schemes = signed_in.get("/api/openapi.json").json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_is_served(signed_in):
    response = signed_in.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


def test_docs_page_loads_no_asset_from_a_cdn(signed_in):
    # Zone networks are often closed: the docs must work without the internet (ARCHITECTURE.md §4).
    content = signed_in.get("/api/docs").content.decode()
    assert "cdn." not in content
    assert "/static/ninja/swagger-ui-bundle.js" in content


def _project_schemas():
    """Every pydantic model defined in Jingkai's own modules (ninja's Schema included)."""
    import pydantic

    seen, todo = set(), [pydantic.BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [cls for cls in seen if cls.__module__.startswith("jingkai.")]


def test_no_two_schemas_share_a_component_name(db):
    # OpenAPI names components by class name: a second class of the same name silently replaces the
    # first in the document (POST /api/demands was once documented with the visit form's DemandIn).
    from jingkai.api.api import api  # noqa: F401  (imports every router and its schemas)

    by_name: dict[str, list[str]] = {}
    for cls in _project_schemas():
        by_name.setdefault(cls.__name__, []).append(f"{cls.__module__}.{cls.__qualname__}")
    assert {name: paths for name, paths in by_name.items() if len(paths) > 1} == {}


def test_each_operation_documents_its_own_request_body(signed_in):
    from jingkai.api.api import api

    schema = signed_in.get("/api/openapi.json").json()
    components = schema["components"]["schemas"]
    checked = 0
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                bodies = [m for m in operation.models if m.__ninja_param_source__ == "body"]
                for body in bodies:
                    (payload,) = (field.annotation for field in body.model_fields.values())
                    # PatchDict[X] wraps X (all fields optional) in a dict type; it documents X's fields.
                    payload = getattr(payload, "_wrapped_model", payload)
                    for method in operation.methods:
                        documented = schema["paths"][f"/api{prefix}{path}"][method.lower()]
                        ref = documented["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                        component = components[ref.rsplit("/", 1)[1]]
                        expected = payload.model_json_schema(ref_template="#/components/schemas/{model}")
                        assert set(component["properties"]) == set(expected["properties"]), (method, path)
                        checked += 1
    assert checked >= 9  # every POST and PATCH with a JSON body
