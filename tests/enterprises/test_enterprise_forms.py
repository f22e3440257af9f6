"""Creating and editing enterprises through the pages: permissions, history, the USCC rule, errors in place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jingkai.core import uscc
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.services import EDITABLE_FIELDS
from tests import factories as f

# Passes the organisation-code check but not the final check character.
BAD_USCC = uscc.make_code("91", "330482", "31999999")[:17] + "0"
if uscc.is_valid(BAD_USCC):
    BAD_USCC = BAD_USCC[:17] + "1"


def form_data(enterprise: Enterprise, **changes) -> dict:
    """What the edit form posts back for an enterprise, with some fields changed."""
    data = {}
    for name in EDITABLE_FIELDS:
        value = getattr(
            enterprise,
            name if name not in ("group", "park", "building", "grid", "community") else f"{name}_id",
        )
        if name in ("registered_capital", "total_investment") and value is not None:
            value = value / 10_000  # the form takes 万
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_bad_uscc_fixture_is_really_bad():
    assert not uscc.is_valid(BAD_USCC)


@pytest.mark.parametrize(
    "persona", ["grid_leader", "grid_officer", "community_officer", "department", "enterprise"]
)
def test_only_zone_admins_may_create(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("enterprises:create")).status_code == 403
    response = client.post(reverse("enterprises:create"), {"uscc": f.next_uscc(), "name": "新企业有限公司"})
    assert response.status_code == 403
    assert not Enterprise.objects.filter(name="新企业有限公司").exists()


def test_zone_admin_creates_an_enterprise_with_capital_in_wan(client, zone):
    client.force_login(zone["zone_admin"])
    assert client.get(reverse("enterprises:create")).status_code == 200
    code = f.next_uscc()
    response = client.post(
        reverse("enterprises:create"),
        {
            "uscc": " " + code[:9] + " " + code[9:],  # pasted with spaces: the service normalises it
            "name": "津上精密机床（浙江）有限公司",
            "status": "operating",
            "origin": "foreign",
            "origin_country": "JP",
            "industry_code": "3421",
            "registered_capital": "11370",
            "registered_capital_currency": "USD",
            "total_investment": "30850",
            "total_investment_currency": "USD",
            "grid": zone.grid1.pk,
        },
    )
    enterprise = Enterprise.objects.get(name="津上精密机床（浙江）有限公司")
    assert response.status_code == 302
    assert response["Location"] == enterprise.get_absolute_url()
    assert enterprise.uscc == code
    assert enterprise.industry_code == "C3421"
    assert enterprise.registered_capital == Decimal("113700000")
    assert enterprise.created_by == zone["zone_admin"]
    profile = client.get(enterprise.get_absolute_url()).content.decode()
    assert "11370万美元" in profile
    assert "30850万美元" in profile


def test_create_shows_service_errors_on_their_fields_and_saves_nothing(client, zone):
    client.force_login(zone["zone_admin"])
    response = client.post(
        reverse("enterprises:create"),
        {
            "uscc": zone.above1.uscc,
            "name": "重复代码有限公司",
            "status": "operating",
            "origin": "domestic",
            "registered_capital_currency": "CNY",
            "total_investment_currency": "CNY",
        },
    )
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors
    assert not Enterprise.objects.filter(name="重复代码有限公司").exists()


@pytest.mark.parametrize("persona", ["grid_leader", "grid_officer"])
def test_grid_staff_may_edit_their_enterprises(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("enterprises:edit", args=[zone.above1.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["enterprise"])
def test_an_enterprise_contact_sees_but_may_not_edit(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("enterprises:detail", args=[zone.above1.pk])).status_code == 200
    assert client.get(reverse("enterprises:edit", args=[zone.above1.pk])).status_code == 403
    response = client.post(
        reverse("enterprises:edit", args=[zone.above1.pk]), form_data(zone.above1, employees=1)
    )
    assert response.status_code == 403
    zone.above1.refresh_from_db()
    assert zone.above1.employees == 100


def test_editing_writes_a_history_row_shown_on_the_profile(client, zone):
    officer = zone["grid_officer"]
    client.force_login(officer)
    before = zone.above1.history.count()
    response = client.post(
        reverse("enterprises:edit", args=[zone.above1.pk]),
        form_data(zone.above1, employees=1234, main_products="数控车床"),
    )
    assert response.status_code == 302
    zone.above1.refresh_from_db()
    assert zone.above1.employees == 1234
    assert zone.above1.history.count() == before + 1
    latest = zone.above1.history.first()
    assert latest.history_user == officer

    profile = client.get(zone.above1.get_absolute_url()).content.decode()
    assert reverse("enterprises:history", args=[zone.above1.pk]) in profile[profile.index('id="history"') :]
    history = client.get(reverse("enterprises:history", args=[zone.above1.pk])).content.decode()
    entry = history[history.index(f'data-history="enterprise-{latest.history_id}"') :]
    entry = entry[: entry.index("</li>")]
    assert officer.full_name in entry
    assert "<del" in entry and ">100</del>" in entry
    assert ">1234</ins>" in entry
    assert ">数控车床</ins>" in entry


def test_saving_without_changes_writes_no_history(client, zone):
    client.force_login(zone["zone_admin"])
    before = zone.above1.history.count()
    response = client.post(reverse("enterprises:edit", args=[zone.above1.pk]), form_data(zone.above1))
    assert response.status_code == 302
    assert zone.above1.history.count() == before


def test_a_grid_officer_gets_no_code_grid_or_community_fields(client, zone):
    client.force_login(zone["grid_officer"])
    form = client.get(reverse("enterprises:edit", args=[zone.above1.pk])).context["form"]
    for name in ("uscc", "uscc_override_reason", "grid", "community"):
        assert name not in form.fields


def test_a_failing_uscc_is_refused_for_a_grid_officer(client, zone):
    client.force_login(zone["grid_officer"])
    original = zone.above1.uscc
    client.post(
        reverse("enterprises:edit", args=[zone.above1.pk]),
        form_data(zone.above1, uscc=BAD_USCC, uscc_override_reason="老代码，工商登记如此"),
    )
    zone.above1.refresh_from_db()
    assert zone.above1.uscc == original
    assert zone.above1.uscc_override_reason == ""


def test_a_failing_uscc_needs_a_reason_from_a_zone_admin(client, zone):
    client.force_login(zone["zone_admin"])
    url = reverse("enterprises:edit", args=[zone.above1.pk])
    original = zone.above1.uscc

    refused = client.post(url, form_data(zone.above1, uscc=BAD_USCC, uscc_override_reason=""))
    assert refused.status_code == 200
    assert "uscc" in refused.context["form"].errors
    assert 'class="form-control is-invalid"' in refused.content.decode()
    zone.above1.refresh_from_db()
    assert zone.above1.uscc == original

    accepted = client.post(
        url, form_data(zone.above1, uscc=BAD_USCC, uscc_override_reason="工商登记证照如此，已核实")
    )
    assert accepted.status_code == 302
    zone.above1.refresh_from_db()
    assert zone.above1.uscc == BAD_USCC
    assert zone.above1.uscc_override_reason == "工商登记证照如此，已核实"
    profile = client.get(zone.above1.get_absolute_url()).content.decode()
    assert "工商登记证照如此，已核实" in profile


def test_a_cross_field_rule_is_shown_on_its_field(client, zone):
    client.force_login(zone["grid_officer"])
    response = client.post(
        reverse("enterprises:edit", args=[zone.above1.pk]),
        form_data(zone.above1, employees=10, technical_staff=20),
    )
    assert response.status_code == 200
    assert "technical_staff" in response.context["form"].errors
    zone.above1.refresh_from_db()
    assert (zone.above1.employees, zone.above1.technical_staff) == (100, 20)


def test_a_grid_officer_cannot_move_an_enterprise_to_another_grid(client, zone):
    client.force_login(zone["grid_officer"])
    client.post(
        reverse("enterprises:edit", args=[zone.above1.pk]), form_data(zone.above1, grid=zone.grid2.pk)
    )
    zone.above1.refresh_from_db()
    assert zone.above1.grid == zone.grid1
