"""The demand sweep (part of `jingkai sweep`): close expired rating windows, mark and escalate overdue demands.

Set-based: a fixed number of statements whatever the number of demands (UPDATE … WHERE and
INSERT … SELECT; the working-day arithmetic is done once, in Python, to get the cut-off dates).
Idempotent: a demand escalates at most once per level per state entry (escalation_level is reset when a
state is entered), and notification keys are unique ("demand:{id}:escalated:{level}:{version}"), so a
second run inserts nothing.

Escalation (RULES.md §7, issue 3 §3):
- level 1, the day after the deadline: the leader of the enterprise's grid in office today; for a 规下
  enterprise without a grid, the officer of its community;
- level 2, `level2_after_days` working days after the deadline: the zone administrators.
A replied demand whose rating window has passed is closed as 已办结 (未评价).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.models import Role, User
from jingkai.demands.models import ESCALATING_STATES, Demand, DemandEvent, DemandState
from jingkai.demands.services import policy
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import CommunityAssignment, GridAssignment
from jingkai.notifications.models import Notification


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _escalating_where(level: int) -> tuple[str, list]:
    placeholders = ", ".join(["%s"] * len(ESCALATING_STATES))
    return (
        f"d.state IN ({placeholders}) AND d.due_on < %s AND d.escalation_level < %s",
        [str(s) for s in ESCALATING_STATES],
    )


def run(now=None, stdout=None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    pol = policy()
    calendar = WorkingCalendar()
    # Overdue by level2_after_days working days: the deadline is on or before this date.
    level2_due = calendar.add_working_days(today, -pol.level2_after_days)
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    today_db = ops.adapt_datefield_value(today)
    demand_t, event_t, notif_t = _t(Demand), _t(DemandEvent), _t(Notification)
    enterprise_t, grid_t, community_t, user_t = (
        _t(Enterprise),
        _t(GridAssignment),
        _t(CommunityAssignment),
        _t(User),
    )
    event_cols = (
        "demand_id, action, from_state, to_state, actor_id, at, note, department_id, due_on, level, public"
    )
    notif_cols = "recipient_id, kind, key, title, body, url, created_at"
    url_prefix = "/demands/"
    counts = {"closed_unrated": 0, "overdue": 0, "escalated_1": 0, "escalated_2": 0, "notified": 0}

    with transaction.atomic(), connection.cursor() as cursor:
        # 1. Rating window over: 已答复 → 已办结 (未评价).
        cursor.execute(
            f"INSERT INTO {event_t} ({event_cols}) "
            f"SELECT d.id, 'close_unrated', d.state, %s, NULL, %s, %s, NULL, NULL, 0, %s "
            f"FROM {demand_t} d WHERE d.state = %s AND d.due_on < %s",
            [
                DemandState.CLOSED.value,
                now_db,
                _("Not rated within the rating window"),
                True,
                DemandState.REPLIED.value,
                today_db,
            ],
        )
        counts["closed_unrated"] = Demand.objects.filter(state=DemandState.REPLIED, due_on__lt=today).update(
            state=DemandState.CLOSED,
            closed_at=now,
            state_entered_at=now,
            due_on=None,
            version=F("version") + 1,
            updated_at=now,
        )

        # 2. Mark what is overdue (and remember, for the on-time rate, that it was).
        counts["overdue"] = Demand.objects.filter(
            state__in=ESCALATING_STATES, due_on__lt=today, escalation_level__lt=2, overdue_since__isnull=True
        ).update(overdue_since=today, ever_overdue=True)

        # 3. Escalate, level by level.
        for level, due_before, recipients_sql, recipients_params in (
            (
                1,
                today_db,
                # The grid's leader in office today, or the community's officer for an enterprise without grid.
                f"SELECT d.id AS demand_id, d.title AS title, d.version AS version, "
                f"COALESCE(a.user_id, c.user_id) AS user_id FROM {demand_t} d "
                f"JOIN {enterprise_t} e ON e.id = d.enterprise_id "
                f"LEFT JOIN {grid_t} a ON a.grid_id = e.grid_id AND a.role = %s AND a.start_date <= %s "
                f"AND (a.end_date IS NULL OR a.end_date >= %s) "
                f"LEFT JOIN {community_t} c ON e.grid_id IS NULL AND c.community_id = e.community_id "
                f"AND c.start_date <= %s AND (c.end_date IS NULL OR c.end_date >= %s) "
                f"WHERE {{where}} AND COALESCE(a.user_id, c.user_id) IS NOT NULL",
                ["leader", today_db, today_db, today_db, today_db, "WHERE"],
            ),
            (
                2,
                ops.adapt_datefield_value(level2_due + dt.timedelta(days=1)),
                f"SELECT d.id AS demand_id, d.title AS title, d.version AS version, u.id AS user_id "
                f"FROM {demand_t} d JOIN {user_t} u ON u.role = %s AND u.is_active = %s WHERE {{where}}",
                [Role.ZONE_ADMIN.value, True, "WHERE"],
            ),
        ):
            where, where_params = _escalating_where(level)
            cond_params = [*where_params, due_before, level]
            sql = recipients_sql.replace("{where}", where)
            params: list = []
            for p in recipients_params:
                params.extend(cond_params if p == "WHERE" else [p])
            title = (
                _("Overdue demand escalated to you (level 1): ")
                if level == 1
                else _("Overdue demand escalated to you (level 2): ")
            )
            cursor.execute(
                f"INSERT INTO {notif_t} ({notif_cols}) "
                f"SELECT r.user_id, 'demand.escalated', "
                f"'demand:' || r.demand_id || ':escalated:{level}:' || r.version || ':' || r.user_id, "
                f"SUBSTR(%s || r.title, 1, 200), %s, %s || r.demand_id || '/', %s "
                f"FROM ({sql}) r WHERE 1 = 1 "
                f"ON CONFLICT (key) DO NOTHING",
                [title, _("The deadline has passed without the next step."), url_prefix, now_db, *params],
            )
            counts["notified"] += max(cursor.rowcount, 0)
            cursor.execute(
                f"INSERT INTO {event_t} ({event_cols}) "
                f"SELECT d.id, 'escalate', d.state, d.state, NULL, %s, %s, NULL, d.due_on, %s, %s "
                f"FROM {demand_t} d WHERE {where}",
                [
                    now_db,
                    _("Overdue: escalated to the grid leader")
                    if level == 1
                    else _("Overdue: escalated to the zone administrators"),
                    level,
                    True,
                    *cond_params,
                ],
            )
            cursor.execute(
                f"UPDATE {demand_t} SET escalation_level = %s WHERE {where.replace('d.', '')}",
                [level, *cond_params],
            )
            counts[f"escalated_{level}"] = max(cursor.rowcount, 0)

    if stdout is not None:
        stdout.write("demands: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return counts
