"""The contributions registry: what each app declares shows up where the shell, the demo and the slots compose
it, in the declared order; an app added later shows up by declaring, without any lower layer naming it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import RequestFactory

from jingkai.core import contributions, permissions
from jingkai.core.contributions import (
    Declared,
    DemoChapter,
    HomeCard,
    NavEntry,
    Panel,
    Sweeper,
    declared,
    ordered_chapters,
)
from jingkai.core.models import Role
from jingkai.shell import sweeps
from jingkai.shell.templatetags.shell import nav_items
from tests.conftest import PERSONAS


def _is_grid_role(u):
    return u.role in (Role.GRID_LEADER, Role.GRID_OFFICER)


def _may_use_investment(u):
    staff = u.is_zone_admin or (
        u.role == Role.DEPARTMENT and u.department_id and u.department.handles_investment
    )
    return staff or u.role in (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER)


# The navigation as it was written out in core/templatetags/jingkai.py before the apps declared it: every
# persona must still see exactly these entries, in this order.
OLD_NAV = [
    ("/", lambda u: True),
    ("/enterprises/", lambda u: True),
    ("/grids/", lambda u: u.is_zone_admin or _is_grid_role(u)),
    ("/grids/communities/", lambda u: u.is_zone_admin or u.role == Role.COMMUNITY_OFFICER),
    ("/grids/coverage/", lambda u: u.is_zone_admin),
    ("/chains/", lambda u: u.is_staff_role),
    ("/demands/", lambda u: True),
    ("/stats/import/", lambda u: u.is_zone_admin),
    ("/economy/", lambda u: u.is_zone_admin or _is_grid_role(u) or u.role == Role.DEPARTMENT),
    ("/visits/", lambda u: u.role != Role.DEPARTMENT or u.is_zone_admin),
    ("/investment/", _may_use_investment),
    ("/evaluation/", lambda u: u.role != Role.DEPARTMENT or u.is_zone_admin),  # issue 14: after investment
]


def _nav(user, path="/", area="main"):
    request = RequestFactory().get(path)
    request.user = user
    return nav_items({"request": request}, area)


@pytest.fixture
def with_investment_staff(zone):
    from tests import factories as f

    dept = f.DepartmentFactory(code="invest", name="招商局", handles_investment=True)
    zone.users["investment"] = f.UserFactory(username="investment", role=Role.DEPARTMENT, department=dept)
    return zone


@pytest.mark.parametrize("persona", [*PERSONAS, "investment"])
def test_every_persona_sees_the_same_navigation_as_before(with_investment_staff, persona):
    user = with_investment_staff[persona]
    assert [i["url"] for i in _nav(user)] == [url for url, allowed in OLD_NAV if allowed(user)]


def test_the_most_specific_entry_is_active_and_the_tools_follow(zone):
    admin = zone["zone_admin"]
    active = [i["url"] for i in _nav(admin, "/grids/communities/C01/") if i["active"]]
    assert active == ["/grids/communities/"]
    tools = _nav(admin, area="tools")
    assert [i["url"] for i in tools] == ["/api/docs", "/notifications/"]  # not is_staff: no admin link
    assert tools[1]["badge_url"] == "/notifications/badge/"
    admin.is_staff = True
    assert [i["url"] for i in _nav(admin, area="tools")][0] == "/admin/"


def test_the_declared_order_of_sweepers_chapters_panels_and_cards():
    assert [s.name for s in declared(Sweeper)] == [
        "jingkai.demands.sweep.run",
        "jingkai.campaigns.sweep.run",
        "jingkai.investment.sweep.run",
        "audit",  # the kernel's: the audit log's retention
        "jobs",  # the kernel's: expired export files, jobs whose worker died (issue 13)
        "emails",  # last: it e-mails what the others produced
    ]
    assert [d.app for d in ordered_chapters()] == [
        "stats",
        "analytics",
        "visits",
        "demands",
        "campaigns",
        "investment",
        "evaluation",
    ]
    slots = {}
    for panel in declared(Panel):
        slots.setdefault(panel.slot, []).append(panel.name)
    assert slots == {
        "enterprise.main": ["enterprise-stats", "investment"],
        "enterprise.aside": ["visits", "demands", "evaluation"],
        "enterprise.aside-lower": ["chains"],
        "grid.actions": ["grid-dashboard"],
        "visits.actions": ["campaigns"],
        "enterprise.actions": ["visits"],
        "scale_roll.sources": ["stats"],
    }
    assert [c.name for c in declared(HomeCard)] == [
        "backup",  # the shell: the last good backup, for the system administrator (issue 12 — ops)
        "enterprises",
        "above",
        "high_tech",
        "grids",
        "communities",
        "gaps",
        "investment",
        "grid_chart",
    ]


@pytest.fixture
def declare(monkeypatch):
    """declare(app, item, ...): add declarations as if an app's contributions module held them."""
    extra: list[Declared] = []
    real = contributions._all()

    def add(app, *items):
        for item in items:
            extra.append(Declared(app, item, (99, len(extra))))

    monkeypatch.setattr(contributions, "_all", lambda: real + tuple(extra))
    return add


