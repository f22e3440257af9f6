from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jingkai.demands import services
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import Channel, DemandCategory


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def ensure_default_categories():
    """A transactional test flushes the tables, data migrations included: put the default tree back."""
    ensure_defaults()


@pytest.fixture
def category(db):
    ensure_default_categories()
    return DemandCategory.objects.get(code="policy-consult")


@pytest.fixture
def file_demand(zone, category):
    """file_demand(enterprise=..., description=..., on=date) -> Demand, filed by the zone admin."""

    def make(enterprise=None, description="希望了解研发费用加计扣除政策的申报流程", on=None, **kwargs):
        return services.submit_demand(
            actor=kwargs.pop("actor", zone["zone_admin"]),
            enterprise=enterprise or zone.above1,
            category=kwargs.pop("category", category),
            description=description,
            channel=kwargs.pop("channel", Channel.HOTLINE),
            submitted_at=at(on) if on else None,
            **kwargs,
        )

    return make


def step(demand, name, actor, **kwargs):
    return services.transition(demand, name, actor=actor, **kwargs)


PATH_TO = {
    "submitted": [],
    "accepted": [("accept", "zone_admin", {})],
    "assigned": [("accept", "zone_admin", {}), ("assign", "zone_admin", {"department": "econ"})],
    "in_progress": [
        ("accept", "zone_admin", {}),
        ("assign", "zone_admin", {"department": "econ"}),
        ("take", "department", {}),
    ],
    "replied": [
        ("accept", "zone_admin", {}),
        ("assign", "zone_admin", {"department": "econ"}),
        ("take", "department", {}),
        ("reply", "department", {"note": "已协调解决"}),
    ],
    "closed": [
        ("accept", "zone_admin", {}),
        ("assign", "zone_admin", {"department": "econ"}),
        ("take", "department", {}),
        ("reply", "department", {"note": "已协调解决"}),
        ("rate", "enterprise", {"rating": 5}),
    ],
    "rejected": [("reject", "zone_admin", {"note": "不属于管委会职责"})],
}


@pytest.fixture
def demand_in(zone, file_demand):
    """demand_in("in_progress") -> a demand of above1 driven through the services to that state."""
    from jingkai.core.models import Department

    def make(state: str, **kwargs):
        demand = file_demand(**kwargs)
        for name, persona, params in PATH_TO[state]:
            params = dict(params)
            if "department" in params:
                params["department"] = Department.objects.get(code=params["department"])
            demand = step(demand, name, zone[persona], **params)
        assert demand.state == state
        return demand

    return make
