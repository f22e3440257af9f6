"""find_gaps: every way an enterprise or an area can break the coverage invariant, and nothing else."""

from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.coverage import find_gaps
from jingkai.enterprises.models import Enterprise
from tests import factories as f


def kinds(gaps) -> dict[str, str]:
    return {gap.enterprise_name or gap.subject: gap.kind for gap in gaps}


def test_the_zone_fixture_has_no_gap(zone):
    assert find_gaps(year=2022) == []


def test_each_kind_of_enterprise_gap(zone):
    f.AnnualScaleFactory(enterprise=f.EnterpriseFactory(name="乙无网格规上"), year=2022)
    f.AnnualScaleFactory(enterprise=f.EnterpriseFactory(name="甲无村社区规下"), year=2022, above_size=False)
    f.EnterpriseFactory(name="丙无规模记录")  # no 2022 figure: counts as below size, needs a community
    zone.grid2.is_active = False
    zone.grid2.save()
    zone.community2.is_active = False
    zone.community2.save()
    found = kinds(find_gaps(year=2022))
    assert found == {
        "乙无网格规上": "above_no_grid",
        "甲无村社区规下": "below_no_community",
        "丙无规模记录": "below_no_community",
        zone.above2.name: "above_inactive_grid",
        zone.below2.name: "below_inactive_community",
    }


def test_gaps_are_listed_by_name(zone):
    for name in ("丙", "甲", "乙"):
        f.EnterpriseFactory(name=f"{name}无归属企业")
    names = [gap.enterprise_name for gap in find_gaps(year=2022)]
    assert names == sorted(names) and len(names) == 3


def test_only_operating_enterprises_count(zone):
    gone = f.EnterpriseFactory(name="已注销企业", status=EnterpriseStatus.DEREGISTERED)
    assert gone.name not in kinds(find_gaps(year=2022))


def test_a_year_decides_which_side_of_the_invariant_applies(zone):
    # above1 is above size in 2022 (grid, fine); in 2023 it has no figure, so it needs a community.
    assert kinds(find_gaps(year=2023))[zone.above1.name] == "below_no_community"


def test_unstaffed_areas_only_for_the_whole_zone(zone):
    empty_grid, empty_community = f.GridFactory(), f.CommunityFactory()
    whole = kinds(find_gaps(year=2022))
    assert whole[empty_grid.name] == "grid_no_leader"
    assert whole[empty_community.name] == "community_no_officer"
    scoped = kinds(find_gaps(Enterprise.objects.filter(pk=zone.above1.pk), year=2022))
    assert scoped == {}
