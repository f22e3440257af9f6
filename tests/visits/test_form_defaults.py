"""The visit form starts where the officer on site would: the kind by role, the date as the zone's calendar day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jingkai.enterprises.models import Enterprise
from jingkai.visits.forms import VisitForm
from jingkai.visits.models import VisitKind

KIND_BY_PERSONA = {
    "grid_officer": VisitKind.OFFICER,  # 网格员走访
    "grid_leader": VisitKind.LEADER,  # 领导走访
    "zone_admin": None,
    "community_officer": None,
}


def unbound(user):
    return VisitForm(user=user, enterprises=Enterprise.objects.visible_to(user))


@pytest.mark.parametrize(("persona", "kind"), KIND_BY_PERSONA.items())
def test_the_kind_defaults_by_role(zone, persona, kind):
    form = unbound(zone[persona])
    assert form["kind"].value() == kind


@pytest.mark.parametrize("persona", ["grid_officer", "grid_leader"])
def test_the_visit_page_preselects_the_kind_and_today(zone, client, persona):
    client.force_login(zone[persona])
    response = client.get(reverse("visits:create"), {"enterprise": zone.above1.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() == KIND_BY_PERSONA[persona]
    assert form["visited_on"].value() == timezone.localdate()
    assert form["enterprise"].value() == zone.above1.pk
    html = response.content.decode()
    assert f'<option value="{KIND_BY_PERSONA[persona]}" selected>' in html
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in html


def test_the_date_is_the_zones_day_not_the_servers(zone, monkeypatch):
    # 18:30 UTC on 31 March is already 1 April in Asia/Shanghai (a new quarter for the cadence).
    late_utc = dt.datetime(2024, 3, 31, 18, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late_utc)
    form = unbound(zone["grid_officer"])
    assert form["visited_on"].value() == dt.date(2024, 4, 1)


def test_an_explicit_initial_wins_and_a_submitted_form_keeps_what_was_sent(zone):
    user = zone["grid_officer"]
    form = VisitForm(
        user=user,
        enterprises=Enterprise.objects.visible_to(user),
        initial={"kind": VisitKind.GUIDANCE, "visited_on": dt.date(2024, 1, 2)},
    )
    assert form["kind"].value() == VisitKind.GUIDANCE
    assert form["visited_on"].value() == dt.date(2024, 1, 2)

    bound = VisitForm(
        {"enterprise": zone.above1.pk, "visited_on": "2024-01-02"},
        user=user,
        enterprises=Enterprise.objects.visible_to(user),
    )
    assert not bound.is_valid()
    assert "kind" in bound.errors  # no silent default on a submitted form
