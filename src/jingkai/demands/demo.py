"""Demo demands: the 12 months up to the day the demo is loaded, over the demo enterprises of the 16 grids
and the communities (runs after the visits demo; see jingkai.demo.extensions).

Why "the 12 months up to today" rather than a fixed 2022-07 → 2023-06: deadlines, red/amber/green and the
escalation sweep are relative to today, so a live window shows open, due-soon and overdue demands as a zone
would see them on the day. The generated timelines are deterministic for a seed and a day.

Every demand's life is simulated in official working days (core.calendar): accepted within about a day,
assigned, taken up, replied mostly within the category's limit (some late), rated on the five-level scale
(a bad rating reopens it), or closed unrated when the window passes. About 3% are declined, 2% merged as
duplicates, 5% extended. Rows are written with bulk_create; the sweep then escalates what is overdue.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.models import Department, User
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import (
    Channel,
    Demand,
    DemandCategory,
    DemandEvent,
    DemandState,
    ExtensionStatus,
)
from jingkai.demands.services import category_limits, policy
from jingkai.enterprises.models import Enterprise

S = DemandState
TARGET = 1400

# Top-level category code -> departments that handle it (codes of demo/facts.py DEPARTMENTS).
ROUTING = {
    "land": ["planning"],
    "labour": ["hrss", "econ"],
    "finance": ["finance", "econ"],
    "approval": ["market", "econ", "construction"],
    "policy": ["econ", "tech"],
    "infrastructure": ["construction", "econ"],
    "logistics": ["econ"],
    "environment": ["ecology", "safety"],
    "other": ["econ"],
}
TEXTS = {
    "land": ["企业扩产需新增工业用地约{n}亩，希望协调用地指标", "厂房不动产权证办理进度缓慢，请协助推进"],
    "labour": [
        "急需招聘数控操作工{n}名，希望对接人力资源市场",
        "外地技术骨干子女入学需协调",
        "申请高层次人才落户及安居补贴",
    ],
    "finance": ["流动资金紧张，希望对接银行办理{n}00万元贷款", "拟启动股改上市，希望获得上市辅导支持"],
    "approval": [
        "技改项目备案审批需加快办理",
        "新建车间消防验收排期过长，请协调",
        "食品生产许可证延续办理咨询",
    ],
    "policy": [
        "咨询研发费用加计扣除政策申报流程",
        "去年技改奖补资金尚未兑现，请核实进度",
        "咨询专精特新企业认定条件",
    ],
    "infrastructure": [
        "厂区门口道路破损积水，货车通行困难",
        "申请用电增容{n}00千伏安",
        "园区天然气管网压力不足影响生产",
    ],
    "logistics": ["园区缺少集中停车场，货车停放困难", "希望开通园区至高铁站的通勤班车"],
    "environment": ["环评批复变更咨询", "危险废物处置渠道不足，请协助对接有资质单位"],
    "other": ["希望组织企业参加产业链对接活动", "员工食堂周边餐饮配套不足"],
}
REPLIES = [
    "已会同相关单位现场踏勘，制定解决方案并明确完成时间。",
    "已对接相关部门和金融机构，企业已按流程提交材料。",
    "经核实，相关事项已办结，请企业确认。",
    "已向企业详细解读政策，并指导完成申报。",
]
CHANNEL_WEIGHTS = [(Channel.PORTAL, 35), (Channel.VISIT, 25), (Channel.HOTLINE, 25), (Channel.STAFF, 10),
                   (Channel.IMPORT, 5)]  # fmt: skip
RATING_WEIGHTS = [(5, 55), (4, 25), (3, 10), (2, 6), (1, 4)]


class _Days:
    """Working-day arithmetic over a precomputed range (fast for thousands of timelines)."""

    def __init__(self, first: dt.date, last: dt.date):
        calendar = WorkingCalendar()
        self.days = []
        day = first
        while day <= last:
            if calendar.is_working_day(day):
                self.days.append(day)
            day += dt.timedelta(days=1)

    def add(self, start: dt.date, n: int) -> dt.date:
        i = bisect.bisect_right(self.days, start)  # the first working day after start
        return self.days[min(i + n - 1, len(self.days) - 1)] if n > 0 else start


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _at(day: dt.date, rng) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))


def load(seed: int, stdout=None) -> dict:
    if Demand.objects.exists():
        return {"demands": Demand.objects.count()}
    # `jingkai demo` empties every table on PostgreSQL, the migration's default categories included.
    ensure_defaults()
    rng = random.Random(f"demands-{seed}")
    today = timezone.localdate()
    loaded_at = timezone.now()
    start = today - dt.timedelta(days=365)
    days = _Days(start - dt.timedelta(days=10), today + dt.timedelta(days=30))
    pol = policy()
    leaves = list(DemandCategory.objects.filter(active=True, parent__isnull=False).select_related("parent"))
    roots = list(DemandCategory.objects.filter(active=True, parent__isnull=True, children__isnull=True))
    categories = leaves + roots
    limits = {c.pk: category_limits(c) for c in categories}
    departments = {d.code: d for d in Department.objects.all()}
    enterprises = list(
        Enterprise.objects.filter(Q(grid__isnull=False) | Q(community__isnull=False)).order_by("pk")
    )
    if not enterprises or not categories or not departments:
        return {"demands": 0}
    admin = (
        User.objects.filter(username="zone_admin").first() or User.objects.filter(role="zone_admin").first()
    )
    handlers = {}
    for user in User.objects.filter(role="department", department__isnull=False).order_by("pk"):
        handlers.setdefault(user.department_id, user)
    contacts = {}
    for user in User.objects.filter(role="enterprise", enterprise_contact__isnull=False).select_related(
        "enterprise_contact"
    ):
        contacts[user.enterprise_contact.enterprise_id] = user
    # The demo logins each see a meaningful set: their enterprise, grid 1, and 经济发展局 get a fair share.
    featured = [e for e in enterprises if e.pk in contacts]
    grid1 = [e for e in enterprises if e.grid and e.grid.code == "G01"] if enterprises else []
    weights = [6 if e in featured else (2 if e in grid1 else 1) for e in enterprises]

    demands: list[Demand] = []
    merges: list[tuple[Demand, Demand]] = []
    timelines: list[list[tuple]] = []
    span = (today - start).days
    for i in range(TARGET):
        enterprise = (
            featured[i % len(featured)] if featured and i % 60 == 0 else rng.choices(enterprises, weights)[0]
        )
        category = rng.choice(categories)
        root = category.parent or category
        lim = limits[category.pk]
        dept_codes = [c for c in ROUTING.get(root.code, ["econ"]) if c in departments] or ["econ"]
        department = departments.get(rng.choice(dept_codes)) or next(iter(departments.values()))
        channel = _pick(rng, CHANNEL_WEIGHTS)
        submitted_day = start + dt.timedelta(days=int(span * (rng.random() ** 0.9)))
        submitted = _at(submitted_day, rng)
        text = rng.choice(TEXTS.get(root.code, TEXTS["other"])).format(n=rng.randint(2, 9))
        filer = contacts.get(enterprise.pk) if channel == Channel.PORTAL else admin
        d = Demand(
            enterprise=enterprise, category=category, channel=channel, state=S.SUBMITTED, title=text[:30],
            description=text + "。" + rng.choice(["情况较为紧急。", "望尽快协调。", "", "已多次反映。"]),
            submitted_at=submitted, state_entered_at=submitted, filed_by=filer,
            contact_name=enterprise.short_name or "", source_ref=f"DEMO{i:05d}" if channel == Channel.IMPORT else "",
        )  # fmt: skip
        events: list[tuple] = [("submit", "", S.SUBMITTED, filer, submitted, "", None, None)]
        # Each step's time is drawn on its day, then kept after the step before: two steps on the same day
        # (accepted an hour after filing) never run backwards.
        clock = [submitted]

        def after(when: dt.datetime, _clock=clock) -> dt.datetime:
            when = max(when, _clock[0] + dt.timedelta(minutes=1))
            if when > loaded_at:  # a step of today never lies ahead of the moment the demo is loaded
                when = max(_clock[0], loaded_at)
            _clock[0] = when
            return when

        state, entered, due = S.SUBMITTED, submitted_day, days.add(submitted_day, lim["accept_days"])
        late = rng.random() < 0.12  # this demand's department misses a deadline

        def go(action, to, day, actor=None, note="", dept=None, due_days=None, _d=d, _events=events):
            nonlocal state, entered, due
            when = after(_at(day, rng))
            if (
                due is not None
                and day > due
                and state in (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)
            ):
                _d.ever_overdue = True
            new_due = days.add(day, due_days) if due_days is not None else None
            _events.append((action, state, to, actor, when, note, dept, new_due))
            state, entered, due = to, day, new_due
            _d.state_entered_at = when
            return when

        step_day = days.add(submitted_day, rng.choice([0, 1, 1]))
        roll = rng.random()
        plan = []
        if roll < 0.03:
            plan.append(
                (
                    "reject",
                    S.REJECTED,
                    step_day,
                    admin,
                    "不属于管委会职责范围，已告知企业向对应部门反映",
                    None,
                    None,
                )
            )
        else:
            plan.append(("accept", S.ACCEPTED, step_day, admin, "", None, lim["assign_days"]))
            if roll < 0.05 and demands:
                original = rng.choice(demands[-30:])
                if original.submitted_at >= submitted:  # merged into an older demand, never a later one
                    older = [x for x in demands[-30:] if x.submitted_at < submitted]
                    original = max(older, key=lambda x: x.submitted_at) if older else None
            if roll < 0.05 and demands and original is not None:
                plan.append(
                    ("merge", S.MERGED, step_day, admin, "与已有诉求为同一事项", None, ("merge", original))
                )
            else:
                day = days.add(step_day, rng.choice([0, 1]))
                plan.append(("assign", S.ASSIGNED, day, admin, "", department, lim["take_days"]))
                day = days.add(day, rng.choice([0, 1, 1, 2 if late else 1]))
                plan.append(("take", S.IN_PROGRESS, day, "handler", "", None, lim["reply_days"]))
                handle = max(1, lim["reply_days"] + rng.randint(-3, 4 if late else 0))
                if rng.random() < 0.05:
                    plan.append(
                        (
                            "extension",
                            None,
                            days.add(day, 1),
                            "handler",
                            "需协调上级部门，申请延期",
                            None,
                            None,
                        )
                    )
                    handle += 5
                day = days.add(day, handle)
                plan.append(("reply", S.REPLIED, day, "handler", rng.choice(REPLIES), None, "rating"))
                if rng.random() < 0.8:
                    rating = _pick(rng, RATING_WEIGHTS)
                    rate_day = days.add(day, rng.choice([0, 1, 2, 3]))
                    plan.append(("rate", rating, rate_day, "contact", "", None, None))
                    if rating <= 2:
                        again = days.add(rate_day, lim["reply_days"] - 1)
                        plan.append(
                            (
                                "reply",
                                S.REPLIED,
                                again,
                                "handler",
                                "已再次现场协调，问题已解决。",
                                None,
                                "rating",
                            )
                        )
                        plan.append(("rate", 4, days.add(again, 1), "contact", "", None, None))
                else:
                    plan.append(("close_unrated", S.CLOSED, days.add(day, pol.rating_window_days + 1), None,
                                 "评价期满未评价", None, None))  # fmt: skip
        if submitted_day > today - dt.timedelta(days=45) and rng.random() < 0.3:
            # Stalled: nobody takes the next step, so the deadline passes and the sweep escalates it.
            plan = plan[: rng.choice([1, 2, 3])]
        handler = handlers.get(department.pk)
        contact = contacts.get(enterprise.pk) or admin
        for action, to, day, actor, note, dept, extra in plan:
            if day > today or (action != "reject" and _at(day, rng) > timezone.now() and day == today):
                break
            actor = (
                {"handler": handler, "contact": contact}.get(actor, actor)
                if isinstance(actor, str)
                else actor
            )
            if action == "extension":
                until = days.add(due, 5) if due else days.add(day, 5)
                events.append(
                    ("request_extension", state, state, actor, after(_at(day, rng)), note, None, until)
                )
                events.append(
                    (
                        "approve_extension",
                        state,
                        state,
                        admin,
                        after(_at(days.add(day, 1), rng)),
                        "同意延期",
                        None,
                        until,
                    )
                )
                d.extension_status, d.extension_until, d.extension_reason = (
                    ExtensionStatus.APPROVED,
                    until,
                    note,
                )
                due = until
                continue
            if action == "merge":
                when = go("merge", S.MERGED, day, actor, note)
                merges.append((d, extra[1]))
                d.closed_at = when
                continue
            if action == "rate":
                rating = to
                _at(day, rng)  # drawn as before, so the rest of the demo stays as it was
                d.rating = rating
                if rating <= 2:
                    d.rating_comment = "问题尚未彻底解决"
                    d.reopen_count += 1
                    d.rated_at = go(
                        "rate", S.IN_PROGRESS, day, actor, d.rating_comment, None, lim["reply_days"]
                    )
                else:
                    d.rated_at = d.closed_at = go("rate", S.CLOSED, day, actor, "", None, None)
                continue
            due_days = pol.rating_window_days if extra == "rating" else extra
            when = go(action, to, day, actor, note, dept, due_days)
            if action == "assign":
                d.department = dept
            if action == "reply":
                d.reply, d.replied_at = note, when
            if action in ("reject", "close_unrated"):
                d.closed_at = when
        d.state, d.due_on = state, due
        d.version = len(events) - 1
        demands.append(d)
        timelines.append(events)

    Demand.objects.bulk_create(demands, batch_size=1000)
    for duplicate, original in merges:
        duplicate.merged_into_id = original.pk
    Demand.objects.bulk_update([dup for dup, _ in merges], ["merged_into"], batch_size=1000)
    rows = [
        DemandEvent(
            demand=d,
            action=a,
            from_state=f,
            to_state=t,
            actor=u,
            at=w,
            note=n,
            department=dep,
            due_on=due,
            level=d.rating if a == "rate" and d.rating else 0,
        )  # fmt: skip
        for d, events in zip(demands, timelines, strict=True)
        for a, f, t, u, w, n, dep, due in events
    ]
    for duplicate, original in merges:
        rows.append(DemandEvent(demand=original, action="merged_in", actor=admin, at=duplicate.closed_at,
                                note=f"重复诉求 {duplicate.number}（{duplicate.enterprise.display_name}）已合并"))  # fmt: skip
    # A demand's steps in the order they happened (a merged duplicate's "merged_in" falls among its original's).
    position = {id(d): i for i, d in enumerate(demands)}
    rows.sort(key=lambda row: (position[id(row.demand)], row.at))
    DemandEvent.objects.bulk_create(rows, batch_size=2000)
    from jingkai.demands import sweep

    swept = sweep.run(timezone.now())
    if stdout is not None:
        stdout.write(
            _(
                "Demands: %(demands)d with %(events)d steps; the sweep closed %(closed)d unrated, found %(overdue)d "
                "overdue and escalated %(first)d to grid leaders and %(second)d to zone administrators"
            )
            % {
                "demands": len(demands),
                "events": len(rows),
                "closed": swept.get("closed_unrated", 0),
                "overdue": swept.get("overdue", 0),
                "first": swept.get("escalated_1", 0),
                "second": swept.get("escalated_2", 0),
            }
        )
    return {"demands": len(demands), "demand_events": len(rows)}
