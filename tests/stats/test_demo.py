"""The demo's monthly statistics reproduce SEED-FACTS.md (computed from rows)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum

from jingkai.core.dates import add_months
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.models import MonthlyReport

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
YI = Decimal(100_000_000)
DEC_2021, DEC_2022, JUN_2023 = dt.date(2021, 12, 1), dt.date(2022, 12, 1), dt.date(2023, 6, 1)


@pytest.fixture(autouse=True)
def _demo(demo_stats, db):
    return demo_stats


def output(name: str, period: dt.date) -> Decimal:
    return MonthlyReport.objects.get(enterprise__name=name, period=period).output_cum


def test_2022_output_of_the_254_above_size_is_645_yi():
    above = AnnualScale.objects.filter(year=2022, above_size=True).values("enterprise_id")
    rows = MonthlyReport.objects.filter(period=DEC_2022, enterprise_id__in=above)
    assert rows.count() == 254
    assert rows.aggregate(s=Sum("output_cum"))["s"] == 645 * YI
    assert rows.aggregate(s=Sum("rd_cum"))["s"] > 14 * YI


def test_months_add_up_to_the_cumulative():
    above = AnnualScale.objects.filter(year=2022, above_size=True).values("enterprise_id")
    months = MonthlyReport.objects.filter(period__year=2022, enterprise_id__in=above)
    assert months.aggregate(s=Sum("output_month"))["s"] == 645 * YI


def test_nidec_motor_xuantian_and_the_group():
    motor = "日本电产汽车马达（浙江）有限公司"
    m22, m21 = output(motor, DEC_2022), output(motor, DEC_2021)
    assert Decimal("33.5") * YI < m22 < 34 * YI
    assert round((m22 / m21 - 1) * 100, 2) == Decimal("25.74")
    xuantian = "浙江轩田智能科技有限公司"
    assert output(xuantian, DEC_2022) == YI
    assert output(xuantian, JUN_2023) == Decimal("1.5") * YI
    group = MonthlyReport.objects.filter(enterprise__group__name="尼得科集团", period=DEC_2022)
    assert group.aggregate(s=Sum("output_cum"))["s"] == Decimal("159.7") * YI


def test_every_industrial_enterprise_has_its_months():
    from jingkai.stats import demo

    industrial = Enterprise.objects.filter(annual_scales__year=2022).distinct()
    reported = MonthlyReport.objects.filter(period__year=2022).values("enterprise").distinct()
    assert industrial.count() == reported.count()
    assert MonthlyReport.objects.order_by("period").values_list("period", flat=True).first() == dt.date(
        2021, 1, 1
    )
    # The months continue past the documents' 2023-06 to the last complete month before the load date.
    assert (
        MonthlyReport.objects.order_by("-period").values_list("period", flat=True).first()
        == demo.last_period()
    )
    employees = MonthlyReport.objects.filter(period=DEC_2022).exclude(employees_cum=None).count()
    assert employees == MonthlyReport.objects.filter(period=DEC_2022).count()


def test_scale_adds_120_months_per_synthetic_enterprise():
    from io import StringIO

    from jingkai.demo.generator import DEFAULT_SEED, generate_scale
    from jingkai.stats import demo

    before = MonthlyReport.objects.count()
    generate_scale(20, seed=DEFAULT_SEED)
    out = StringIO()
    assert demo.scale(20, DEFAULT_SEED, stdout=out) == 20 * 120
    assert MonthlyReport.objects.count() == before + 2400
    added = Enterprise.objects.order_by("-pk")[:20]
    one = MonthlyReport.objects.filter(enterprise=added[0])
    assert one.count() == 120
    assert one.order_by("period").first().period == add_months(demo.last_period(), -119)
    year = one.filter(period__year=2022)
    assert year.aggregate(s=Sum("output_month"))["s"] == year.get(period=DEC_2022).output_cum
    assert "2400" in out.getvalue()


def test_2023_runs_to_the_registry_figure_and_later_years_have_their_rolls():
    """Past the documents: 2023's December is the registry's 2023 figure (轩田's expected 3.5亿元), and every later
    year's 规上 status is the roll service's, from December's 营业收入 (the year under way: carried)."""
    from jingkai.enterprises.roll import is_above_size
    from jingkai.stats import demo

    last = demo.last_period()
    dec_2023 = dict(
        MonthlyReport.objects.filter(period=dt.date(2023, 12, 1)).values_list("enterprise_id", "output_cum")
    )
    registry = AnnualScale.objects.filter(year=2023, enterprise__status="operating").exclude(revenue=None)
    assert registry.count() > 600
    for row in registry:
        assert dec_2023[row.enterprise_id] == row.revenue, row
    assert output("浙江轩田智能科技有限公司", dt.date(2023, 12, 1)) == Decimal("3.5") * YI
    assert last.year >= 2024  # the load date is past the documents
    for year in range(demo.FIRST_ROLL_YEAR, last.year + 1):
        rows = AnnualScale.objects.filter(year=year)
        assert rows.filter(above_size=True).count() > 250, year
        assert (
            AnnualScale.history.filter(year=year, history_user__username="zone_admin").count() == rows.count()
        )
        december = dt.date(year, 12, 1)
        if december <= last:
            revenue = dict(
                MonthlyReport.objects.filter(period=december).values_list("enterprise_id", "revenue_cum")
            )
            for row in rows:
                assert row.above_size == is_above_size(revenue[row.enterprise_id]), row
        else:
            before = dict(
                AnnualScale.objects.filter(year=year - 1).values_list("enterprise_id", "above_size")
            )
            assert all(row.above_size == before[row.enterprise_id] for row in rows)

    # The rolls moved enterprises both ways, and coverage followed them (entering → a grid).
    def above(year):
        return set(
            AnnualScale.objects.filter(year=year, above_size=True).values_list("enterprise_id", flat=True)
        )

    entering, leaving = above(demo.FIRST_ROLL_YEAR) - above(2023), set()
    for year in range(demo.FIRST_ROLL_YEAR, last.year + 1):
        leaving |= above(year - 1) - above(year)
    assert entering and leaving
    still = entering & above(last.year)
    assert still and all(Enterprise.objects.filter(pk__in=still).values_list("grid_id", flat=True))
