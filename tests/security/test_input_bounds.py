"""Bad input never stores a wrong value (docs/security.md §1): the API's schemas bound every value by its column.

A value the column cannot hold (too many digits, a year outside 1900–2100, an integer beyond the column's range,
a text too long or holding NUL, a control or a direction-override character) is a 422 naming the field, and the
row is unchanged; a value at the bound is stored and read back exactly, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core import bounds, dates
from jingkai.core.models import Role
from jingkai.enterprises.forms import EnterpriseForm
from jingkai.enterprises.models import Enterprise
from tests import factories as f

JSON = "application/json"
TOO_BIG = "9999999999999999.99"  # 18 digits: fits DecimalField(18, 2) on paper, not in SQLite's double


def patch(client: Client, ident, body: dict):
    return client.patch(f"/api/enterprises/{ident}", json.dumps(body), content_type=JSON)


def located(response) -> set[tuple]:
    """Where each error is: (source, field) — a union's member may follow, as pydantic names it."""
    return {tuple(item["loc"][:2]) for item in response.json()["detail"]}


def snapshot(enterprise: Enterprise) -> dict:
    return model_to_dict(Enterprise.objects.get(pk=enterprise.pk))


# --- the case of the issue -----------------------------------------------------------------------------------


def test_an_amount_beyond_the_column_is_a_422_naming_it_and_saves_nothing(zone, api_as):
    officer = api_as("grid_officer")
    before = snapshot(zone.above1)
    response = patch(officer, zone.above1.pk, {"total_investment": TOO_BIG})
    assert response.status_code == 422, response.content
    assert located(response) == {("body", "total_investment")}
    assert snapshot(zone.above1) == before
    # Everything that reads the row still works (the bug: every list, page and export failed after it).
    assert officer.get("/api/enterprises").status_code == 200
    assert officer.get(f"/api/enterprises/{zone.above1.pk}").status_code == 200


def test_the_largest_amount_allowed_is_stored_and_read_back_exactly(zone, api_as):
    largest = bounds.decimal_limit(18, 2)
    assert largest == Decimal("9999999999999.99")
    response = patch(api_as("grid_officer"), zone.above1.pk, {"total_investment": str(largest)})
    assert response.status_code == 200, response.content
    assert Enterprise.objects.get(pk=zone.above1.pk).total_investment == largest
    assert response.json()["total_investment"] == "9999999999999.99"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_investment", "NaN"),
        ("total_investment", "Infinity"),
        ("total_investment", "1.001"),
        ("registered_capital", "-1"),
        ("land_area_mu", "12345678901.5"),
        ("employees", 2**31),
        ("employees", -1),
        ("technical_staff", 2**64),
        ("founded_on", "0001-01-01"),
        ("founded_on", "2101-01-01"),
        ("listed_on", "1899-12-31"),
        ("name", "甲\x00精密"),
        ("name", "甲\u202e精密"),
        ("name", "甲\u2066精密"),
        ("name", "甲\n精密"),
        ("name", "长" * 201),
        ("short_name", "\x1b[31m"),
        ("address", "x" * 301),
        ("main_products", "机床\x00"),
        ("main_products", "机床\u202d"),
        ("grid", 2**70),
        ("grid", "G01\x00"),
    ],
)
def test_an_out_of_bounds_value_is_a_422_on_its_field(zone, api_as, field, value):
    before = snapshot(zone.above1)
    response = patch(api_as("zone_admin"), zone.above1.pk, {field: value})
    assert response.status_code == 422, response.content
    assert ("body", field) in located(response)
    assert snapshot(zone.above1) == before


def test_a_multi_line_text_keeps_its_line_breaks(zone, api_as):
    response = patch(api_as("zone_admin"), zone.above1.pk, {"main_products": "数控机床\n\t加工中心\r\n"})
    assert response.status_code == 200, response.content
    assert Enterprise.objects.get(pk=zone.above1.pk).main_products.startswith("数控机床\n\t加工中心")


# --- a property: whatever is generated out of bounds, a 422 and the row unchanged ----------------------------

FORBIDDEN = sorted(bounds.FORBIDDEN_IN_NAMES)
names = st.text(min_size=0, max_size=5).flatmap(
    lambda head: st.sampled_from(FORBIDDEN).map(lambda char: f"{head}{char}企业")
)
too_long = st.integers(min_value=201, max_value=400).map(lambda n: "企" * n)
big_amounts = st.decimals(min_value=Decimal("1e13"), max_value=Decimal("1e30"), places=2).map(str)
many_places = st.decimals(min_value=0, max_value=1000, places=5).filter(lambda d: d != round(d, 2)).map(str)
counts = st.one_of(st.integers(max_value=-1), st.integers(min_value=2**31))
days = st.one_of(st.dates(max_value=dt.date(1899, 12, 31)), st.dates(min_value=dt.date(2101, 1, 1))).map(
    dt.date.isoformat
)

