"""The demo's investment ledger gives 2022 exactly the zone's official figures (SEED-FACTS.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.enterprises.models import Enterprise
from jingkai.investment import services
from jingkai.investment.models import Arrival, Project

pytestmark = pytest.mark.slow


def test_2022_summary_is_the_official_figures(demo_zone, db):
    result = services.summary(None, dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    shown = {key: figure["display"] for key, figure in result["figures"].items()}
    assert shown == {
        "approved_projects": "62",
        "contract_foreign": "2.88亿美元",
        "foreign_arrived": "2.1亿美元",
        "key_projects": "5",
        "domestic_arrived": "12亿元",
        "above_yi_filed": "17",
    }
    assert result["figures"]["foreign_arrived"]["value"] == Decimal("210000000")
    assert result["notes"] == []


def test_edges_of_2022_hold_arrivals_outside_it(demo_zone, db):
    assert Arrival.objects.filter(on=dt.date(2021, 12, 31)).exists()
    assert Arrival.objects.filter(on=dt.date(2023, 1, 1)).exists()


def test_documents_projects_and_capital_increase(demo_zone, db):
    flagship = Project.objects.get(name__contains="旗舰工厂")
    assert flagship.total_investment == Decimal("2500000000") and flagship.total_investment_currency == "CNY"
    assert flagship.contract_on.year == 2022 and flagship.started_on.year == 2022
    for name in ("尼得科机床", "日本电产理德", "川电钢板", "中津精密机床", "嘉吉", "轩田", "考泰斯"):
        assert Project.objects.filter(name__contains=name).exists(), name
    chuandian = Enterprise.objects.get(name="浙江川电钢板加工有限公司")
    increase = Project.objects.get(enterprise=chuandian, kind="increase")
    # Linked to the registry's own 2022 increase, which the demo does not duplicate.
    assert increase.capital_change.changed_on == increase.approval_on == dt.date(2022, 11, 15)
    assert chuandian.capital_changes.filter(changed_on=increase.approval_on).count() == 1


def test_command_and_api_give_the_same_2022_figures(demo_zone, db, api_as):
    import io
    import json

    from django.core.management import call_command

    from jingkai.core.models import User

    out = io.StringIO()
    call_command("investment_summary", year=2022, json=True, stdout=out)
    command = json.loads(out.getvalue())
    client = api_as(User.objects.get(username="investment"), session=True)
    api = client.get("/api/investment/summary?year=2022").json()
    assert api["figures"] == command["figures"]
    assert command["figures"]["contract_foreign"]["display"] == "2.88亿美元"
    by_country = client.get("/api/investment/summary?from=2022-01-01&to=2022-12-31&by=country").json()
    assert sum(int(g["figures"]["approved_projects"]["value"]) for g in by_country["groups"]) == 62
    # A grid officer's figures cover only their grids' projects.
    grid = api_as(User.objects.get(username="grid_officer"), session=True)
    assert grid.get("/api/investment/summary?year=2022").json()["figures"]["approved_projects"]["value"] < 62
