"""The home page's to-do list (TodoItem): the lines each persona gets, their counts against hand-built data
(scoped through visible_to), their links (200 pages listing as many rows as the line counts) and a query count
that does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jingkai.campaigns import services as campaign_services
from jingkai.core.calendar import WorkingCalendar
from jingkai.core.dates import add_months
from jingkai.core.models import Department, ImportBatch, Role
from jingkai.demands import services as demand_services
from jingkai.demands import sweep as demand_sweep
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import Channel, Demand, DemandCategory
from jingkai.investment import services as investment_services
from jingkai.investment.models import Target
from jingkai.stats.models import MonthlyReport
from jingkai.visits import services as visit_services
from tests import factories as f
from tests.campaigns.conftest import campaign_data
from tests.investment.conftest import make_project

TODAY = dt.date.today()
LOCAL_TODAY = timezone.localdate()

AREA_LINES = ["not_visited", "demands_overdue", "demands_due_soon", "campaign_answers", "honours_expiring"]
LINES = {
    "zone_admin": [
        "demands_escalated",
        "coverage_gaps",
        "imports_previewed",
        "stats_missing",
        "calendar_years",
    ],
    "grid_leader": AREA_LINES,
    "grid_officer": AREA_LINES,
    "community_officer": AREA_LINES,
    "department": ["demands_to_take", "demands_to_reply"],
    "investment": [
        "demands_to_take",
        "demands_to_reply",
        "projects_without_contact",
        "milestones_due",
        "arrivals_this_month",
    ],
    "enterprise": ["demands_open", "campaigns_to_answer"],
}
PERSONAS = list(LINES)


# --- helpers ------------------------------------------------------------------------------------------------


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def lines(html: str) -> dict[str, int]:
    """The to-do lines shown, name → count, in page order."""
    return {name: int(n) for name, n in re.findall(r'data-todo-count="(\w+)">(\d+)<', html)}


def links(html: str) -> dict[str, str]:
    return {
        name: url.replace("&amp;", "&")
        for url, name in re.findall(r'href="([^"]+)" data-todo-link="(\w+)"', html)
    }


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def listed(response) -> int:
    """The number of rows the linked page lists, read from the page's own context."""
    context = response.context
    if "cl" in context:  # an admin changelist
        return context["cl"].result_count
    if "groups" in context:  # the coverage check
        return context["total"]
    if "campaigns" in context:  # the campaign list: answers missing in the open campaigns
        return sum(c.n_targets - c.n_answered for c in context["campaigns"] if c.status == "open")
    return context["page"].paginator.count


@pytest.fixture
def staff(zone):
    """The zone plus 招商 staff (persona `investment`) and the demands' default categories."""
    ensure_defaults()
    zone["zone_admin"].is_staff = True  # the admin site's lists (imports, the calendar) need it
    zone["zone_admin"].save()
    dept = f.DepartmentFactory(code="invest", name="招商服务局", handles_investment=True)
    zone.users["investment"] = f.UserFactory(username="investment", role=Role.DEPARTMENT, department=dept)
    return zone


def file(zone, enterprise, *, on=None, to=None):
    """A demand of `enterprise` filed on `on` (default today), driven to `to` (assigned / in_progress)."""
    demand = demand_services.submit_demand(
        actor=zone["zone_admin"],
        enterprise=enterprise,
        category=DemandCategory.objects.get(code="policy-consult"),
        description="希望了解研发费用加计扣除政策的申报流程",
        channel=Channel.HOTLINE,
        submitted_at=at(on) if on else None,
    )
    if to in ("assigned", "in_progress"):
        demand = demand_services.transition(demand, "accept", actor=zone["zone_admin"])
        demand = demand_services.transition(
            demand, "assign", actor=zone["zone_admin"], department=Department.objects.get(code="econ")
        )
    if to == "in_progress":
        demand = demand_services.transition(demand, "take", actor=zone["department"])
    return demand


def launch(zone, **overrides):
    data = campaign_data(opens_on=TODAY - dt.timedelta(days=3), closes_on=TODAY + dt.timedelta(days=30))
    campaign = campaign_services.create_campaign(zone["zone_admin"], data | overrides)
    campaign_services.launch_campaign(campaign, zone["zone_admin"])
    campaign.refresh_from_db()
    return campaign