OUT_OF_BOUNDS = st.one_of(
    st.tuples(st.sampled_from(["name", "short_name", "english_name", "address", "stock_code"]), names),
    st.tuples(st.sampled_from(["name", "english_name"]), too_long),
    st.tuples(
        st.sampled_from(["total_investment", "registered_capital"]), st.one_of(big_amounts, many_places)
    ),
    st.tuples(st.sampled_from(["employees", "technical_staff"]), counts),
    st.tuples(st.sampled_from(["founded_on", "listed_on"]), days),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=OUT_OF_BOUNDS)
def test_property_any_out_of_bounds_value_is_refused_and_changes_nothing(zone, api_as, case):
    field, value = case
    client = api_as("zone_admin")
    before = snapshot(zone.above1)
    response = patch(client, zone.above1.pk, {field: value})
    assert response.status_code == 422, (field, value, response.content)
    assert ("body", field) in located(response)
    assert snapshot(zone.above1) == before
    # The same value on a new enterprise is refused as well, and creates nothing.
    count = Enterprise.objects.count()
    body = {"uscc": "91330482MA2JD1LX0C", "name": "戊测试有限公司", field: value}
    created = client.post("/api/enterprises", json.dumps(body), content_type=JSON)
    assert created.status_code == 422, (field, value, created.content)
    assert Enterprise.objects.count() == count


# --- the other schemas and the query parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/demands", {"category": "x", "description": "d\x00", "enterprise": 1}, "description"),
        ("/api/demands", {"category": "x", "description": "d", "title": "t" * 201, "enterprise": 1}, "title"),
        ("/api/demands", {"category": "x", "description": "d", "enterprise": 2**64}, "enterprise"),
        ("/api/visits", {"enterprise": "1", "visited_on": "0001-01-01", "kind": "routine"}, "visited_on"),
        (
            "/api/visits",
            {"enterprise": "1", "visited_on": "2024-01-01", "kind": "routine", "notes": "\u202e"},
            "notes",
        ),  # fmt: skip
        (
            "/api/projects",
            {"code": "P1", "name": "n", "investor": "i", "kind": "new", "total_investment": TOO_BIG},
            "total_investment",
        ),  # fmt: skip
        ("/api/projects", {"code": "P1\x00", "name": "n", "investor": "i", "kind": "new"}, "code"),
    ],
)
def test_other_schemas_refuse_what_their_columns_cannot_hold(zone, api_as, path, body, field):
    response = api_as("zone_admin").post(path, json.dumps(body), content_type=JSON)
    assert response.status_code == 422, response.content
    assert ("body", field) in located(response)


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/enterprises", {"offset": 2**64}, "offset"),
        ("/api/enterprises", {"offset": 2**31}, "offset"),
        ("/api/enterprises", {"year": 10000}, "year"),
        ("/api/enterprises", {"q": "a\x00"}, "q"),
        ("/api/enterprises", {"group": 2**64}, "group"),
        ("/api/demands", {"offset": 2**64}, "offset"),
        ("/api/demands", {"grid": "G01\x00"}, "grid"),
        ("/api/visits", {"offset": 2**64}, "offset"),
        ("/api/visits", {"from": "0001-01-01"}, "from"),
        ("/api/projects", {"year": -634}, "year"),
        ("/api/investment/summary", {"year": 10000}, "year"),
        ("/api/investment/summary", {"year": -634}, "year"),
        ("/api/investment/summary", {"from": "0001-01-01"}, "from"),
        ("/api/stats/summary", {"period": "0001-01"}, "period"),
        ("/api/stats/summary", {"period": "99999-01"}, "period"),
        ("/api/stats/targets", {"year": 10000}, "year"),
        ("/api/evaluations", {"offset": 2**64}, "offset"),
    ],
)
def test_query_parameters_out_of_bounds_are_a_422_naming_them(zone, api_as, path, query, parameter):
    response = api_as("zone_admin").get(path, query)
    assert response.status_code == 422, response.content
    assert ("query", parameter) in located(response)


