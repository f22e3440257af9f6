"""demand_summary: the figures B's grid dashboard and the zone dashboard show, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingkai.demands import services
from jingkai.demands.metrics import demand_summary
from jingkai.demands.models import Demand
from tests.demands.conftest import at, step

TODAY = dt.date(2023, 10, 20)


def test_empty():
    from jingkai.demands.models import Demand as D

    summary = demand_summary(D.objects.none(), today=TODAY)
    assert summary["total"] == 0 and summary["closure_rate"] is None and summary["satisfaction_rate"] is None


def test_figures(zone, file_demand):
    econ = zone["department"].department
    admin, dept, contact = zone["zone_admin"], zone["department"], zone["enterprise"]

    def through(filed, reply_on, rating, late=False):
        d = file_demand(on=filed)
        d = services.transition(d, "accept", actor=admin, now=at(filed))
        d = services.transition(d, "assign", actor=admin, department=econ, now=at(filed))
        d = services.transition(d, "take", actor=dept, now=at(filed))
        d = services.transition(d, "reply", actor=dept, note="已办", now=at(reply_on))
        return services.transition(d, "rate", actor=contact, rating=rating, note="未解决", now=at(reply_on))

    # Filed Thursday 09-28, closed Monday 10-09 over National Day: 10-07, 10-08, 10-09 = 3 working days, on time.
    through(dt.date(2023, 9, 28), dt.date(2023, 10, 9), 5)
    # Filed Monday 10-09, closed 10-16: 5 working days; reply limit 3 → late.
    through(dt.date(2023, 10, 9), dt.date(2023, 10, 16), 4)
    through(dt.date(2023, 10, 9), dt.date(2023, 10, 10), 2)  # bad rating: reopened, rated, not closed
    file_demand(on=dt.date(2023, 10, 9))  # submitted, overdue on 10-20
    rejected = file_demand(on=dt.date(2023, 10, 19))
    step(rejected, "reject", admin, note="不属于受理范围")
    with CaptureQueriesContext(connection) as ctx:
        summary = demand_summary(Demand.objects.all(), today=TODAY)
    assert len(ctx.captured_queries) <= 3
    assert summary["total"] == 5 and summary["closed"] == 2 and summary["open"] == 2
    assert summary["overdue"] == 2  # the submitted one and the reopened one (reply due 10-13)
    assert summary["closure_rate"] == 2 / 4  # the declined one does not count
    assert summary["on_time_rate"] == 1 / 2
    assert summary["avg_closure_working_days"] == (3 + 5) / 2
    assert summary["rated"] == 3 and summary["satisfaction_rate"] == 2 / 3
