"""Reminders: no contact in N days, a planned milestone within N days; idempotent; set-based; configurable."""

from __future__ import annotations

import datetime as dt

from jingkai.investment import services
from jingkai.investment import sweep as reminders
from jingkai.investment.models import ReminderSettings
from jingkai.notifications.models import Notification
from tests.investment.conftest import make_project

D = dt.date


def test_no_contact_and_milestone_reminders_go_to_the_owner_once(inv):
    staff = inv["investment"]
    quiet = make_project(staff, "R1", owner=staff, first_contact_on=D(2022, 1, 1))
    recent = make_project(staff, "R2", owner=staff, first_contact_on=D(2022, 1, 1))
    services.add_follow_up(recent, {"on": D(2022, 3, 1), "kind": "call"}, staff)
    services.set_milestone(recent, "negotiating", D(2022, 3, 8), staff)
    services.set_milestone(quiet, "negotiating", D(2022, 3, 20), staff)  # beyond 7 days
    result = reminders.run(D(2022, 3, 2))
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {
        f"project:{quiet.pk}:no_contact:2022-01-01",
        f"project:{recent.pk}:milestone:negotiating:2022-03-08",
    }
    assert result == {"investment_reminders": 2}
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {staff.pk}
    assert reminders.run(D(2022, 3, 2)) == {"investment_reminders": 0}


def test_thresholds_are_configurable_and_terminated_projects_are_quiet(inv):
    staff = inv["investment"]
    project = make_project(staff, "R3", owner=staff, first_contact_on=D(2022, 1, 1))
    ReminderSettings.objects.create(no_contact_days=90, milestone_days=7)
    assert reminders.run(D(2022, 3, 1))["investment_reminders"] == 0
    assert reminders.run(D(2022, 4, 2))["investment_reminders"] == 1
    services.set_status(project, "terminated", staff, reason="撤资")
    Notification.objects.all().delete()
    services.add_follow_up(project, {"on": D(2022, 4, 3)}, staff)
    assert reminders.run(D(2022, 12, 1))["investment_reminders"] == 0


def test_queries_do_not_grow_with_projects(inv, django_assert_max_num_queries):
    staff = inv["investment"]
    for i in range(30):
        p = make_project(staff, f"Q{i}", owner=staff, first_contact_on=D(2022, 1, 1))
        services.set_milestone(p, "negotiating", D(2022, 3, 3), staff)
    with django_assert_max_num_queries(6):
        result = reminders.run(D(2022, 3, 1))
    assert result["investment_reminders"] == 60
