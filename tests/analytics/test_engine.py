"""Comparable-basis sums by dimension: stored rollups and the live, scoped computation agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingkai.analytics import engine
from jingkai.analytics.models import Rollup
from tests.analytics.conftest import YI, report

D22 = dt.date(2022, 12, 1)


def yi(value) -> Decimal:
    return Decimal(str(value)) * YI


def test_refresh_sums_the_years_above_size_set_with_comparable_growth(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), D22])
    s = engine.summary(D22, "zone")
    total = s.total
    # 2022 规上 set: above1 120 + above2 40 + entrant 30 + riser 25; the leaver is out.
    assert total.cum == yi(215)
    assert total.enterprises == 4
    # Comparable: above1, above2, riser reported in 2021-12 as well; the entrant did not.
    assert total.comparable == 3
    assert total.cmp_cum == yi(185)
    assert total.prev_cum == yi(170)
    assert round(total.yoy_cum, 6) == round(Decimal(185) / Decimal(170) - 1, 6)
    # Last year's published total: the 2021 规上 set (above1, above2, leaver; not the riser).
    assert total.last_year_cum == yi(190)
    assert total.month == yi("21.5")


def test_an_enterprise_in_several_chains_counts_in_each(stats_zone):
    engine.refresh([D22])
    s = engine.summary(D22, "chain")
    by_name = {item.label: item for item in s.items}
    assert by_name["汽车电子"].cum == yi(160)  # above1 + above2
    assert by_name["半导体"].cum == yi(120)  # above1 again
    assert by_name["高端机床"].cum == yi(25)
    assert by_name["高端机床"].yoy_cum == Decimal(25) / Decimal(20) - 1
    digital = engine.summary(D22, "digital").items
    assert [(d.cum, d.enterprises) for d in digital] == [(yi(160), 2)]  # above1 once, above2


def test_grid_and_origin_members(stats_zone):
    engine.refresh([D22])
    grids = {i.key: i for i in engine.summary(D22, "grid").items}
    assert grids[str(stats_zone.grid1.pk)].cum == yi(145)
    assert grids[str(stats_zone.grid2.pk)].cum == yi(70)
    origins = {i.label: i.cum for i in engine.summary(D22, "origin").items}
    assert origins["德资"] == yi(30)
    assert "日资" not in origins  # the Japanese leaver is not 规上 in 2022


def test_refresh_recomputes_the_period_a_year_later(stats_zone):
    engine.refresh([dt.date(2021, 12, 1)])
    assert Rollup.objects.filter(period=D22, dimension="zone").exists()
    before = engine.summary(D22, "zone").total.prev_cum
    row = stats_zone.above2.monthly_reports.get(period=dt.date(2021, 12, 1))
    row.output_cum = yi(60)
    row.save()
    engine.refresh([dt.date(2021, 12, 1)])  # the 2021 import changed: 2022's YoY depends on it
    after = engine.summary(D22, "zone").total.prev_cum
    assert after - before == yi(10)
    assert Rollup.objects.filter(period=D22, dimension="zone").count() == 1


def test_live_figures_for_the_whole_zone_equal_the_rollups(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), D22])
    for by in engine.DIMENSIONS:
        stored = engine.summary(D22, by)
        live = engine.summary(D22, by, user=stats_zone["grid_leader"])
        everything = engine._rows([D22], [by], ("SELECT id FROM enterprises_enterprise", []))
        stored_rows = engine._rows([D22], [by])
        assert sorted((r["member"], r["enterprises"], float(r["output_cum"])) for r in everything) == sorted(
            (r["member"], r["enterprises"], float(r["output_cum"])) for r in stored_rows
        )
        assert live.live and not stored.live


def test_a_grid_leader_gets_figures_of_their_grids_only(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), D22])
    s = engine.summary(D22, "grid", user=stats_zone["grid_leader"])
    assert [i.key for i in s.items] == [str(stats_zone.grid1.pk)]
    assert s.total.cum == yi(145)  # above1 + riser: only grid1
    chains = {i.label: i.cum for i in engine.summary(D22, "chain", user=stats_zone["grid_leader"]).items}
    assert chains == {"汽车电子": yi(120), "半导体": yi(120), "高端机床": yi(25)}


def test_refresh_all_rebuilds_every_period(stats_zone):
    report(stats_zone.above1, dt.date(2022, 11, 1), 110)
    assert engine.refresh_all() == 3
    periods = set(Rollup.objects.values_list("period", flat=True))
    assert periods == {dt.date(2021, 12, 1), dt.date(2022, 11, 1), D22}
