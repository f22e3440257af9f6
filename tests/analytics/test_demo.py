"""The demo's figures, reproduced by the engine from the monthly rows (SEED-FACTS.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from jingkai.analytics import engine, services
from jingkai.analytics.models import Target, TopEnterprise
from jingkai.core.models import Role, User
from jingkai.core.money import YI
from jingkai.enterprises.models import Enterprise
from jingkai.stats.models import MonthlyReport
from tests.analytics.test_top_enterprises import compare_every_list

D22 = dt.date(2022, 12, 1)


@pytest.mark.slow
def test_2022_zone_output_is_645_yi_over_254_enterprises(demo_zone, db):
    total = engine.summary(D22, "chain").total
    assert total.enterprises == 254
    assert (total.cum / YI).quantize(Decimal("1")) == 645
    # The same figure as a plain SQL sum over the monthly rows of the 2022 规上 set.
    rows = MonthlyReport.objects.filter(
        period=D22, enterprise__annual_scales__year=2022, enterprise__annual_scales__above_size=True
    )
    assert sum(r.output_cum for r in rows) == total.cum


@pytest.mark.slow
def test_nidec_motor_2022(demo_zone, db):
    motor = Enterprise.objects.get(name="日本电产汽车马达（浙江）有限公司")
    years = {y["year"]: y for y in services.year_figures(services.enterprise_series(motor, 200))}
    assert (years[2022]["cum"] / YI).quantize(Decimal("0.1")) == Decimal("33.8")
    assert round(years[2022]["yoy"] * 100, 2) == Decimal("25.74")
    admin = User.objects.get(username="zone_admin")
    client = Client()
    client.force_login(admin)
    html = client.get(f"/economy/enterprises/{motor.pk}/panel/").content.decode()
    assert 'data-year-yoy="2022">25.74%<' in html


@pytest.mark.slow
def test_demo_targets_and_the_2023_zone_target(demo_zone, db):
    titles = set(Target.objects.filter(year=2023).values_list("title", flat=True))
    assert "全年产值百亿元增量" in titles and "百亿产业：汽车电子" in titles
    zone = next(p for p in services.target_progress(2023) if p.target.title == "全年产值百亿元增量")
    # The demo's months run past 2023 (to the load date): the 2023 target is judged on the full year.
    assert zone.period == dt.date(2023, 12, 1)
    assert zone.base == engine.summary(D22, "zone").total.cum
    assert zone.goal == zone.base + 100 * YI
    assert zone.actual == engine.summary(dt.date(2023, 12, 1), "zone").total.cum
    assert zone.months_left == 0


@pytest.mark.slow
def test_demo_later_years_have_goals_and_plausible_growth(demo_zone, db):
    from jingkai.stats.demo import last_period

    last = last_period()
    previous = engine.summary(dt.date(2023, 12, 1), "zone").total.cum
    for year in range(2024, last.year + 1):
        titles = set(Target.objects.filter(year=year).values_list("title", flat=True))
        assert "百亿产业：汽车电子" in titles and "百亿企群：尼得科" in titles
        zone = next(t for t in Target.objects.filter(year=year, scope="zone"))
        assert zone.kind == "increment" and zone.title.startswith("全年产值增量")
        assert Decimal("0.03") < zone.value / previous < Decimal("0.09")  # about 6% of the year before
        period = dt.date(year, 12, 1) if year < last.year else last
        total = engine.summary(period, "zone").total
        if year < last.year:  # growth that is plausible, not flat
            assert Decimal("0.02") < total.cum / previous - 1 < Decimal("0.15"), year
            previous = total.cum


@pytest.mark.slow
def test_demo_dashboard_renders_for_admin_and_grid_leader(demo_zone, db):
    client = Client()
    client.force_login(User.objects.get(username="zone_admin"))
    html = client.get("/economy/?period=2022-12").content.decode()
    assert "汽车电子" in html and "日资" in html
    leader = User.objects.filter(role="grid_leader").first()
    client.force_login(leader)
    assert client.get("/economy/?period=2022-12").status_code == 200


@pytest.mark.slow
def test_the_stored_lists_equal_the_query_for_the_demo_zone(demo_zone, db):
    admin = User.objects.filter(role=Role.ZONE_ADMIN, is_active=True).first()
    assert services.sees_every_enterprise(admin)
    assert compare_every_list(admin) > 0
    assert TopEnterprise.objects.filter(kind="top").exists()
