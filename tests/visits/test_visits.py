"""The visit log: who may log, what is recorded, and the scoping matrix on every page and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingkai.visits.models import Visit, VisitKind
from jingkai.visits.services import can_log_visit, log_visit
from tests.conftest import PERSONAS, VISIBLE
from tests.visits.conftest import VISIT_DAY

ENTERPRISES = ("above1", "above2", "below1", "below2")
# Who may log a visit to which enterprise (department handlers and enterprise contacts never).
MAY_LOG = {
    "zone_admin": set(ENTERPRISES),
    "grid_leader": {"above1"},
    "grid_officer": {"above1"},
    "community_officer": {"below1"},
    "department": set(),
    "enterprise": set(),
    "outsider": {"above2"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_log_a_visit(zone, persona):
    user = zone[persona]
    for key in ENTERPRISES:
        enterprise = getattr(zone, key)
        assert can_log_visit(user, enterprise) == (key in MAY_LOG[persona]), key
        before = Visit.objects.count()
        if key in MAY_LOG[persona]:
            log_visit(actor=user, enterprise=enterprise, visited_on=VISIT_DAY, kind=VisitKind.OFFICER)
            assert Visit.objects.count() == before + 1
        else:
            with pytest.raises(PermissionDenied):
                log_visit(actor=user, enterprise=enterprise, visited_on=VISIT_DAY, kind=VisitKind.OFFICER)
            assert Visit.objects.count() == before


def test_a_visit_records_the_grid_of_the_day_the_actor_and_its_history(zone):
    visit = log_visit(
        actor=zone["grid_officer"],
        enterprise=zone.above1,
        visited_on=VISIT_DAY,
        kind=VisitKind.LEADER,
        visitors=[zone["grid_leader"]],
        policy_tags="稳岗补贴，稳岗补贴、技改补助",
    )
    assert set(visit.visitors.all()) == {zone["grid_officer"], zone["grid_leader"]}
    assert visit.grid == zone.grid1
    assert visit.policy_tags == ["稳岗补贴", "技改补助"]
    assert visit.history.count() == 1
    assert visit.history.first().history_type == "+"
    # The enterprise moves to another grid: the visit still counts for the grid it was made in.
    zone.above1.grid = zone.grid2
    zone.above1.save()
    visit.refresh_from_db()
    assert visit.grid == zone.grid1


def test_bad_visits_are_refused_with_located_errors_and_write_nothing(zone):
    with pytest.raises(ValidationError) as caught:
        log_visit(
            actor=zone["zone_admin"],
            enterprise=zone.above1,
            visited_on=dt.date.today() + dt.timedelta(days=1),
            kind="picnic",
            visitors=[zone["enterprise"]],
        )
    assert set(caught.value.message_dict) == {"visited_on", "kind", "visitors"}
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_visit_list_shows_exactly_the_visible_visits(client, zone, visits, persona):
    client.force_login(zone[persona])
    response = client.get(reverse("visits:list"))
    assert response.status_code == 200
    html = response.content.decode()
    for key in ENTERPRISES:
        assert (getattr(zone, key).name in html) == (key in VISIBLE[persona]), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_visit_detail_is_404_out_of_scope_and_notes_are_staff_only(client, zone, visits, persona):
    client.force_login(zone[persona])
    for key in ENTERPRISES:
        response = client.get(reverse("visits:detail", args=[visits[key].pk]))
        expected = 200 if key in VISIBLE[persona] else 404
        assert response.status_code == expected, key
        if expected == 200:
            html = response.content.decode()
            assert f"{key} 稳岗补贴政策宣讲" in html
            assert (f"内部备注-{key}" in html) == (persona != "enterprise")


@pytest.mark.parametrize("persona", PERSONAS)
def test_export_is_scoped_and_filtered(client, zone, visits, persona):
    client.force_login(zone[persona])
    response = client.get(reverse("visits:export"))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    names = {row[1] for row in sheet[1:]}
    assert names == {getattr(zone, key).name for key in VISIBLE[persona]}
    assert len(sheet[0]) == (8 if persona == "enterprise" else 9)  # no notes column for contacts


def test_export_applies_the_filters(client, zone, visits):
    log_visit(actor=zone["zone_admin"], enterprise=zone.above1, visited_on=dt.date(2022, 1, 5), kind="leader")
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("visits:export"), {"grid": zone.grid1.code, "date_to": "2022-12-31"})
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [(row[0], row[1]) for row in sheet[1:]] == [(dt.date(2022, 1, 5), zone.above1.name)]
    bad = client.get(reverse("visits:export"), {"date_from": "2023-01-01", "date_to": "2022-01-01"})
    assert bad.status_code == 400


def test_visit_form_logs_a_visit_from_the_enterprise_profile(client, zone):
    client.force_login(zone["grid_officer"])
    profile = client.get(reverse("enterprises:detail", args=[zone.above1.pk]))
    assert f"{reverse('visits:create')}?enterprise={zone.above1.pk}" in profile.content.decode()
    page = client.get(reverse("visits:create"), {"enterprise": zone.above1.pk})
    assert page.status_code == 200
    response = client.post(
        reverse("visits:create"),
        {
            "enterprise": zone.above1.pk,
            "visited_on": "2023-05-02",
            "kind": "officer",
            "policies": "研发费用加计扣除",
            "demand-TOTAL_FORMS": "0",
            "demand-INITIAL_FORMS": "0",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.created_by == zone["grid_officer"]
    # Another grid's enterprise is not offered and cannot be posted.
    response = client.post(
        reverse("visits:create"),
        {
            "enterprise": zone.above2.pk,
            "visited_on": "2023-05-02",
            "kind": "officer",
            "demand-TOTAL_FORMS": "0",
            "demand-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert Visit.objects.count() == 1


@pytest.mark.parametrize("persona", ["department", "enterprise"])
def test_visit_form_is_forbidden_to_roles_that_do_not_visit(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("visits:create")).status_code == 403
