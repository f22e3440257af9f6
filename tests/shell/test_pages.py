"""Home, coverage, the profile's contents, sign-in and lock-out, the health check and the admin site."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from jingkai.core.models import Role
from jingkai.grids.models import AssignmentRole
from tests import factories as f

TODAY = dt.date.today()


def figure(html: str, name: str) -> int:
    match = re.search(rf'data-figure="{name}">(\d+)<', html)
    assert match, f"no figure {name}"
    return int(match.group(1))


# -- home ------------------------------------------------------------------------------------------


def test_an_enterprise_contact_has_a_home_of_their_own_with_a_way_to_their_profile(client, zone):
    client.force_login(zone["enterprise"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert zone.above1.get_absolute_url() in response.content.decode()


def test_the_dashboard_counts_what_the_user_may_see(client, zone):
    # The zone's data year is 2022, so certificates count when valid on 2022-12-31.
    f.HonourFactory(enterprise=zone.above1, certified_on=dt.date(2022, 6, 1), expires_on=None)
    f.HonourFactory(
        enterprise=zone.above2, certified_on=dt.date(2019, 1, 1), expires_on=dt.date(2021, 12, 31)
    )
    f.HonourFactory(enterprise=zone.below1, certified_on=dt.date(2023, 2, 1), expires_on=None)
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("home")).content.decode()
    assert figure(html, "enterprises") == 4
    assert figure(html, "above") == 2
    assert figure(html, "high_tech") == 1  # one had expired by then, one was not yet certified
    assert "2022-12-31" in html
    assert figure(html, "grids") == 2
    assert figure(html, "communities") == 2
    assert "grid-chart-data" in html  # an admin sees several grids: the chart is drawn

    client.force_login(zone["grid_officer"])
    html = client.get(reverse("home")).content.decode()
    assert figure(html, "enterprises") == 1
    assert figure(html, "above") == 1
    assert 'data-figure="gaps"' not in html
    assert "grid-chart-data" not in html  # one grid: nothing to compare


def test_the_dashboard_counts_coverage_gaps_for_admins(client, zone):
    client.force_login(zone["zone_admin"])
    before = figure(client.get(reverse("home")).content.decode(), "gaps")
    f.AnnualScaleFactory(enterprise=f.EnterpriseFactory(name="无网格规上企业"), year=2022, above_size=True)
    assert figure(client.get(reverse("home")).content.decode(), "gaps") == before + 1


# -- coverage --------------------------------------------------------------------------------------


def test_coverage_shows_a_gap_for_the_zone_admin(client, zone):
    orphan = f.EnterpriseFactory(name="未划网格精密有限公司")
    f.AnnualScaleFactory(enterprise=orphan, year=2022, above_size=True)
    client.force_login(zone["zone_admin"])
    response = client.get(reverse("grids:coverage"))
    html = response.content.decode()
    assert response.status_code == 200
    section = html[html.index('data-gap-kind="above_no_grid"') :]
    assert f'href="{orphan.get_absolute_url()}"' in section[: section.index("</section>")]


def test_coverage_links_an_unstaffed_grid(client, zone):
    empty = f.GridFactory()
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("grids:coverage")).content.decode()
    assert f'href="{reverse("grids:detail", args=[empty.code])}"' in html


def test_coverage_for_a_grid_officer_covers_their_own_enterprises_only(client, zone):
    orphan = f.EnterpriseFactory(name="未划网格精密有限公司")
    f.AnnualScaleFactory(enterprise=orphan, year=2022, above_size=True)
    # A 规下 enterprise in the officer's grid but in no community is their gap.
    own = f.EnterpriseFactory(name="本网格规下企业", grid=zone.grid1)
    f.AnnualScaleFactory(enterprise=own, year=2022, above_size=False)
    client.force_login(zone["grid_officer"])
    response = client.get(reverse("grids:coverage"))
    html = response.content.decode()
    assert response.status_code == 200
    assert orphan.name not in html
    assert own.name in html


@pytest.mark.parametrize("persona", ["enterprise", "department"])
def test_coverage_is_forbidden_to_contacts_and_departments(client, zone, persona):
    client.force_login(zone[persona])
    assert client.get(reverse("grids:coverage")).status_code == 403


# -- the profile -------------------------------------------------------------------------------------


def test_the_profile_shows_capital_honours_group_and_staff(client, zone):
    enterprise = zone.above1
    group = f.GroupFactory(name="尼得科集团")
    f.EnterpriseFactory(group=group, grid=zone.grid2)
    enterprise.group = group
    enterprise.registered_capital, enterprise.registered_capital_currency = Decimal("113700000"), "USD"
    enterprise.total_investment, enterprise.total_investment_currency = Decimal("308500000"), "USD"
    enterprise.land_area_mu = Decimal("120.5")
    enterprise.save()
    f.CapitalChangeFactory(
        enterprise=enterprise,
        changed_on=dt.date(2003, 9, 1),
        kind="founding",
        registered_capital_before=None,
        registered_capital_after=Decimal("1700000"),
        total_investment_after=Decimal("2400000"),
    )
    f.HonourFactory(
        enterprise=enterprise,
        certificate_no="GR202233001234",
        certified_on=TODAY - dt.timedelta(days=10),
        expires_on=TODAY + dt.timedelta(days=1000),
    )
    f.HonourFactory(
        enterprise=enterprise,
        kind="tech_sme",
        certificate_no="KX2019",
        certified_on=dt.date(2019, 1, 1),
        expires_on=dt.date(2020, 1, 1),
    )
    leader = zone["grid_leader"]

    client.force_login(zone["grid_officer"])
    response = client.get(enterprise.get_absolute_url())
    html = response.content.decode()
    assert "11370万美元" in html
    assert "30850万美元" in html
    assert "170万美元" in html  # the founding capital in the timeline
    assert "capital-chart-data" in html
    assert "120.5" in html
    rows = re.findall(r'<tr data-valid="(\d)">.*?</tr>', html, flags=re.S)
    valid = re.search(r'<tr data-valid="(\d)">(?:(?!</tr>).)*GR202233001234', html, flags=re.S)
    expired = re.search(r'<tr data-valid="(\d)">(?:(?!</tr>).)*KX2019', html, flags=re.S)
    assert len(rows) == 2
    assert valid.group(1) == "1"
    assert expired.group(1) == "0"
    assert "尼得科集团" in html
    assert response.context["group_size"] == 2
    assert leader.full_name in html
    assert zone["grid_officer"].full_name in html


def test_the_profile_names_the_community_officer(client, zone):
    client.force_login(zone["community_officer"])
    html = client.get(zone.below1.get_absolute_url()).content.decode()
    assert zone["community_officer"].full_name in html
    assert zone.community1.name in html


def test_ended_assignments_are_not_shown_as_current(client, zone):
    former = f.UserFactory(role=Role.GRID_LEADER, full_name="前任领导")
    f.GridAssignmentFactory(
        grid=zone.grid1,
        user=former,
        role=AssignmentRole.LEADER,
        start_date=dt.date(2018, 1, 1),
        end_date=dt.date(2019, 12, 31),
    )
    client.force_login(zone["zone_admin"])
    assert "前任领导" not in client.get(zone.above1.get_absolute_url()).content.decode()
    # ... but the grid's assignment history keeps them, with dates.
    grid_page = client.get(reverse("grids:detail", args=[zone.grid1.code])).content.decode()
    assert "前任领导" in grid_page
    assert "2019-12-31" in grid_page


# -- sign-in, sign-out, health ---------------------------------------------------------------------


def test_login_page_and_successful_login(client, zone):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "zone_admin", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_failed_login_says_so_on_the_form(client, zone):
    response = client.post(reverse("login"), {"username": "zone_admin", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_repeated_failures_lock_the_account(client, zone, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert (
            client.post(reverse("login"), {"username": "grid_officer", "password": "wrong"}).status_code
            == 200
        )
    locked = client.post(reverse("login"), {"username": "grid_officer", "password": "wrong"})
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused while the lock lasts.
    again = client.post(reverse("login"), {"username": "grid_officer", "password": "pw-for-tests-1"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(client, zone):
    client.force_login(zone["zone_admin"])
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # signed out


def test_healthz_needs_no_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_pages_carry_the_navigation_for_the_role(client, zone):
    client.force_login(zone["zone_admin"])
    html = client.get(reverse("enterprises:list")).content.decode()
    for name in ("grids:list", "grids:community_list", "grids:coverage", "chains:list"):
        assert f'href="{reverse(name)}"' in html
    client.force_login(zone["community_officer"])
    html = client.get(reverse("enterprises:list")).content.decode()
    assert f'href="{reverse("grids:community_list")}"' in html
    assert f'href="{reverse("grids:list")}"' not in html
    assert f'action="{reverse("logout")}"' in html


def test_calendar_warning_banner_for_uncovered_years(client, zone, monkeypatch):
    from jingkai.core import context_processors

    monkeypatch.setattr(context_processors, "uncovered_years", lambda years: [2099])
    client.force_login(zone["grid_officer"])
    html = client.get(reverse("enterprises:list")).content.decode()
    assert "alert alert-warning" in html and "2099" in html


# -- admin site --------------------------------------------------------------------------------------


def test_admin_site_is_for_staff_zone_admins_only(client, zone):
    admin_user = zone["zone_admin"]
    admin_user.is_staff = True
    admin_user.save()
    officer = zone["grid_officer"]
    officer.is_staff = True
    officer.save()

    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:core_holidayoverride_add")).status_code == 200
    assert (
        client.get(reverse("admin:enterprises_enterprise_change", args=[zone.above1.pk])).status_code == 200
    )
    response = client.post(
        reverse("admin:core_holidayoverride_add"),
        {"date": "2099-01-01", "is_working_day": "", "name": "元旦", "source": "国办发明电〔2098〕1号"},
    )
    assert response.status_code == 302

    client.force_login(officer)
    assert client.get(reverse("admin:index")).status_code == 302


def test_enterprises_are_read_only_in_the_admin(client, zone):
    admin_user = zone["zone_admin"]
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:enterprises_enterprise_change", args=[zone.above1.pk])
    client.post(url, {"name": "改名", "uscc": zone.above1.uscc})
    zone.above1.refresh_from_db()
    assert zone.above1.name != "改名"
    assert client.get(reverse("admin:enterprises_enterprise_add")).status_code == 403


def test_every_admin_page_opens_for_a_staff_zone_admin(client, zone):
    from django.contrib import admin

    from jingkai.core.admin import ZoneAdminMixin

    admin_user = zone["zone_admin"]
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    samples = {
        "enterprises.enterprise": zone.above1,
        "grids.grid": zone.grid1,
        "core.user": zone["grid_officer"],
    }
    zone_admins = {m: a for m, a in admin.site._registry.items() if isinstance(a, ZoneAdminMixin)}
    assert len(zone_admins) >= 18
    for model in zone_admins:
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, opts.label
        obj = samples.get(opts.label_lower)
        if obj is not None:
            assert client.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200, opts.label
            assert client.get(reverse(f"{prefix}_history", args=[obj.pk])).status_code == 200, opts.label


def test_no_admin_page_grants_superuser_rights(client, zone):
    # 三员分立 (issue 12): the user pages are the system administrator's, where the flag is read-only.
    admin_user = zone["zone_admin"]
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(reverse("admin:core_user_change", args=[zone["grid_officer"].pk])).status_code == 403
    system = f.UserFactory(username="system", role="system_admin", is_staff=True)
    client.force_login(system)
    form = client.get(reverse("admin:core_user_change", args=[zone["grid_officer"].pk])).context["adminform"]
    assert {"is_superuser", "role"} <= set(form.readonly_fields)


def test_grid_and_community_lists_count_enterprises_and_name_staff(client, zone):
    extra = f.EnterpriseFactory(grid=zone.grid1)
    f.AnnualScaleFactory(enterprise=extra, year=2022, above_size=False)
    f.EnterpriseFactory(grid=zone.grid1)  # no size figure at all
    client.force_login(zone["zone_admin"])
    rows = {
        grid.code: (grid, leaders, officers)
        for grid, leaders, officers in client.get(reverse("grids:list")).context["rows"]
    }
    grid1, leaders, officers = rows[zone.grid1.code]
    assert (grid1.total, grid1.above) == (3, 1)
    assert leaders == [zone["grid_leader"]]
    assert officers == [zone["grid_officer"]]
    assert (rows[zone.grid2.code][0].total, rows[zone.grid2.code][0].above) == (1, 1)

    communities = {c.code: c for c in client.get(reverse("grids:community_list")).context["communities"]}
    assert (communities[zone.community1.code].total, communities[zone.community1.code].above) == (1, 0)
    assert [a.user for a in communities[zone.community1.code].current_assignments] == [
        zone["community_officer"]
    ]