def test_a_new_app_shows_up_by_declaring(zone, client, declare):
    """A later capability adds a menu entry, a profile panel, a sweeper and a demo chapter, and each appears
    where it was put, the lower layers untouched."""
    ran = []

    def sweep(now, stdout=None):
        ran.append(now)
        return {"checked": 3}

    def panel(context, enterprise):
        return f'<section data-panel="policies">{enterprise.pk}</section>'

    declare(
        "policies",
        NavEntry("demands:dashboard", "政策", order=75),
        Panel("enterprise.aside", "policies", order=15, render=panel),
        Sweeper(sweep, order=25, name="policies"),
        DemoChapter(lambda seed, stdout=None: {"policies": 1}, after=("investment",)),
    )
    admin = zone["zone_admin"]
    urls = [i["url"] for i in _nav(admin)]
    assert urls.index("/demands/dashboard/") == urls.index("/demands/") + 1  # order 75: after demands (70)
    client.force_login(admin)
    page = client.get(f"/enterprises/{zone.above1.pk}/").content.decode()
    visits, mine, demands = (
        page.index(s) for s in ('id="enterprise-visits"', 'data-panel="policies"', 'id="enterprise-demands"')
    )
    assert visits < mine < demands
    now = dt.datetime(2023, 6, 1, 9, tzinfo=dt.UTC)
    assert list(sweeps.run_all(now)) == [
        "jingkai.demands.sweep.run",
        "jingkai.campaigns.sweep.run",
        "policies",
        "jingkai.investment.sweep.run",
        "audit",  # the kernel's: the audit log's retention
        "jobs",  # the kernel's: expired export files, jobs whose worker died (issue 13)
        "emails",
    ]
    assert ran == [now]
    assert [d.app for d in ordered_chapters()][-1] == "policies"


def test_demo_chapters_that_wait_for_a_missing_or_each_other_chapter_are_refused(declare):
    declare("one", DemoChapter(lambda seed, stdout=None: {}, after=("nobody",)))
    with pytest.raises(ImproperlyConfigured, match="nobody"):
        ordered_chapters()


def test_demo_chapters_in_a_cycle_are_refused(monkeypatch):
    chapters = (
        Declared("a", DemoChapter(lambda seed, stdout=None: {}, after=("b",))),
        Declared("b", DemoChapter(lambda seed, stdout=None: {}, after=("a",))),
    )
    monkeypatch.setattr(contributions, "_all", lambda: chapters)
    with pytest.raises(ImproperlyConfigured, match="wait for each other"):
        ordered_chapters()


def test_a_panel_is_loaded_by_htmx_or_rendered_never_both():
    with pytest.raises(ImproperlyConfigured):
        Panel("enterprise.main", "x", url_name="home", render=lambda c, o: "")
    with pytest.raises(ImproperlyConfigured):
        Panel("enterprise.main", "x")


def test_predicates_are_found_by_name_and_in_templates(zone):
    assert {"demands.may_file_for", "investment.can_use_ledger", "grids.can_view_grids"} <= set(
        permissions.names()
    )
    with pytest.raises(ImproperlyConfigured):
        permissions.get("demands.no_such_rule")
    request = RequestFactory().get("/")
    template = Template('{% load jingkai %}{% can "enterprises.can_edit_enterprise" e as ok %}{{ ok }}')
    for persona, expected in (("zone_admin", "True"), ("grid_officer", "True"), ("outsider", "False")):
        request.user = zone[persona]
        assert template.render(Context({"request": request, "e": zone.above1})) == expected, persona
