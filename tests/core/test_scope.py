"""The request's Scope (core.scoping): what it knows of each persona, that it costs no query to build, that it is
built once per user object and rebuilt when the user changes, and how its rule dispatches by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from jingkai.core.models import Role
from jingkai.core.scoping import NOTHING, scope_of
from jingkai.grids.models import Community, Grid
from tests import factories as f

# persona -> (active, everything, role, in_grids, in_area, handles_investment, grids, communities)
EXPECTED = {
    "zone_admin": (True, True, Role.ZONE_ADMIN, False, False, False, set(), set()),
    "grid_leader": (True, False, Role.GRID_LEADER, True, True, False, {"grid1"}, set()),
    "grid_officer": (True, False, Role.GRID_OFFICER, True, True, False, {"grid1"}, set()),
    "community_officer": (True, False, Role.COMMUNITY_OFFICER, False, True, False, set(), {"community1"}),
    "department": (True, False, Role.DEPARTMENT, False, False, False, set(), set()),
    "enterprise": (True, False, Role.ENTERPRISE, False, False, False, set(), set()),
    "outsider": (True, False, Role.GRID_OFFICER, True, True, False, {"grid2"}, set()),
    "investment": (True, False, Role.DEPARTMENT, False, False, True, set(), set()),
}


@pytest.fixture
def people(zone):
    dept = f.DepartmentFactory(code="invest", name="招商局", handles_investment=True)
    zone.users["investment"] = f.UserFactory(username="investment", role=Role.DEPARTMENT, department=dept)
    return zone


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_what_the_scope_knows_of_each_persona(people, persona, django_assert_num_queries):
    user = type(people[persona]).objects.get(pk=people[persona].pk)  # a fresh object: nothing cached yet
    active, everything, role, in_grids, in_area, investment, grids, communities = EXPECTED[persona]
    with django_assert_num_queries(0):
        scope = scope_of(user)
        facts = (scope.active, scope.everything, scope.role, scope.in_grids, scope.in_area)
        grid_ids, community_ids = scope.grid_ids, scope.community_ids  # subqueries: not run here
    assert facts == (active, everything, role, in_grids, in_area)
    # The investment flag reads the user's department once (the query the templates made before).
    with django_assert_num_queries(1 if user.department_id else 0):
        assert scope.handles_investment is investment
        assert scope.handles_investment is investment
    named = {people.grid1.pk: "grid1", people.grid2.pk: "grid2"}
    assert {named[pk] for pk in Grid.objects.filter(pk__in=grid_ids).values_list("pk", flat=True)} == grids
    named = {people.community1.pk: "community1", people.community2.pk: "community2"}
    in_office = Community.objects.filter(pk__in=community_ids).values_list("pk", flat=True)
    assert {named[pk] for pk in in_office} == communities


def test_built_once_per_user_object_and_again_when_the_user_changes(zone):
    user = zone["grid_officer"]
    first = scope_of(user)
    assert scope_of(user) is first
    user.role = Role.COMMUNITY_OFFICER
    changed = scope_of(user)
    assert changed is not first and changed.role == Role.COMMUNITY_OFFICER
    user.is_active = False
    assert scope_of(user).active is False


@pytest.mark.parametrize(
    "persona", ["zone_admin", "grid_leader", "community_officer", "department", "enterprise"]
)
def test_the_rule_picks_each_kind_of_user(zone, persona):
    picked = []

    def rule(kind):
        def pick(scope):
            picked.append(kind)
            return Q(pk=kind)

        return pick

    q = scope_of(zone[persona]).rule(
        grid=rule("grid"),
        community=rule("community"),
        department=rule("department"),
        enterprise=rule("enterprise"),
    )
    expected = {
        "zone_admin": None,
        "grid_leader": "grid",
        "community_officer": "community",
        "department": "department",
        "enterprise": "enterprise",
    }[persona]
    assert picked == ([] if expected is None else [expected])
    assert q == (None if expected is None else Q(pk=expected))


def test_nobody_without_an_active_account_and_no_rule_no_rows(zone):
    everyone = {"grid": lambda s: None, "community": lambda s: None, "department": lambda s: None}
    assert scope_of(AnonymousUser()).rule(**everyone) is NOTHING
    assert scope_of(None).rule(**everyone) is NOTHING
    inactive = zone["zone_admin"]
    inactive.is_active = False
    assert scope_of(inactive).rule(**everyone) is NOTHING
    # An enterprise contact, for whom this model names no rule, sees nothing of it.
    assert scope_of(zone["enterprise"]).rule(**everyone) is NOTHING
