"""The escalation sweep: levels, recipients, idempotence, constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingkai.demands import sweep
from jingkai.demands.models import Demand, DemandEvent, DemandState
from jingkai.notifications.models import Notification
from jingkai.shell import sweeps
from tests.demands.conftest import at

FILED = dt.date(2023, 6, 5)  # Monday: accept by Tuesday 06-06


@pytest.fixture
def emails(zone):
    for persona in ("zone_admin", "grid_leader", "community_officer"):
        user = zone[persona]
        user.email = f"{persona}@example.org"
        user.save()


def test_levels_and_recipients(zone, file_demand, emails):
    above = file_demand(enterprise=zone.above1, on=FILED)
    below = file_demand(enterprise=zone.below1, on=FILED)
    fresh = file_demand(enterprise=zone.above1, on=dt.date(2023, 6, 7))  # due 06-08
    # Wednesday 06-07: one working day late → level 1 only.
    counts = sweep.run(at(dt.date(2023, 6, 7)))
    assert counts["escalated_1"] == 2 and counts["escalated_2"] == 0
    level1 = set(
        Notification.objects.filter(key__contains=":escalated:1:").values_list("recipient", flat=True)
    )
    assert level1 == {zone["grid_leader"].pk, zone["community_officer"].pk}
    # Friday 06-09: three working days late (≥ 2) → level 2, the zone admins.
    counts = sweep.run(at(dt.date(2023, 6, 9)))
    assert counts["escalated_2"] == 2 and counts["escalated_1"] == 1  # `fresh` reaches level 1 now
    level2 = set(
        Notification.objects.filter(key__contains=":escalated:2:").values_list("recipient", flat=True)
    )
    assert level2 == {zone["zone_admin"].pk}
    for demand in (above, below):
        demand.refresh_from_db()
        assert demand.escalation_level == 2 and demand.ever_overdue
        assert list(demand.events.filter(action="escalate").values_list("level", flat=True)) == [1, 2]
    fresh.refresh_from_db()
    assert fresh.escalation_level == 1


def test_running_twice_sends_nothing_twice(zone, file_demand, emails):
    for enterprise in (zone.above1, zone.below1, zone.above2):
        file_demand(enterprise=enterprise, on=FILED)
    now = at(dt.date(2023, 6, 12))
    first = sweeps.run_all(now)
    notes, events, sent = Notification.objects.count(), DemandEvent.objects.count(), len(mail.outbox)
    assert notes > 0 and sent > 0 and first["jingkai.demands.sweep.run"]["escalated_2"] == 3
    second = sweeps.run_all(now)
    assert all(v == 0 for v in second["jingkai.demands.sweep.run"].values())
    assert second["emails"]["sent"] == 0
    assert (Notification.objects.count(), DemandEvent.objects.count(), len(mail.outbox)) == (
        notes,
        events,
        sent,
    )


def test_a_new_state_escalates_again(zone, demand_in, emails):
    from jingkai.demands import services

    demand = demand_in("accepted", on=FILED)  # accepted now: due on the next working day after today
    Demand.objects.filter(pk=demand.pk).update(due_on=dt.date(2023, 6, 6))
    sweep.run(at(dt.date(2023, 6, 7)))
    demand.refresh_from_db()
    assert demand.escalation_level == 1
    demand = services.transition(
        demand,
        "assign",
        actor=zone["zone_admin"],
        department=zone["department"].department,
        now=at(dt.date(2023, 6, 7)),
    )
    assert demand.escalation_level == 0
    sweep.run(at(dt.date(2023, 6, 9)))
    demand.refresh_from_db()
    assert demand.escalation_level >= 1
    assert Notification.objects.filter(key__startswith=f"demand:{demand.pk}:escalated:1:").count() == 2


def test_rating_window_closes_unrated(zone, demand_in):
    from jingkai.demands import services

    demand = demand_in("in_progress")
    demand = services.transition(demand, "reply", actor=zone["department"], note="已办", now=at(FILED))
    assert demand.due_on == dt.date(2023, 6, 12)  # 5 working days
    assert sweep.run(at(dt.date(2023, 6, 12)))["closed_unrated"] == 0  # the last day still counts
    assert sweep.run(at(dt.date(2023, 6, 13)))["closed_unrated"] == 1
    demand.refresh_from_db()
    assert demand.state == DemandState.CLOSED and demand.rating is None and demand.closed_at
    assert demand.events.filter(action="close_unrated").count() == 1
    assert demand.escalation_level == 0  # a replied demand waits for the enterprise, it is not escalated


def _queries(n: int, zone, file_demand) -> int:
    Demand.objects.all().delete()
    enterprises = [zone.above1, zone.below1, zone.above2]
    for i in range(n):
        file_demand(enterprise=enterprises[i % 3], on=FILED, description=f"第{i}号诉求：希望协调用电增容")
    with CaptureQueriesContext(connection) as ctx:
        counts = sweep.run(at(dt.date(2023, 6, 12)))
    assert counts["escalated_2"] == n
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_volume(zone, file_demand):
    small = _queries(3, zone, file_demand)
    large = _queries(30, zone, file_demand)
    assert small == large
