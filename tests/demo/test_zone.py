"""The demo zone carries the source documents' facts; every figure here is counted from rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from simple_history.utils import get_history_model_for_model

from jingkai.chains.models import Chain, ChainMembership, ChainRole
from jingkai.core import uscc
from jingkai.core.models import Role, User
from jingkai.demo.generator import DEFAULT_SEED, DEMO_PASSWORD, build_plan, generate_scale
from jingkai.enterprises.coverage import default_year, find_gaps
from jingkai.enterprises.models import AnnualScale, CapitalChange, Enterprise, EnterpriseGroup, Honour
from jingkai.grids.models import AssignmentRole, Community, CommunityAssignment, Grid, GridAssignment
from jingkai.parks.models import Building, Park
from jingkai.stats.demo import FIRST_ROLL_YEAR, last_period

pytestmark = pytest.mark.django_db

END_2022 = dt.date(2022, 12, 31)
WAN = Decimal(10_000)
FLOOR = Decimal(20_000_000)


@pytest.fixture(autouse=True)
def _zone(demo_zone, db):
    return demo_zone


def tsugami() -> Enterprise:
    return Enterprise.objects.get(name="津上精密机床（浙江）有限公司")


def valid_holders(kind: str, day: dt.date = END_2022):
    rows = Honour.objects.filter(kind=kind, certified_on__lte=day, expires_on__gte=day)
    return rows.values("enterprise").distinct()


# -- 规上 -------------------------------------------------------------------------------------------


def test_254_enterprises_above_designated_size_in_2022():
    assert AnnualScale.objects.filter(year=2022, above_size=True).count() == 254


def test_scale_status_follows_the_revenue_line_and_industry():
    rows = AnnualScale.objects.select_related("enterprise")
    for row in rows:
        assert row.enterprise.industry_code[0] in "BCD", row  # 规上/规下 is an industrial notion
        if row.revenue is None:  # a later roll's carried status (no December report for the year, yet)
            assert row.year >= FIRST_ROLL_YEAR, row
            continue
        if row.above_size:
            assert row.revenue >= FLOOR, row
        else:
            assert row.revenue < FLOOR, row


def test_enterprises_enter_and_leave_the_above_size_set():
    def above(year):
        return set(
            AnnualScale.objects.filter(year=year, above_size=True).values_list("enterprise_id", flat=True)
        )

    for before, after in ((2021, 2022), (2022, 2023)):
        assert above(after) - above(before), f"nobody entered in {after}"
        assert above(before) - above(after), f"nobody left in {after}"
    below_2022 = AnnualScale.objects.filter(year=2022, above_size=False).count()
    assert 400 <= below_2022 <= 500


def test_2022_output_of_above_size_enterprises_is_the_reported_record():
    total = AnnualScale.objects.filter(year=2022, above_size=True).aggregate(s=Sum("revenue"))["s"]
    assert total == Decimal("64500000000")


def test_origins_are_mostly_domestic_with_many_japanese_and_german():
    total = Enterprise.objects.count()
    domestic = Enterprise.objects.filter(origin="domestic").count()
    japanese = Enterprise.objects.filter(origin_country="JP").count()
    german = Enterprise.objects.filter(origin_country="DE").count()
    assert 650 <= total <= 800
    assert domestic > total / 2
    assert japanese > german > Enterprise.objects.filter(origin_country="US").count()


# -- 津上 and the Nidec group -------------------------------------------------------------------------


def test_tsugami_capital_history_founding_plus_eleven_increases():
    ent = tsugami()
    rows = list(CapitalChange.objects.filter(enterprise=ent).order_by("changed_on", "pk"))
    assert [r.kind for r in rows] == ["founding"] + ["increase"] * 11
    assert {r.currency for r in rows} == {"USD"}
    assert (rows[0].registered_capital_after, rows[0].total_investment_after) == (170 * WAN, 240 * WAN)
    assert (rows[-1].registered_capital_after, rows[-1].total_investment_after) == (11370 * WAN, 30850 * WAN)
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.registered_capital_before == previous.registered_capital_after
        assert row.total_investment_before == previous.total_investment_after
        assert row.registered_capital_after > row.registered_capital_before
        assert row.total_investment_after > row.total_investment_before
        assert row.changed_on > previous.changed_on
        assert 2004 <= row.changed_on.year <= 2022
    assert (ent.registered_capital, ent.total_investment) == (11370 * WAN, 30850 * WAN)


def test_every_capital_increase_increases_and_matches_the_enterprise():
    increases = CapitalChange.objects.filter(kind="increase")
    assert increases.count() > 100
    assert not increases.filter(registered_capital_after__lte=F("registered_capital_before")).exists()
    assert not increases.filter(total_investment_after__lt=F("total_investment_before")).exists()
    assert not CapitalChange.objects.filter(total_investment_after__lt=F("registered_capital_after")).exists()
    for ent in Enterprise.objects.prefetch_related("capital_changes"):
        last = list(ent.capital_changes.all())[-1]
        assert (ent.registered_capital, ent.registered_capital_currency) == (
            last.registered_capital_after,
            last.currency,
        )


def test_tsugami_profile():
    ent = tsugami()
    assert (ent.origin, ent.origin_country) == ("foreign", "JP")
    assert (ent.founded_on.year, ent.founded_on.month) == (2003, 9)
    assert ent.industry_code.startswith("C34")
    assert (ent.listing_market, ent.stock_code, ent.listed_on.year) == ("hkex", "01651", 2017)
    assert ent.employees >= 2000 and ent.technical_staff >= 380
    assert ent.park.name == "中日（平湖）产业园"
    honours = {(h.kind, h.level) for h in ent.honours.all()}
    assert {("rnd_centre", "provincial"), ("mu_leader", "provincial")} <= honours
    assert (
        ent.honours.filter(kind="high_tech", certified_on__lte=END_2022, expires_on__gte=END_2022).count()
        == 1
    )


def test_nidec_group_of_17_with_its_capital_sums():
    group = EnterpriseGroup.objects.get(name="尼得科集团")
    members = Enterprise.objects.filter(group=group)
    assert members.count() == 17
    sections = [code[0] for code in members.values_list("industry_code", flat=True)]
    assert sum(1 for s in sections if s in "BCD") == 14
    divisions = sorted(
        code[:3] for code in members.values_list("industry_code", flat=True) if code[0] not in "BCD"
    )
    assert divisions == ["H61", "L72", "M73"]
    assert set(members.values_list("registered_capital_currency", flat=True)) == {"USD"}
    sums = members.aggregate(rc=Sum("registered_capital"), ti=Sum("total_investment"))
    assert sums["rc"] == 55475 * WAN
    assert sums["ti"] == 142987 * WAN
    for member in members:
        assert member.total_investment >= member.registered_capital
    machine = members.get(name="尼得科机床（浙江）有限公司")
    assert machine.park.kind == "enclave"
    names = set(members.values_list("short_name", flat=True))
    assert {"日本电产汽车马达", "尼得科机床", "日本电产理德"} <= names


def test_nidec_2022_output_and_motor_growth():
    industrial = AnnualScale.objects.filter(enterprise__group__name="尼得科集团", year=2022)
    assert industrial.aggregate(s=Sum("revenue"))["s"] == Decimal("159.7") * Decimal(100_000_000)
    motor = {s.year: s.revenue for s in AnnualScale.objects.filter(enterprise__short_name="日本电产汽车马达")}
    assert round((motor[2022] / motor[2021] - 1) * 100, 2) == Decimal("25.74")


def test_other_named_enterprises():
    cargill = Enterprise.objects.get(name="嘉吉食品科技（平湖）有限公司")
    assert (cargill.origin_country, cargill.registered_capital, cargill.registered_capital_currency) == (
        "US",
        11500 * WAN,
        "USD",
    )
    xuantian = Enterprise.objects.get(name="浙江轩田智能科技有限公司")
    assert xuantian.origin == "domestic" and xuantian.founded_on.year == 2021
    assert (xuantian.park.name, xuantian.building.name) == ("两创产业园", "3号楼")
    assert 150 <= xuantian.employees <= 250
    assert Enterprise.objects.get(short_name="考泰斯").origin_country == "DE"
    assert Enterprise.objects.get(short_name="川电钢板").origin_country == "JP"
    assert (
        Enterprise.objects.get(short_name="川电钢板").capital_changes.filter(changed_on__year=2022).exists()
    )
    for short in (
        "纳狮新材料",
        "聚速",
        "金兆",
        "臻驱",
        "菲斯曼",
        "诺博汽车",
        "纳铁福",
        "勒威半导体",
        "赫芯",
        "博格隆",
    ):
        assert Enterprise.objects.filter(short_name=short).count() == 1, short


# -- honours --------------------------------------------------------------------------------------


def test_high_tech_158_valid_at_end_2022_of_which_34_certified_in_2022():
    assert valid_holders("high_tech").count() == 158
    new = Honour.objects.filter(kind="high_tech", certified_on__year=2022, expires_on__gte=END_2022)
    assert new.values("enterprise").distinct().count() == 34
    assert set(new.values_list("enterprise__short_name", flat=True)) >= {"菲斯曼", "诺博汽车"}
    # "new" really means first certified: none of the 34 held an earlier certificate.
    assert not Honour.objects.filter(
        kind="high_tech", enterprise__in=new.values("enterprise"), certified_on__year__lt=2022
    ).exists()


def test_tech_sme_338_valid_at_end_2022_of_which_63_in_2022():
    assert valid_holders("tech_sme").count() == 338
    new = Honour.objects.filter(kind="tech_sme", certified_on__year=2022, expires_on__gte=END_2022)
    assert new.values("enterprise").distinct().count() == 63
    assert set(new.values_list("enterprise__short_name", flat=True)) >= {"纳铁福", "勒威半导体", "赫芯"}


def test_tech_sme_holders_meet_the_size_conditions():
    """RULES.md §5: staff ≤ 500, so most 科小 are 规下."""
    holders = Enterprise.objects.filter(pk__in=valid_holders("tech_sme"))
    assert not holders.filter(employees__gt=500).exists()
    below = holders.filter(annual_scales__year=2022, annual_scales__above_size=False).count()
    assert below > holders.count() / 2


def test_four_little_giants_in_2022_including_bogelong():
    giants = Honour.objects.filter(kind="little_giant", level="national", certified_on__year=2022)
    assert giants.values("enterprise").distinct().count() == 4
    assert giants.filter(enterprise__short_name="博格隆").exists()


def test_certificates_last_three_years():
    for honour in Honour.objects.filter(kind__in=["high_tech", "tech_sme", "little_giant", "specialised"]):
        certified = honour.certified_on
        assert honour.expires_on == certified.replace(year=certified.year + 3) - dt.timedelta(days=1)


def test_no_enterprise_holds_two_overlapping_certificates_of_a_kind():
    seen = {}
    for h in Honour.objects.filter(kind__in=["high_tech", "tech_sme"]).order_by(
        "enterprise", "kind", "certified_on"
    ):
        key = (h.enterprise_id, h.kind)
        if key in seen:
            assert h.certified_on > seen[key], h
        seen[key] = h.expires_on


# -- geography, chains, coverage -------------------------------------------------------------------


def test_grids_communities_and_parks():
    assert list(Grid.objects.values_list("code", flat=True)) == [f"G{n:02d}" for n in range(1, 17)]
    assert Grid.objects.get(code="G16").name == "第十六网格"
    assert list(Community.objects.values_list("code", flat=True)) == [f"C{n:02d}" for n in range(1, 13)]
    assert {"village", "community"} == set(Community.objects.values_list("kind", flat=True))
    for grid in Grid.objects.all():
        assert GridAssignment.objects.filter(grid=grid, role=AssignmentRole.LEADER).count() == 1
        assert 1 <= GridAssignment.objects.filter(grid=grid, role=AssignmentRole.OFFICER).count() <= 2
    for community in Community.objects.all():
        assert CommunityAssignment.objects.filter(community=community).count() == 1
    assert Park.objects.count() == 7
    assert dict(Park.objects.values_list("name", "kind"))["平湖-青田山海协作“飞地”产业园"] == "enclave"
    assert Building.objects.filter(park__name="两创产业园", name="3号楼").exists()
    leaders = User.objects.filter(grid_assignments__role=AssignmentRole.LEADER)
    assert "沈毅峰" not in set(leaders.values_list("full_name", flat=True))


def test_coverage_has_no_gaps():
    # The demo's rolls run to the year under way (its status carried from the year before until December).
    assert default_year() == last_period().year
    assert find_gaps() == []


def test_chains_and_roles():
    assert Chain.objects.count() == 7
    digital = set(Chain.objects.filter(is_digital_economy=True).values_list("name", flat=True))
    assert digital == {"汽车电子", "半导体", "光电通信"}
    leaders = dict(
        ChainMembership.objects.filter(role=ChainRole.LEADER).values_list(
            "chain__name", "enterprise__short_name"
        )
    )
    assert leaders["汽车电子"] == "日本电产汽车马达"
    assert leaders["高端机床"] == "津上精密"
    assert set(leaders) == set(Chain.objects.values_list("name", flat=True))
    suppliers = ChainMembership.objects.filter(chain__name="高端机床", role=ChainRole.SUPPLIER)
    assert suppliers.count() >= 40


def test_usccs_are_valid_and_unique():
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes))
    assert all(uscc.is_valid(code) for code in codes)
    assert all(code[2:8] == "330482" for code in codes)


def test_every_row_has_its_created_history_by_the_zone_admin():
    admin = User.objects.get(username="zone_admin")
    for model in (Enterprise, AnnualScale, Honour, CapitalChange, Grid, GridAssignment, ChainMembership):
        history = get_history_model_for_model(model)
        assert history.objects.filter(history_type="+").count() == model.objects.count(), model
        assert not history.objects.exclude(history_user=admin).exists(), model


# -- users ----------------------------------------------------------------------------------------


def test_demo_logins_exist_with_their_roles():
    expected = {
        "zone_admin": Role.ZONE_ADMIN,
        "grid_leader": Role.GRID_LEADER,
        "grid_officer": Role.GRID_OFFICER,
        "community_officer": Role.COMMUNITY_OFFICER,
        "department": Role.DEPARTMENT,
        "enterprise": Role.ENTERPRISE,
        "investment": Role.DEPARTMENT,  # 招商服务局 (issue 4)
        # 三员分立 (issue 12)
        "system_admin": Role.SYSTEM_ADMIN,
        "security_admin": Role.SECURITY_ADMIN,
        "audit_admin": Role.AUDIT_ADMIN,
    }
    users = {u.username: u for u in User.objects.filter(username__in=expected)}
    assert {name: u.role for name, u in users.items()} == expected
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD), user.username
    assert users["zone_admin"].is_staff
    # No superuser in the demo: the zone administrator works through its role (issue 12).
    assert not User.objects.filter(is_superuser=True).exists()
    assert users["system_admin"].is_staff and not users["security_admin"].is_staff
    assert users["department"].department.code == "econ"
    assert users["department"].department.name == "经济发展局"
    g01 = Grid.objects.get(code="G01")
    assert GridAssignment.objects.filter(grid=g01, user=users["grid_leader"], role="leader").exists()
    assert GridAssignment.objects.filter(grid=g01, user=users["grid_officer"], role="officer").exists()
    assert CommunityAssignment.objects.filter(community__code="C01", user=users["community_officer"]).exists()
    contact = users["enterprise"].enterprise_contact
    assert contact.is_primary and contact.enterprise == tsugami()
    # Everyone else has no usable password.
    others = User.objects.exclude(username__in=expected)
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_scopes_of_the_demo_logins():
    users = {u.username: u for u in User.objects.all()}
    everything = set(Enterprise.objects.values_list("pk", flat=True))

    def visible(name):
        return set(Enterprise.objects.visible_to(users[name]).values_list("pk", flat=True))

    g01 = set(Enterprise.objects.filter(grid__code="G01").values_list("pk", flat=True))
    assert visible("zone_admin") == everything
    assert visible("grid_leader") == g01 == visible("grid_officer")
    assert tsugami().pk in g01 and len(g01) < len(everything)
    c01 = set(Enterprise.objects.filter(community__code="C01").values_list("pk", flat=True))
    assert visible("community_officer") == c01 and c01 and not (c01 & g01)
    assert visible("enterprise") == {tsugami().pk}
    for name in ("system_admin", "security_admin", "audit_admin"):
        assert visible(name) == set(), name


# -- determinism and scale ------------------------------------------------------------------------


def test_loaded_usccs_are_those_of_the_plan():
    loaded = list(Enterprise.objects.order_by("pk").values_list("uscc", flat=True))
    assert loaded == [e.uscc for e in build_plan(DEFAULT_SEED).enterprises]


def test_generate_scale_adds_enterprises_and_keeps_coverage():
    before = Enterprise.objects.count()
    history = get_history_model_for_model(Enterprise)
    history_before = history.objects.count()
    assert generate_scale(500, seed=7) == 500
    assert Enterprise.objects.count() == before + 500
    assert history.objects.count() == history_before + 500
    added = Enterprise.objects.order_by("-pk")[:500]
    assert all(uscc.is_valid(e.uscc) for e in added)
    codes = list(Enterprise.objects.values_list("uscc", flat=True))
    assert len(codes) == len(set(codes))
    assert AnnualScale.objects.filter(enterprise__in=added, year=last_period().year).count() == 500
    assert find_gaps() == []
    # Synthetic rows land in the latest year only: the 2022 figures stay those of the documents.
    assert AnnualScale.objects.filter(year=2022, above_size=True).count() == 254
    assert valid_holders("high_tech").count() == 158
    # A new enterprise can be saved afterwards (the primary-key sequences moved past the inserted keys).
    Enterprise.objects.create(
        uscc=uscc.make_code("91", "330482", "MA2BZZZZ".replace("Z", "Y")), name="新增测试企业"
    )