def answer(zone, campaign, enterprise, persona="zone_admin"):
    target = campaign.targets.get(enterprise=enterprise)
    campaign_services.answer(target, zone[persona], {"status": "正常生产", "return_rate": "95"})


def expiring(enterprise, days):
    return f.HonourFactory(
        enterprise=enterprise,
        certified_on=TODAY - dt.timedelta(days=400),
        expires_on=TODAY + dt.timedelta(days=days),
    )


# --- which lines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_its_own_lines(client, staff, persona):
    assert list(lines(home(client, staff[persona]))) == LINES[persona]


def test_lines_listed_on_the_admin_site_need_its_access(client, staff):
    admin = staff["zone_admin"]
    admin.is_staff = False
    admin.save()
    assert list(lines(home(client, admin))) == ["demands_escalated", "coverage_gaps", "stats_missing"]


def test_an_enterprise_contact_gets_a_home_with_a_link_to_their_profile(client, staff):
    html = home(client, staff["enterprise"])
    assert f'href="{staff.above1.get_absolute_url()}"' in html
    assert 'data-figure="' not in html  # the zone's figure cards are for staff


def test_a_contact_without_an_enterprise_is_told_so(client, staff):
    html = home(client, f.UserFactory(role=Role.ENTERPRISE))
    assert "data-todo" not in html


# --- counts against hand-built data ------------------------------------------------------------------------


def test_area_staff_count_their_own_grid_only(client, staff):
    z = staff
    # Demands: two overdue and one due the next working day in G01 (above1); one overdue in G02 (above2), not theirs.
    file(z, z.above1, on=TODAY - dt.timedelta(days=30))
    file(z, z.above1, on=TODAY - dt.timedelta(days=20))
    file(z, z.above2, on=TODAY - dt.timedelta(days=30))
    soon = file(z, z.above1)
    # Handling deadlines in two working days (counted: "due within two working days") and in three (not).
    calendar = WorkingCalendar()
    for days in (2, 3):
        Demand.objects.filter(pk=file(z, z.above1).pk).update(
            due_on=calendar.add_working_days(LOCAL_TODAY, days)
        )
    # Certificates: above1's expires in 30 days (counted), in 200 days (not); above2's in 10 days (not theirs).
    expiring(z.above1, 30)
    expiring(z.above1, 200)
    expiring(z.above2, 10)
    # A zone-wide campaign: G01 has one target (above1), not answered.
    launch(z)
    # A second 规上 enterprise in G01, not visited; above1 is visited this quarter.
    extra = f.EnterpriseFactory(name="戊精工有限公司", grid=z.grid1)
    f.AnnualScaleFactory(enterprise=extra, year=2022, above_size=True)
    visit_services.log_visit(
        actor=z["grid_officer"], enterprise=z.above1, visited_on=TODAY, kind="officer", today=TODAY
    )
    assert soon.due_on > LOCAL_TODAY  # accepted within one working day: amber
    expected = {
        "not_visited": 1,
        "demands_overdue": 2,
        "demands_due_soon": 2,
        "campaign_answers": 1,  # above1 (the new enterprise came after the launch)
        "honours_expiring": 1,
    }
    for persona in ("grid_officer", "grid_leader"):
        assert lines(home(client, z[persona])) == expected
    # The officer of G02 counts G02's: one overdue demand, one certificate, one answer missing, above2 unvisited.
    assert lines(home(client, z["outsider"])) == {
        "not_visited": 1,
        "demands_overdue": 1,
        "demands_due_soon": 0,
        "campaign_answers": 1,
        "honours_expiring": 1,
    }


def test_answers_and_closed_campaigns_leave_the_count(client, staff):
    z = staff
    open_one = launch(z)
    other = launch(z, title="第二次排查")
    assert lines(home(client, z["grid_officer"]))["campaign_answers"] == 2
    answer(z, open_one, z.above1)
    assert lines(home(client, z["grid_officer"]))["campaign_answers"] == 1
    campaign_services.close_campaign(other, z["zone_admin"])
    assert lines(home(client, z["grid_officer"]))["campaign_answers"] == 0


