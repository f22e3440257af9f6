"""Demo visits, loaded by jingkai demo after the registry (see jingkai.demo.extensions).

2022-01 … 2023-06 (the documents' periods), then on to today, quarter by quarter: each enterprise in a grid
(the 规上 ones) is visited by its grid's officers, most once a quarter, some twice (a leader visit with the
grid's linked zone leader, or on-site guidance); about one in twelve is missed in a quarter, and more in 2023
Q2 (the last quarter of the documents' data); today's quarter holds the visits of the working days gone by, so
that "not visited yet" has something to show. 规下 enterprises get an occasional visit by their community
officer. Visits only: the demands demo links its visit-channel demands to these rows.
Bulk inserts (with one history row each); deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.models import User
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import AssignmentRole, CommunityAssignment, GridAssignment
from jingkai.visits.models import Visit, VisitKind

QUARTERS = [(2022, 1), (2022, 2), (2022, 3), (2022, 4), (2023, 1), (2023, 2)]  # the documents' periods
MISS_RATE = 0.08
LAST_QUARTER_MISS_RATE = 0.18  # 2023 Q2, as the data of the documents' periods left it
SECOND_VISIT_RATE = 0.25
BELOW_VISIT_RATE = 0.12  # per half-year
POLICIES = [
    ("宣讲《关于进一步稳定工业经济增长的若干措施》", ["稳增长"]),
    ("解读研发费用加计扣除政策，辅导企业归集研发费用", ["研发费用加计扣除"]),
    ("宣传增值税留抵退税政策", ["留抵退税"]),
    ("宣讲技术改造补助申报条件", ["技改补助"]),
    ("介绍高新技术企业认定与专精特新培育政策", ["高企认定", "专精特新"]),
    ("宣传稳岗返还和以工代训补贴", ["稳岗补贴"]),
    ("讲解人才引进与落户政策", ["人才引进"]),
    ("介绍“亩均论英雄”改革与用地政策", ["亩均效益"]),
]
NOTES = [
    "企业生产经营正常，订单饱满。",
    "企业反映用工紧张，已记录并跟进。",
    "了解企业扩产计划，建议对接招商局。",
    "企业关注原材料价格波动，生产基本稳定。",
    "查看安全生产与消防台账，未发现问题。",
    "企业计划申报高新技术企业，已提供申报指引。",
    "",
]


def quarters_until(today: dt.date) -> list[tuple[int, int]]:
    """The documents' quarters, then every quarter after them up to today's (the demo lives up to today)."""
    quarters = list(QUARTERS)
    year, quarter = QUARTERS[-1]
    while (year, quarter) < (today.year, (today.month - 1) // 3 + 1):
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        quarters.append((year, quarter))
    return quarters


def _quarter_days(year: int, quarter: int, calendar: WorkingCalendar) -> list[dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    days, day = [], start
    while day < end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


@transaction.atomic
def load(seed: int, stdout=None) -> dict:
    rng = random.Random(seed * 31 + 7)
    calendar = WorkingCalendar()
    admin = User.objects.filter(username="zone_admin").first()
    officers, leaders = defaultdict(list), defaultdict(list)
    for grid_id, user_id, role in GridAssignment.objects.order_by("pk").values_list(
        "grid_id", "user_id", "role"
    ):
        (leaders if role == AssignmentRole.LEADER else officers)[grid_id].append(user_id)
    community_staff = defaultdict(list)
    for community_id, user_id in CommunityAssignment.objects.order_by("pk").values_list(
        "community_id", "user_id"
    ):
        community_staff[community_id].append(user_id)
    operating = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING).order_by("pk")
    in_grids = list(operating.filter(grid__isnull=False).values_list("pk", "grid_id", "community_id"))
    in_communities = list(
        operating.filter(grid__isnull=True, community__isnull=False).values_list("pk", "community_id")
    )
    plans: list[tuple[Visit, list[int]]] = []

    def add(enterprise_id, grid_id, community_id, day, kind, visitors):
        policy, tags = rng.choice(POLICIES)
        visit = Visit(
            enterprise_id=enterprise_id,
            visited_on=day,
            kind=kind,
            grid_id=grid_id,
            community_id=community_id,
            policies=policy,
            policy_tags=tags,
            notes=rng.choice(NOTES),
            created_by_id=visitors[0],
        )
        plans.append((visit, visitors))

    today = timezone.localdate()
    for year, quarter in quarters_until(today):
        days = _quarter_days(year, quarter, calendar)
        miss = LAST_QUARTER_MISS_RATE if (year, quarter) == QUARTERS[-1] else MISS_RATE
        elapsed = [day for day in days if day < today]
        if len(elapsed) < len(days):
            # Today's quarter: visits so far, in proportion to the working days gone by, so that the grid boards
            # show work done and work still to do.
            if not elapsed:
                continue
            miss = 1 - (1 - MISS_RATE) * len(elapsed) / len(days)
            days = elapsed
        for enterprise_id, grid_id, community_id in in_grids:
            staff = officers.get(grid_id) or leaders.get(grid_id)
            if not staff or rng.random() < miss:
                continue
            add(
                enterprise_id, grid_id, community_id, rng.choice(days), VisitKind.OFFICER, [rng.choice(staff)]
            )
            if rng.random() < SECOND_VISIT_RATE:
                if leaders.get(grid_id) and rng.random() < 0.6:
                    kind, people = VisitKind.LEADER, [leaders[grid_id][0], rng.choice(staff)]
                else:
                    kind, people = VisitKind.GUIDANCE, [rng.choice(staff)]
                add(enterprise_id, grid_id, community_id, rng.choice(days), kind, list(dict.fromkeys(people)))
        if quarter in (2, 4):  # once a half-year, a few 规下 enterprises
            half = [day for day in days + _quarter_days(year, quarter - 1, calendar) if day < today]
            for enterprise_id, community_id in in_communities:
                staff = community_staff.get(community_id)
                if staff and rng.random() < BELOW_VISIT_RATE:
                    add(
                        enterprise_id,
                        None,
                        community_id,
                        rng.choice(half),
                        VisitKind.OFFICER,
                        [rng.choice(staff)],
                    )

    plans.sort(key=lambda p: (p[0].visited_on, p[0].enterprise_id))
    visits = bulk_create_with_history([p[0] for p in plans], Visit, batch_size=2000, default_user=admin)
    if visits and visits[0].pk is None:  # a database that does not return ids: read them back in order
        ids = list(Visit.objects.order_by("pk").values_list("pk", flat=True))
        for visit, pk in zip(visits, ids, strict=True):
            visit.pk = pk
    through = Visit.visitors.through
    links = [
        through(visit_id=visit.pk, user_id=user_id)
        for visit, (_plan, people) in zip(visits, plans, strict=True)
        for user_id in people
    ]
    through.objects.bulk_create(links, batch_size=5000)
    if stdout is not None:
        stdout.write(_("Visits: %(count)d") % {"count": len(visits)})
    return {"visits": len(visits)}
