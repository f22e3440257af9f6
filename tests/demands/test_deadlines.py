"""Deadlines in official working days, across the National Day and Spring Festival holidays."""

from __future__ import annotations

import datetime as dt

import pytest

from jingkai.core.calendar import WorkingCalendar
from jingkai.demands import services
from jingkai.demands.models import DemandCategory, DemandState
from jingkai.demands.queries import with_deadline_status
from tests.demands.conftest import at


@pytest.mark.parametrize(
    ("filed", "due"),
    [
        # Thursday before National Day 2023: 9-29 … 10-06 off, Saturday 10-07 is an adjusted working day.
        (dt.date(2023, 9, 28), dt.date(2023, 10, 7)),
        # Friday 2024-02-09 before Spring Festival (02-10 … 02-17 off); Sunday 02-18 is a working day.
        (dt.date(2024, 2, 9), dt.date(2024, 2, 18)),
        # An ordinary Friday: next Monday.
        (dt.date(2023, 6, 2), dt.date(2023, 6, 5)),
    ],
)
def test_accept_deadline_skips_holidays_and_counts_adjusted_workdays(file_demand, filed, due):
    demand = file_demand(on=filed)
    assert demand.due_on == due


def test_reply_deadline_across_spring_festival(zone, demand_in):
    demand = demand_in("assigned")
    calendar = WorkingCalendar()
    # policy-consult inherits 3 working days from 政策; entered on Thursday 2024-02-08.
    demand = services.transition(demand, "take", actor=zone["department"], now=at(dt.date(2024, 2, 8)))
    assert demand.due_on == dt.date(2024, 2, 19)  # 02-09, 02-18 (Sunday, worked), 02-19
    assert calendar.working_days_between(dt.date(2024, 2, 8), demand.due_on) == 3


def test_reply_deadline_across_national_day(zone, demand_in):
    demand = demand_in("assigned")
    demand = services.transition(demand, "take", actor=zone["department"], now=at(dt.date(2023, 9, 28)))
    assert demand.due_on == dt.date(2023, 10, 9)  # 10-07 and 10-08 (weekend, worked), 10-09


def test_limits_are_per_category_and_inherited(db):
    parent = DemandCategory.objects.get(code="policy")
    child = DemandCategory.objects.get(code="policy-consult")
    assert services.category_limits(child)["reply_days"] == 3  # from 政策
    assert services.category_limits(child)["accept_days"] == 1  # the RULES.md §7 default
    child.reply_days = 7
    child.save()
    parent.accept_days = 2
    parent.save()
    child.refresh_from_db()
    limits = services.category_limits(child)
    assert (limits["reply_days"], limits["accept_days"]) == (7, 2)


def test_rating_window_is_the_policy(zone, demand_in):
    policy = services.policy()
    policy.rating_window_days = 2
    policy.save()
    demand = demand_in("in_progress")
    demand = services.transition(
        demand, "reply", actor=zone["department"], note="已答复", now=at(dt.date(2023, 9, 28))
    )
    assert demand.state == DemandState.REPLIED and demand.due_on == dt.date(2023, 10, 8)


def test_red_amber_green(file_demand):
    from jingkai.demands.models import Demand

    friday = dt.date(2023, 6, 2)
    due_monday = file_demand(on=dt.date(2023, 6, 2))  # due Monday 06-05
    due_tuesday = file_demand(on=dt.date(2023, 6, 5))  # due Tuesday 06-06
    due_wednesday = file_demand(on=dt.date(2023, 6, 6))  # due Wednesday 06-07

    def status(today):
        rows = with_deadline_status(Demand.objects.all(), today, services.amber_until(today))
        return {d.pk: d.deadline_status for d in rows}

    # On Friday with one amber working day: Monday is the next working day → amber; Tuesday green.
    assert status(friday) == {due_monday.pk: "amber", due_tuesday.pk: "green", due_wednesday.pk: "green"}
    tuesday = dt.date(2023, 6, 6)
    assert status(tuesday) == {due_monday.pk: "red", due_tuesday.pk: "amber", due_wednesday.pk: "amber"}