def test_a_community_officer_counts_their_community(client, staff):
    z = staff
    file(z, z.below1, on=TODAY - dt.timedelta(days=30))
    file(z, z.below2, on=TODAY - dt.timedelta(days=30))
    expiring(z.below1, 89)
    expiring(z.below2, 5)
    launch(z)
    counts = lines(home(client, z["community_officer"]))
    assert counts["demands_overdue"] == 1
    assert counts["honours_expiring"] == 1
    assert counts["campaign_answers"] == 1


def test_a_department_counts_demands_with_it_most_urgent_first(client, staff):
    z = staff
    late = file(z, z.above1, on=TODAY - dt.timedelta(days=30), to="assigned")
    fresh = file(z, z.above2, to="assigned")
    file(z, z.below1, to="in_progress")
    file(z, z.below2)  # not routed to a department yet
    html = home(client, z["department"])
    assert lines(html) == {"demands_to_take": 2, "demands_to_reply": 1}
    take_rows = re.findall(r'data-todo-row="demands_to_take">.*?href="([^"]+)"', html, re.S)
    assert take_rows == [
        reverse("demands:detail", args=[late.pk]),
        reverse("demands:detail", args=[fresh.pk]),
    ]
    # Another department sees none of them.
    other = f.UserFactory(role=Role.DEPARTMENT, department=f.DepartmentFactory(code="other", name="其他局"))
    assert lines(home(client, other)) == {"demands_to_take": 0, "demands_to_reply": 0}


def test_an_enterprise_contact_counts_their_open_demands_and_campaigns(client, staff):
    z = staff
    file(z, z.above1)
    file(z, z.above1, to="in_progress")
    file(z, z.above2)  # not theirs
    first = launch(z)
    launch(z, title="第二次排查")
    answer(z, first, z.above1, persona="enterprise")
    html = home(client, z["enterprise"])
    assert lines(html) == {"demands_open": 2, "campaigns_to_answer": 1}
    # The campaign still to answer opens its form.
    second = first.__class__.objects.exclude(pk=first.pk).get()
    assert reverse("campaigns:answer", args=[second.pk, z.above1.pk]) in html


def test_investment_staff_follow_their_ledger(client, staff):
    z = staff
    staff_user = z["investment"]
    quiet = make_project(staff_user, "P1", first_contact_on=TODAY - dt.timedelta(days=45))
    recent = make_project(staff_user, "P2", first_contact_on=TODAY - dt.timedelta(days=45))
    investment_services.add_follow_up(
        recent, {"on": TODAY - dt.timedelta(days=3), "note": "电话沟通"}, staff_user
    )
    make_project(staff_user, "P3")  # entered today: in contact
    investment_services.set_milestone(quiet, "signed", LOCAL_TODAY + dt.timedelta(days=3), staff_user)
    investment_services.set_milestone(recent, "signed", LOCAL_TODAY + dt.timedelta(days=60), staff_user)
    investment_services.add_arrival(
        recent,
        {"kind": "domestic", "amount": Decimal("5000000"), "currency": "CNY", "on": LOCAL_TODAY},
        staff_user,
    )
    Target.objects.create(year=LOCAL_TODAY.year, figure="domestic_arrived", value=Decimal("100000000"))
    html = home(client, staff_user)
    counts = lines(html)
    assert counts["projects_without_contact"] == 1
    assert counts["milestones_due"] == 1
    assert counts["arrivals_this_month"] == 1
    assert "30" in html and "5.0%" in html  # the chosen N is said; the year's share of the target


def test_a_zone_admin_sees_what_waits_for_the_zone(client, staff):
    z = staff
    # Escalated: a demand long overdue, swept to level 2; a fresh one is not.
    file(z, z.above1, on=TODAY - dt.timedelta(days=30))
    file(z, z.above2)
    demand_sweep.run(timezone.now())
    # A coverage gap: a 规上 enterprise in no grid.
    f.AnnualScaleFactory(enterprise=f.EnterpriseFactory(name="无网格规上企业"), year=2022, above_size=True)
    # Two imports previewed, one committed.
    for status in ("previewed", "previewed", "committed"):
        ImportBatch.objects.create(
            kind="enterprises",
            file_name="企业.xlsx",
            content=b"",
            sha256="0" * 64,
            status=status,
            uploaded_by=z["zone_admin"],
        )
    counts = lines(home(client, z["zone_admin"]))
    assert counts["demands_escalated"] == 1
    assert counts["coverage_gaps"] == 1
    assert counts["imports_previewed"] == 2
    assert counts["stats_missing"] == 1
    # The last complete month's statistics delivered: nothing missing.
    MonthlyReport.objects.create(enterprise=z.above1, period=add_months(TODAY, -1))
    assert lines(home(client, z["zone_admin"]))["stats_missing"] == 0


