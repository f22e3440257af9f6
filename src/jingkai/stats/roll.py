"""The year's 规上 roll derived from the monthly statistics, and the grid leaders' notices of a roll (issue 11 §6).

RULES.md §2: 规上 in a year = 营业收入 of the year ≥ 2,000万元. The year's 营业收入 is the December report's
cumulative figure (MonthlyReport.revenue_cum at period YYYY-12-01, in 元). An enterprise without a December report,
or whose December report has no 营业收入, is not decided by this source (it is counted, not listed as leaving).

It lives here because enterprises may not read the statistics (docs/development.md, layers); the plan and the
commit are the enterprises roll service's (enterprises.roll).

`notify_grid_leaders(plan, user)` is the listener of enterprises.roll.ROLL_COMMITTED: the leaders in office of the
grid of every enterprise entering or leaving 规上 are told (notifications app), whatever source the roll came from.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jingkai.enterprises import roll
from jingkai.grids.models import AssignmentRole, GridAssignment, active_q
from jingkai.notifications.services import NotificationSpec, notify
from jingkai.stats.models import MonthlyReport

SOURCE = "stats"
NOTICE_KIND = "scale_roll"


def december(year: int) -> dt.date:
    return dt.date(year, 12, 1)


def december_decisions(year: int) -> tuple[list[roll.Decision], int]:
    """The decisions of the December reports of the year, and how many reports had no 营业收入 (one query)."""
    decisions, undecided = [], 0
    rows = MonthlyReport.objects.filter(period=december(year)).values_list("enterprise_id", "revenue_cum")
    for enterprise_id, revenue in rows:
        if revenue is None:
            undecided += 1
            continue
        decisions.append(roll.Decision(enterprise_id, roll.is_above_size(revenue), revenue))
    return decisions, undecided


def plan_from_reports(year: int) -> tuple[roll.RollPlan, int]:
    decisions, undecided = december_decisions(year)
    return roll.plan_roll(year, decisions, source_name=SOURCE), undecided


def commit_from_reports(year: int, user) -> roll.RollPlan:
    """Plan again (the reports may have changed since the preview) and commit, all or nothing."""
    plan, _undecided = plan_from_reports(year)
    roll.commit_roll(plan, user)
    return plan


def notify_grid_leaders(plan: roll.RollPlan, user=None) -> int:
    """Tell the grid leaders in office about the enterprises of their grid entering or leaving 规上 (one query for
    the leaders, one or two for the notices); returns how many notices were new."""
    moved = [item for item in plan.items if item.move != roll.UNCHANGED and item.enterprise.grid_id]
    if not moved:
        return 0
    leaders: dict[int, list[int]] = {}
    for grid_id, user_id in GridAssignment.objects.filter(
        active_q(), role=AssignmentRole.LEADER, grid_id__in={item.enterprise.grid_id for item in moved}
    ).values_list("grid_id", "user_id"):
        leaders.setdefault(grid_id, []).append(user_id)
    specs = []
    for item in moved:
        name = item.enterprise.name
        if item.move == roll.ENTERING:
            title = _("%(name)s is above designated size in %(year)s") % {"name": name, "year": plan.year}
            body = _("It entered 规上 with the year's roll; it must be served by a grid.")
        else:
            title = _("%(name)s left 规上 in %(year)s") % {"name": name, "year": plan.year}
            body = _("It left 规上 with the year's roll; assign it to a community.")
        for leader_id in leaders.get(item.enterprise.grid_id, ()):
            specs.append(
                NotificationSpec(
                    recipient_id=leader_id,
                    kind=NOTICE_KIND,
                    key=f"scale-roll:{plan.year}:{item.enterprise.pk}:{item.move}:{leader_id}",
                    title=title,
                    body=body,
                    url=item.enterprise.get_absolute_url(),
                )
            )
    return notify(specs)
