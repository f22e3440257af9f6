"""POST and PATCH /api/enterprises, the detail view, and the 422/403 shapes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingkai.chains.models import Chain, ChainMembership, ChainRole
from jingkai.core import uscc
from jingkai.enterprises.models import Enterprise
from jingkai.parks.models import Building
from tests import factories as f

JSON = "application/json"
BAD_CODE = "91350100M000100Y4Z"  # the standard's worked example with a wrong check character


def new_enterprise(**overrides) -> dict:
    body = {"uscc": f.next_uscc(), "name": "庚新能源科技有限公司", "industry_code": "C3841", "employees": 40}
    body.update(overrides)
    return body


def post(client, body):
    return client.post("/api/enterprises", body, content_type=JSON)


def patch(client, ident, body):
    return client.patch(f"/api/enterprises/{ident}", body, content_type=JSON)


def error_locs(response) -> list[list[str]]:
    return [error["loc"] for error in response.json()["detail"]]


# --- create ---------------------------------------------------------------------------------


def test_create_resolves_codes_and_answers_the_detail(zone, admin_api):
    park, group = f.ParkFactory(code="kr-park"), f.GroupFactory(name="某集团")
    building = Building.objects.create(park=park, name="3号楼")
    body = new_enterprise(
        grid=zone.grid2.code.lower(),
        park="kr-park",
        building="3号楼",
        group="某集团",
        origin="foreign",
        origin_country="kr",
        registered_capital="12345678.90",
        registered_capital_currency="USD",
    )
    response = post(admin_api, body)
    assert response.status_code == 201, response.content
    created = Enterprise.objects.get(uscc=body["uscc"])
    detail = response.json()
    assert detail["id"] == created.pk
    assert (created.grid, created.park, created.building, created.group) == (
        zone.grid2,
        park,
        building,
        group,
    )
    assert created.origin_country == "KR"
    assert created.registered_capital == Decimal("12345678.90")
    assert created.created_by == zone["zone_admin"]
    assert created.history.latest().history_user == zone["zone_admin"]
    assert detail["building"] == {"id": building.pk, "name": "3号楼"}
    assert detail["registered_capital"] == "12345678.90"
    assert detail["origin_label"] == "韩资"


def test_create_accepts_ids_for_references(zone, admin_api):
    response = post(admin_api, new_enterprise(community=zone.community1.pk))
    assert response.status_code == 201
    assert response.json()["community"]["code"] == zone.community1.code


def test_create_normalises_a_code_typed_with_spaces_and_full_width_characters(zone, admin_api):
    code = f.next_uscc()
    typed = " ".join(code[i : i + 6] for i in range(0, 18, 6)).translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
        )
    )
    response = post(admin_api, new_enterprise(uscc=typed.lower()))
    assert response.status_code == 201
    assert response.json()["uscc"] == code


def test_create_with_a_failing_code_is_422_on_uscc_with_the_reason(zone, admin_api):
    response = post(admin_api, new_enterprise(uscc=BAD_CODE))
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "uscc"], "msg": uscc.validate(BAD_CODE).reason, "type": "value_error"}]
    }
    assert not Enterprise.objects.filter(uscc=BAD_CODE).exists()


def test_a_zone_admin_may_accept_a_failing_code_with_a_reason(zone, admin_api):
    reason = "工商登记原件如此，已核实"
    response = post(admin_api, new_enterprise(uscc=BAD_CODE, uscc_override_reason=reason))
    assert response.status_code == 201
    assert response.json()["uscc_override_reason"] == reason
    assert Enterprise.objects.get(uscc=BAD_CODE).uscc_override_reason == reason


@pytest.mark.parametrize(
    "persona", ["grid_leader", "grid_officer", "community_officer", "department", "enterprise"]
)
def test_only_zone_admins_create(zone, api_as, persona):
    body = new_enterprise(grid=zone.grid1.code)
    response = post(api_as(persona), body)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Enterprise.objects.filter(uscc=body["uscc"]).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"grid": "G99"}, "grid"),
        ({"community": 99999}, "community"),
        ({"park": "nowhere"}, "park"),
        ({"group": "无此集团"}, "group"),
        ({"building": 99999}, "building"),
        ({"origin": "foreign"}, "origin_country"),
        ({"employees": 10, "technical_staff": 11}, "technical_staff"),
        ({"registered_capital": "-1"}, "registered_capital"),
        ({"industry_code": "Z99"}, "industry_code"),
        ({"name": ""}, "name"),
        ({"status": "asleep"}, "status"),
        ({"founded_on": "2020-13-01"}, "founded_on"),
        ({"employees": -3}, "employees"),
    ],
)
def test_bad_create_input_is_422_naming_the_field_and_creates_nothing(zone, admin_api, overrides, field):
    before = Enterprise.objects.count()
    response = post(admin_api, new_enterprise(**overrides))
    assert response.status_code == 422, response.content
    assert error_locs(response) == [["body", field]]
    assert all(error["msg"] for error in response.json()["detail"])
    assert Enterprise.objects.count() == before


def test_an_unknown_reference_names_the_value_sent(zone, admin_api):
    response = post(admin_api, new_enterprise(grid="G99", building="9号楼"))
    messages = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert "G99" in messages[("body", "grid")]
    assert "9号楼" in messages[("body", "building")]


def test_an_empty_reference_clears_the_field(zone, admin_api):
    response = patch(admin_api, zone.above1.pk, {"grid": "", "park": "  "})
    assert response.status_code == 200
    assert Enterprise.objects.get(pk=zone.above1.pk).grid is None


def test_a_missing_required_field_uses_the_same_shape(zone, admin_api):
    response = post(admin_api, {"uscc": f.next_uscc()})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "name"], "missing")
    assert error["msg"]


def test_a_duplicate_code_is_422_on_uscc(zone, admin_api):
    response = post(admin_api, new_enterprise(uscc=zone.above1.uscc))
    assert response.status_code == 422
    assert error_locs(response) == [["body", "uscc"]]


def test_a_reference_cannot_reveal_another_grids_code(zone, api_as):
    # The officer of G01 names G02 (which exists): the answer is the same as for a grid that does not.
    officer = api_as("grid_officer")
    hidden = patch(officer, zone.above1.pk, {"grid": zone.grid2.code})
    missing = patch(officer, zone.above1.pk, {"grid": "G99"})
    assert (hidden.status_code, missing.status_code) == (422, 422)
    assert error_locs(hidden) == error_locs(missing) == [["body", "grid"]]


# --- update ---------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["plain", "lower", "spaced", "full-width"])
def test_patch_by_uscc_in_any_form_changes_only_the_fields_sent(zone, admin_api, form):
    code = zone.above1.uscc
    ident = {
        "plain": code,
        "lower": code.lower(),
        "spaced": f"{code[:6]} {code[6:12]} {code[12:]}",
        "full-width": code.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    }[form]
    response = patch(admin_api, ident, {"short_name": "甲机床", "land_area_mu": "35.5"})
    assert response.status_code == 200, response.content
    fresh = Enterprise.objects.get(pk=zone.above1.pk)
    assert (fresh.short_name, fresh.land_area_mu) == ("甲机床", Decimal("35.5"))
    assert (fresh.name, fresh.employees, fresh.grid) == (zone.above1.name, zone.above1.employees, zone.grid1)
    assert response.json()["short_name"] == "甲机床"


def test_patch_by_id(zone, admin_api):
    response = patch(admin_api, zone.below2.pk, {"employees": 12, "technical_staff": 3})
    assert response.status_code == 200
    assert Enterprise.objects.get(pk=zone.below2.pk).employees == 12


def test_an_unknown_ident_is_404(zone, admin_api):
    for ident in ["999999", "not-a-code", f.next_uscc()]:
        assert admin_api.get(f"/api/enterprises/{ident}").status_code == 404
        assert patch(admin_api, ident, {"employees": 1}).status_code == 404


def test_patch_sending_null_clears_a_text_or_number(zone, admin_api):
    zone.above1.short_name = "甲"
    zone.above1.save()
    response = patch(admin_api, zone.above1.pk, {"short_name": None, "technical_staff": None})
    assert response.status_code == 200
    fresh = Enterprise.objects.get(pk=zone.above1.pk)
    assert (fresh.short_name, fresh.technical_staff) == ("", None)


def test_a_grid_officer_edits_own_enterprise_but_may_not_move_it(zone, api_as):
    officer = api_as("grid_officer")
    assert patch(officer, zone.above1.pk, {"employees": 150}).status_code == 200
    moved = patch(officer, zone.above1.pk, {"community": None, "uscc": f.next_uscc()})
    assert moved.status_code == 403
    assert moved.json()["detail"]
    fresh = Enterprise.objects.get(pk=zone.above1.pk)
    assert (fresh.employees, fresh.uscc) == (150, zone.above1.uscc)


def test_an_enterprise_contact_may_read_but_not_edit(zone, api_as):
    contact = api_as("enterprise")
    assert contact.get(f"/api/enterprises/{zone.above1.pk}").status_code == 200
    assert patch(contact, zone.above1.pk, {"employees": 1}).status_code == 403
    assert Enterprise.objects.get(pk=zone.above1.pk).employees == zone.above1.employees


def test_bad_patch_input_is_422_and_changes_nothing(zone, admin_api):
    response = patch(admin_api, zone.above1.pk, {"short_name": "甲", "technical_staff": 1000})
    assert response.status_code == 422
    assert error_locs(response) == [["body", "technical_staff"]]
    fresh = Enterprise.objects.get(pk=zone.above1.pk)
    assert (fresh.short_name, fresh.technical_staff) == (zone.above1.short_name, zone.above1.technical_staff)
    assert zone.above1.history.count() == 1


def test_a_patch_that_changes_nothing_writes_no_history(zone, admin_api):
    assert patch(admin_api, zone.above1.pk, {"employees": zone.above1.employees}).status_code == 200
    assert zone.above1.history.count() == 1


# --- detail ---------------------------------------------------------------------------------


def test_detail_lists_honours_capital_changes_contacts_and_chains(zone, api_as):
    ent = zone.above1
    f.HonourFactory(enterprise=ent, certificate_no="GR202233001234")
    f.CapitalChangeFactory(enterprise=ent, changed_on=dt.date(2019, 6, 1))
    f.ContactFactory(
        enterprise=ent, name="王经理", title="总经理", phone="13800000000", email="w@example.com"
    )
    chain = Chain.objects.create(code="machine-tools", name="高端装备")
    ChainMembership.objects.create(chain=chain, enterprise=ent, role=ChainRole.LEADER)

    staff = api_as("grid_officer").get(f"/api/enterprises/{ent.uscc}").json()
    assert [h["certificate_no"] for h in staff["honours"]] == ["GR202233001234"]
    [change] = staff["capital_changes"]
    assert (change["currency"], change["registered_capital_after"], change["changed_on"]) == (
        "USD",
        "2000000.00",
        "2019-06-01",
    )
    assert staff["chains"] == [{"code": "machine-tools", "name": "高端装备", "role": "leader"}]
    assert staff["annual_scales"] == [{"year": 2022, "above_size": True}]
    manager = next(c for c in staff["contacts"] if c["name"] == "王经理")
    assert (manager["title"], manager["phone"], manager["email"]) == (
        "总经理",
        "138****0000",  # masked (docs/security.md §4)
        "w@example.com",
    )

    # The enterprise's own portal user sees its colleagues' names, not their phone numbers.
    own = api_as("enterprise").get(f"/api/enterprises/{ent.uscc}").json()
    manager = next(c for c in own["contacts"] if c["name"] == "王经理")
    assert (manager["title"], manager["phone"], manager["email"]) == ("总经理", None, None)


def test_detail_query_count_does_not_grow_with_related_rows(zone, admin_api):
    def count():
        with CaptureQueriesContext(connection) as captured:
            admin_api.get(f"/api/enterprises/{zone.above1.pk}")
        return len(captured)

    def add_related(n):
        f.HonourFactory(enterprise=zone.above1)
        f.ContactFactory(enterprise=zone.above1)
        f.CapitalChangeFactory(enterprise=zone.above1)
        ChainMembership.objects.create(
            chain=Chain.objects.create(code=f"c{n}", name=f"链{n}"), enterprise=zone.above1
        )

    # Django skips a nested prefetch when there is nothing to prefetch, so start from one of each.
    add_related(0)
    count()  # the token's first use writes its last use and an audit event (docs/security.md §2)
    before = count()
    for n in range(1, 6):
        add_related(n)
    assert count() == before