def test_calendar_years_reuse_the_calendar_check(client, staff, monkeypatch):
    from jingkai.shell import views

    monkeypatch.setattr(views, "uncovered_years", lambda years: [2031, 2032])
    html = home(client, staff["zone_admin"])
    assert lines(html)["calendar_years"] == 2
    assert "2031、2032" in html


# --- links ---------------------------------------------------------------------------------------------------


def populate(z, n: int, start: int = 0):
    """n rows of each kind for every persona: demands, enterprises, certificates, projects, imports."""
    staff_user = z["investment"]
    for i in range(start, start + n):
        grid_ent = f.EnterpriseFactory(name=f"网格企业{i}", grid=z.grid1)
        f.AnnualScaleFactory(enterprise=grid_ent, year=2022, above_size=True)
        comm_ent = f.EnterpriseFactory(name=f"社区企业{i}", community=z.community1)
        f.AnnualScaleFactory(enterprise=comm_ent, year=2022, above_size=False, revenue=5_000_000)
        for ent in (grid_ent, comm_ent):
            expiring(ent, 30)
            f.ContactFactory(enterprise=ent)
        file(z, grid_ent, on=TODAY - dt.timedelta(days=30))
        file(z, comm_ent, on=TODAY - dt.timedelta(days=30))
        file(z, z.above1, to="assigned")
        file(z, z.above1, to="in_progress")
        file(z, z.above1)
        p = make_project(staff_user, f"Q{i}", first_contact_on=TODAY - dt.timedelta(days=45))
        investment_services.set_milestone(p, "signed", LOCAL_TODAY + dt.timedelta(days=2), staff_user)
        investment_services.add_arrival(
            p,
            {"kind": "domestic", "amount": Decimal("1000000"), "currency": "CNY", "on": LOCAL_TODAY},
            staff_user,
        )
        ImportBatch.objects.create(
            kind="enterprises",
            file_name=f"{i}.xlsx",
            content=b"",
            sha256="0" * 64,
            uploaded_by=z["zone_admin"],
        )
        f.AnnualScaleFactory(enterprise=f.EnterpriseFactory(name=f"缺口企业{i}"), year=2022, above_size=True)
        if i % 10 == 0:
            launch(z, title=f"排查{i}")
    demand_sweep.run(timezone.now())


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_line_links_to_a_page_listing_as_many_rows(client, staff, persona):
    populate(staff, 3)
    user = staff[persona]
    html = home(client, user)
    counts, urls = lines(html), links(html)
    assert set(urls) == set(counts)
    assert sum(counts.values()) > 0
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url)
        if name in ("stats_missing", "calendar_years", "arrivals_this_month"):
            continue  # an import page, the calendar's admin and the figures page: no rows to count
        assert listed(response) == counts[name], (name, url)


def test_the_figures_page_shows_the_target_the_line_reads(client, staff):
    staff_user = staff["investment"]
    Target.objects.create(year=LOCAL_TODAY.year, figure="domestic_arrived", value=Decimal("2000000000"))
    html = home(client, staff_user)
    response = client.get(links(html)["arrivals_this_month"])
    assert response.status_code == 200
    assert "20亿元" in html and "20亿元" in response.content.decode()


# --- a fixed number of queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_query_count_does_not_grow_with_the_rows(client, staff, persona):
    user = staff[persona]
    client.force_login(user)
    populate(staff, 3)
    client.get(reverse("home"))  # first use: contributions read, defaults created
    with CaptureQueriesContext(connection) as small:
        small_counts = lines(client.get(reverse("home")).content.decode())
    populate(staff, 27, start=3)
    with CaptureQueriesContext(connection) as large:
        large_counts = lines(client.get(reverse("home")).content.decode())
    assert any(large_counts[name] > small_counts[name] for name in small_counts), "the rows did not grow"
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