def test_every_paginated_list_bounds_its_offset(zone, api_as):
    from jingkai.api.api import api

    schema = api.get_openapi_schema()
    lists = [
        path
        for path, operations in schema["paths"].items()
        if "{" not in path
        and any(p["name"] == "offset" for p in operations.get("get", {}).get("parameters", []))
    ]
    assert len(lists) >= 8
    client = api_as("zone_admin")
    for path in lists:
        response = client.get(path, {"offset": 2**64})
        assert response.status_code == 422, (path, response.content)
        offset = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "offset")
        assert offset["schema"]["maximum"] == bounds.OFFSET_MAX


# --- the kernel pieces, and the forms -------------------------------------------------------------------------


@pytest.mark.parametrize("char", sorted(bounds.BIDI_CONTROLS) + ["\x00", "\x1f", "\x7f"])
def test_every_forbidden_character_is_named_by_its_code_point(char):
    assert f"U+{ord(char):04X}" in bounds.text_problem(f"名{char}称")
    assert bounds.text_problem(f"名{char}称", multiline=True) is not None


def test_line_breaks_are_texts_not_names():
    assert bounds.text_problem("a\nb") is not None
    assert bounds.text_problem("a\nb\tc\r\n", multiline=True) is None


@pytest.mark.parametrize("text", ["0001-01", "1899-12", "2101-01", "10000-01", "２０２２-01", "2022-13"])
def test_a_month_outside_the_years_is_refused(text):
    with pytest.raises(ValueError):
        dates.parse_month(text)


def test_a_month_inside_is_read():
    assert dates.parse_month("1900-01") == dt.date(1900, 1, 1)
    assert dates.parse_month("2100-12") == dt.date(2100, 12, 1)


@pytest.mark.parametrize(("value", "expected"), [("12", 12), ("²", None), ("１２", None), ("0", None),
                                                 (str(2**63), None), (" 7 ", 7), ("-3", None)])  # fmt: skip
def test_an_id_is_ascii_digits_that_fit_64_bits(value, expected):
    assert bounds.as_id(value) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "甲\u202e精密"),
        ("name", "甲\x00精密"),
        ("main_products", "x\x07"),
        ("founded_on", "0001-01-01"),
    ],
)
def test_the_enterprise_form_refuses_the_same_values(zone, field, value):
    enterprise = zone.above1
    data = {**{k: v for k, v in model_to_dict(enterprise).items() if v is not None}, field: value}
    form = EnterpriseForm(data, user=zone["zone_admin"], instance=enterprise)
    assert not form.is_valid()
    assert field in form.errors


def test_the_enterprise_form_refuses_an_amount_beyond_the_digits(zone):
    enterprise = zone.above1
    data = {**{k: v for k, v in model_to_dict(enterprise).items() if v is not None}}
    data["total_investment"] = "999999999999.99"  # 万元: 16 digits in 元
    form = EnterpriseForm(data, user=zone["zone_admin"], instance=enterprise)
    assert not form.is_valid()
    assert "total_investment" in form.errors


# --- the OpenAPI document ------------------------------------------------------------------------------------


def _openapi() -> dict:
    # The API's documentation is for signed-in callers only (docs/security.md §5).
    client = Client()
    client.force_login(f.UserFactory(role=Role.GRID_OFFICER))
    return client.get("/api/openapi.json").json()


def test_openapi_documents_the_error_answers_of_every_operation(db):
    schema = _openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method != "get":
                assert "403" in codes, (method, path)
    assert {"ErrorOut", "ValidationErrorOut"} <= set(schema["components"]["schemas"])


def test_the_statistics_commit_documents_both_of_its_422_bodies(db):
    schema = _openapi()
    answer = schema["paths"]["/api/stats/imports/{batch_id}/commit"]["post"]["responses"]["422"]
    refs = {part["$ref"] for part in answer["content"]["application/json"]["schema"]["anyOf"]}
    assert refs == {"#/components/schemas/ImportOut", "#/components/schemas/ValidationErrorOut"}


def test_post_demands_is_documented_with_the_demands_body(db):
    schema = _openapi()
    ref = schema["paths"]["/api/demands"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "$ref"
    ]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"enterprise", "category", "description", "contact_phone"} <= set(body["properties"])
    visit = schema["components"]["schemas"]["VisitIn"]["properties"]["demands"]
    assert visit["items"]["$ref"] != ref


def test_the_schema_carries_the_columns_bounds(db):
    schema = _openapi()
    props = schema["components"]["schemas"]["EnterpriseIn"]["properties"]
    assert props["name"]["maxLength"] == Enterprise._meta.get_field("name").max_length
    amount = props["total_investment"]["anyOf"][0]
    assert amount["maximum"] == float(bounds.decimal_limit(18, 2))
    employees = props["employees"]["anyOf"][0]
    assert employees["maximum"] == 2**31 - 1 and employees["minimum"] == 0
