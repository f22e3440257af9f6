"""The overview's enterprise lists from the rollups (analytics.TopEnterprise) equal the query over the monthly rows
they replace, for the demo zone and for random data with ties; users who see part of the zone keep the query."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.test import Client

from jingkai.analytics import engine, services
from jingkai.analytics.models import Rollup, TopEnterprise
from jingkai.core.models import Role
from jingkai.enterprises.models import AnnualScale
from jingkai.stats.measures import MEASURES
from jingkai.stats.models import MonthlyReport
from tests import factories as f

YI = Decimal(100_000_000)


def compare_every_list(admin) -> int:
    periods = sorted(set(Rollup.objects.filter(dimension="zone").values_list("period", flat=True)))
    assert periods
    compared = 0
    for period in periods:
        for measure in MEASURES:
            stored = services.top_enterprises(admin, period, measure)
            assert stored == services.top_enterprises_live(admin, period, measure), (period, measure)
            compared += len(stored)
        assert services.hundred_yi(period, admin).enterprises == list(
            services.hundred_yi_enterprises_live(period, admin)
        ), period
    return compared


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stored_lists_equal_the_query_for_random_data(db, seed):
    rng = random.Random(seed)
    admin = f.UserFactory(role=Role.ZONE_ADMIN)
    enterprises = [f.EnterpriseFactory() for _ in range(25)]
    periods = [dt.date(2022, 6, 1), dt.date(2022, 12, 1), dt.date(2023, 6, 1)]
    for enterprise in enterprises:
        for year in (2022, 2023):
            if rng.random() < 0.8:
                AnnualScale.objects.create(enterprise=enterprise, year=year, above_size=rng.random() < 0.8)
        for period in periods:
            if rng.random() < 0.85:
                values = {}
                for measure in MEASURES:
                    # Few distinct figures, so that ties (broken by enterprise id) and nulls occur.
                    choice = rng.choice([None, 0, 1, 5, 5, 120, 150])
                    unit = 1 if measure == "employees" else YI  # a headcount is an integer column
                    values[f"{measure}_cum"] = None if choice is None else Decimal(choice) * unit
                MonthlyReport.objects.create(enterprise=enterprise, period=period, **values)
    engine.refresh_all()
    assert compare_every_list(admin) > 0
    assert TopEnterprise.objects.filter(kind="hundred_yi").exists()  # 120 and 150亿元 occur


def test_grid_staff_and_departments_keep_the_query_over_what_they_see(stats_zone):
    engine.refresh([dt.date(2021, 12, 1), dt.date(2022, 12, 1)])
    period = dt.date(2022, 12, 1)
    leader, department = stats_zone.users["grid_leader"], stats_zone.users["department"]
    assert not services.sees_every_enterprise(leader)
    assert not services.sees_every_enterprise(department)
    stored_names = {r["name"] for r in services.top_enterprises(stats_zone.users["zone_admin"], period)}
    leader_names = {r["name"] for r in services.top_enterprises(leader, period)}
    assert leader_names < stored_names  # grid 1 only: never the zone's list
    assert leader_names == {r["name"] for r in services.top_enterprises_live(leader, period)}


def test_the_overview_reads_the_lists_without_the_monthly_rows(stats_zone, django_assert_max_num_queries):
    """The zone administrator's first visit: the top enterprises and 百亿 panel come from the stored lists."""
    engine.refresh([dt.date(2021, 12, 1), dt.date(2022, 12, 1)])
    client = Client()
    client.force_login(stats_zone.users["zone_admin"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/economy/", {"period": "2022-12"})
    assert response.status_code == 200
    assert "甲精密机床有限公司" in response.content.decode()
    monthly = MonthlyReport._meta.db_table
    assert not [q["sql"] for q in queries.captured_queries if monthly in q["sql"]]
