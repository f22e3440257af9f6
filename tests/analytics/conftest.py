from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.chains.models import Chain, ChainMembership
from jingkai.stats.models import MonthlyReport
from tests import factories as f

YI = Decimal(100_000_000)


def report(enterprise, period: dt.date, cum, month=None, **extra) -> MonthlyReport:
    """A monthly row with output in 亿元 (cum, month) and revenue at twice the output."""
    cum = Decimal(str(cum)) * YI
    month = cum if month is None else Decimal(str(month)) * YI
    return MonthlyReport.objects.create(
        enterprise=enterprise,
        period=period,
        output_cum=cum,
        output_month=month,
        revenue_cum=cum * 2,
        revenue_month=month * 2,
        **extra,
    )


@pytest.fixture(autouse=True)
def _empty_cache(db):
    """Cached dashboard bodies are keyed by refresh ids, which a rolled-back test may reuse. (The cache is a table
    of the database since issue 13, so this needs the database; inside a test's transaction its rows roll back
    with the test's, and a transactional test's would stay.)"""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def stats_zone(zone):
    """The conftest zone plus monthly output for 2021-12 and 2022-12, with enterprises entering and leaving 规上.

    2021 规上: above1, above2, leaver.   2022 规上: above1, above2, entrant, riser.
    - above1 (grid1, chains auto + semi): 2021-12 cum 100亿, 2022-12 cum 120亿
    - above2 (grid2, chain auto):         2021-12 cum 50亿,  2022-12 cum 40亿
    - leaver (grid1, 2021 规上 only):     2021-12 cum 40亿,  2022-12 cum 10亿 (not counted in 2022)
    - entrant (grid2, new in 2022):       no 2021 report,    2022-12 cum 30亿
    - riser (grid1, 规下 in 2021, reported anyway): 2021-12 cum 20亿, 2022-12 cum 25亿
    """
    leaver = f.EnterpriseFactory(name="戊退出企业", grid=zone.grid1, origin="foreign", origin_country="JP")
    entrant = f.EnterpriseFactory(name="己新进企业", grid=zone.grid2, origin="foreign", origin_country="DE")
    riser = f.EnterpriseFactory(name="庚升规企业", grid=zone.grid1)
    for ent, years in (
        (zone.above1, (2021,)),
        (zone.above2, (2021,)),
        (leaver, (2021,)),
        (entrant, (2022,)),
        (riser, (2022,)),
    ):
        for year in years:
            f.AnnualScaleFactory(enterprise=ent, year=year, above_size=True)
    f.AnnualScaleFactory(enterprise=leaver, year=2022, above_size=False)
    f.AnnualScaleFactory(enterprise=riser, year=2021, above_size=False)
    auto = Chain.objects.create(code="auto", name="汽车电子", is_digital_economy=True)
    semi = Chain.objects.create(code="semi", name="半导体", is_digital_economy=True)
    tools = Chain.objects.create(code="tools", name="高端机床")
    ChainMembership.objects.create(chain=auto, enterprise=zone.above1)
    ChainMembership.objects.create(chain=semi, enterprise=zone.above1)
    ChainMembership.objects.create(chain=auto, enterprise=zone.above2)
    ChainMembership.objects.create(chain=tools, enterprise=riser)
    d21, d22 = dt.date(2021, 12, 1), dt.date(2022, 12, 1)
    for ent, before, now in (
        (zone.above1, 100, 120),
        (zone.above2, 50, 40),
        (leaver, 40, 10),
        (riser, 20, 25),
    ):
        report(ent, d21, before, month=before / 10)
        report(ent, d22, now, month=now / 10)
    report(entrant, d22, 30, month=3)
    zone.leaver, zone.entrant, zone.riser = leaver, entrant, riser
    zone.chains = {"auto": auto, "semi": semi, "tools": tools}
    return zone
