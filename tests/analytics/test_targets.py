"""Targets: progress, time elapsed and the pace needed for the rest of the year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jingkai.analytics import engine, services
from jingkai.analytics.models import Target, TargetKind, TargetScope
from tests.analytics.conftest import YI, report


@pytest.fixture
def midyear(stats_zone):
    """2023-06 cumulative: above1 70亿, above2 20亿 (both 规上 in 2023)."""
    from tests import factories as f

    for ent in (stats_zone.above1, stats_zone.above2):
        f.AnnualScaleFactory(enterprise=ent, year=2023, above_size=True)
    report(stats_zone.above1, dt.date(2023, 6, 1), 70)
    report(stats_zone.above2, dt.date(2023, 6, 1), 20)
    engine.refresh_all()
    return stats_zone


def test_increment_target_over_last_year(midyear):
    target = Target.objects.create(
        scope=TargetScope.ZONE,
        year=2023,
        kind=TargetKind.INCREMENT,
        value=100 * YI,
        title="全年产值百亿元增量",
    )
    p = services.progress(target)
    assert p.period == dt.date(2023, 6, 1)
    assert p.base == 215 * YI  # 2022-12 over the 2022 规上 set
    assert p.goal == 315 * YI
    assert p.actual == 90 * YI
    assert p.months_left == 6
    assert p.pace_needed == (315 - 90) * YI / 6
    assert p.time_share == Decimal("0.5")
    assert p.on_track is False  # 90 / 315 < 50%


def test_chain_and_enterprise_targets(midyear):
    auto = midyear.chains["auto"]
    chain = Target.objects.create(scope=TargetScope.CHAIN, chain=auto, year=2023, value=150 * YI)
    p = services.progress(chain)
    assert p.actual == 90 * YI and p.goal == 150 * YI
    assert p.on_track is True  # 60% of the goal at half the year
    ent = Target.objects.create(
        scope=TargetScope.ENTERPRISE, enterprise=midyear.above1, year=2023, value=Decimal(120) * YI
    )
    assert services.progress(ent).pace_needed == 50 * YI / 6


def test_a_target_due_by_a_month(midyear):
    target = Target.objects.create(
        scope=TargetScope.ZONE, year=2023, period=dt.date(2023, 6, 1), value=90 * YI
    )
    p = services.progress(target)
    assert p.months_left == 0 and p.pace_needed is None and p.share == 1


def test_scope_and_member_must_agree(midyear):
    with pytest.raises(ValidationError):
        Target(scope=TargetScope.CHAIN, year=2023, value=1).full_clean()
    with pytest.raises(ValidationError):
        Target(scope=TargetScope.ZONE, chain=midyear.chains["auto"], year=2023, value=1).full_clean()
    with pytest.raises(ValidationError):
        Target(scope=TargetScope.ZONE, year=2023, period=dt.date(2022, 6, 1), value=1).full_clean()
    Target(scope=TargetScope.ZONE, year=2023, value=1).full_clean()


def test_targets_api(midyear, api_as):
    Target.objects.create(scope=TargetScope.ZONE, year=2023, kind=TargetKind.INCREMENT, value=100 * YI)
    body = api_as("zone_admin").get("/api/stats/targets?year=2023").json()
    assert body[0]["goal"] is not None and float(body[0]["goal"]) == 315 * YI
    assert body[0]["share"] == pytest.approx(90 / 315, abs=1e-6)
    assert api_as("grid_leader").get("/api/stats/targets?year=2023").status_code == 404


def test_hundred_yi_tally(midyear):
    engine.refresh_all()
    tally = services.hundred_yi(dt.date(2022, 12, 1), midyear["zone_admin"])
    assert sorted(tally.chains) == sorted(["汽车电子", "半导体"])  # 160亿 and 120亿; 高端机床 has 25亿
    assert tally.enterprises == ["甲精密机床有限公司"]


def test_enterprise_targets_show_only_to_those_who_see_the_enterprise(midyear, api_as):
    """A department handler sees the zone's targets, not an enterprise's figures outside their scope."""
    Target.objects.create(scope=TargetScope.ZONE, year=2023, value=200 * YI, title="全区产值")
    Target.objects.create(
        scope=TargetScope.ENTERPRISE, enterprise=midyear.above2, year=2023, value=40 * YI, title="above2 产值"
    )
    titles = {
        persona: {t["title"] for t in api_as(persona).get("/api/stats/targets?year=2023").json()}
        for persona in ("zone_admin", "department")
    }
    assert titles["zone_admin"] == {"全区产值", "above2 产值"}
    assert titles["department"] == {"全区产值"}
