"""The demo's year of demands: volume, realism, and a meaningful set for each demo login."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jingkai.core.models import User
from jingkai.demands.metrics import demand_summary
from jingkai.demands.models import Demand, DemandEvent, DemandState

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _zone(demo_zone, db):
    return demo_zone


def test_a_year_of_demands_over_the_grids_and_communities():
    today = timezone.localdate()
    demands = Demand.objects.all()
    assert demands.count() >= 1000
    assert demands.filter(enterprise__grid__isnull=False).values("enterprise__grid").distinct().count() == 16
    assert demands.filter(enterprise__grid__isnull=True, enterprise__community__isnull=False).exists()
    first = demands.order_by("submitted_at").first().submitted_at.date()
    assert (today - first).days >= 330
    for state in (DemandState.CLOSED, DemandState.REJECTED, DemandState.MERGED, DemandState.IN_PROGRESS):
        assert demands.filter(state=state).exists(), state
    summary = demand_summary(demands, today=today)
    assert summary["overdue"] > 0 and 0.7 < summary["closure_rate"] < 1
    assert 0.8 < summary["satisfaction_rate"] <= 1 and 0.5 < summary["on_time_rate"] < 1
    assert 1 < summary["avg_closure_working_days"] < 15
    assert (
        demands.filter(reopen_count__gt=0).exists() and demands.filter(extension_status="approved").exists()
    )
    # Escalated by the sweep the loader ran: overdue demands are at level 1 or 2, with events.
    assert demands.filter(escalation_level__gte=1).count() == summary["overdue"]
    assert DemandEvent.objects.filter(action="escalate").exists()
    # Every merged duplicate points at a demand.
    assert not demands.filter(state=DemandState.MERGED, merged_into__isnull=True).exists()


@pytest.mark.parametrize(("login", "minimum"), [("enterprise", 10), ("grid_leader", 30), ("department", 100)])
def test_each_demo_login_sees_a_meaningful_set(login, minimum):
    user = User.objects.get(username=login)
    visible = Demand.objects.visible_to(user)
    assert visible.count() >= minimum
    assert visible.filter(state=DemandState.CLOSED).exists()
    assert visible.exclude(state__in=[DemandState.CLOSED, DemandState.REJECTED, DemandState.MERGED]).exists()
