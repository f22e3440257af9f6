"""The demo's 2022 复工复产 campaign, loaded by jingkai demo after the demands (see jingkai.demo.extensions).

April–May 2022, after the local outbreak: every operating 规上 enterprise of 2022 was asked for its
production status, staff return rate, main difficulties and what it needs coordinated. About nine in ten
answered (the contact on the portal, else the grid officer on its behalf); on-site guidance officers
(驻企指导员) were sent to about a third of the enterprises. The campaign is closed. A second campaign runs
today (a 安全生产 inspection opened twelve days before the load, half answered). Bulk inserts only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jingkai.campaigns.forms_def import validate_form
from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignStatus, CampaignTarget, ScopeKind
from jingkai.core.models import Role, User
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Contact, Enterprise
from jingkai.grids.models import AssignmentRole, GridAssignment

TITLE = "2022年复工复产企业排查"
OPENS_ON = dt.date(2022, 4, 6)
CLOSES_ON = dt.date(2022, 5, 31)
FORM = [
    {
        "key": "status",
        "label": "生产经营状态",
        "type": "choice",
        "required": True,
        "choices": ["正常生产", "部分复工", "停产"],
    },
    {"key": "return_rate", "label": "员工返岗率", "type": "percent", "required": True},
    {"key": "difficulties", "label": "主要困难", "type": "text", "required": False},
    {"key": "coordination", "label": "需要协调的事项", "type": "text", "required": False},
]
ANSWER_RATE = 0.9
GUIDE_RATE = 0.35
DIFFICULTIES = [
    "物流运输受阻",
    "上游原材料供应不足",
    "外地员工返岗困难",
    "订单减少",
    "防疫物资紧张",
    "资金周转压力大",
    "",
]
COORDINATION = [
    "办理货车通行证",
    "协调员工返岗车辆",
    "对接上下游配套企业",
    "申请稳岗补贴",
    "协调核酸检测点",
    "",
]


def _answers(rng: random.Random) -> dict:
    status = rng.choices(["正常生产", "部分复工", "停产"], [60, 32, 8])[0]
    low, high = {"正常生产": (88, 100), "部分复工": (45, 88), "停产": (0, 30)}[status]
    answers = {"status": status, "return_rate": rng.randint(low, high)}
    if status != "正常生产" or rng.random() < 0.3:
        answers["difficulties"] = rng.choice(DIFFICULTIES[:-1])
        if rng.random() < 0.6:
            answers["coordination"] = rng.choice(COORDINATION[:-1])
    return answers


@transaction.atomic
def load(seed: int, stdout=None) -> dict:
    rng = random.Random(seed * 17 + 2022)
    admin = User.objects.filter(username="zone_admin").first()
    if admin is None:
        return {}
    form = validate_form(FORM)
    campaign = Campaign(
        title=TITLE,
        kind="resumption",
        description="疫情后组织规上企业复工复产，摸清生产经营状态、员工返岗情况和需要协调解决的困难，"
        "并向企业派驻指导员。",
        opens_on=OPENS_ON,
        closes_on=CLOSES_ON,
        status=CampaignStatus.CLOSED,
        scope_kind=ScopeKind.ZONE,
        scope_above_size_only=True,
        form=form,
        created_by=admin,
        launched_at=timezone.make_aware(dt.datetime.combine(OPENS_ON, dt.time(9))),
        closed_at=timezone.make_aware(dt.datetime.combine(CLOSES_ON + dt.timedelta(days=1), dt.time(9))),
    )
    (campaign,) = bulk_create_with_history([campaign], Campaign, default_user=admin)
    if campaign.pk is None:
        campaign = Campaign.objects.get(title=TITLE)
    above_2022 = AnnualScale.objects.filter(year=2022, above_size=True).values("enterprise_id")
    rows = list(
        Enterprise.objects.filter(pk__in=above_2022, status=EnterpriseStatus.OPERATING)
        .order_by("pk")
        .values_list("pk", "grid_id", "community_id")
    )
    staff = defaultdict(list)
    for grid_id, user_id, role in GridAssignment.objects.order_by("pk").values_list(
        "grid_id", "user_id", "role"
    ):
        staff[grid_id].append((user_id, role))
    departments = list(User.objects.filter(role=Role.DEPARTMENT).order_by("pk").values_list("pk", flat=True))
    targets = []
    for enterprise_id, grid_id, community_id in rows:
        guide = None
        if rng.random() < GUIDE_RATE:
            pool = [u for u, _role in staff.get(grid_id, [])] + departments
            guide = rng.choice(pool) if pool else None
        targets.append(
            CampaignTarget(
                campaign=campaign,
                enterprise_id=enterprise_id,
                grid_id=grid_id,
                community_id=community_id,
                guide_id=guide,
            )
        )
    targets = bulk_create_with_history(targets, CampaignTarget, batch_size=2000, default_user=admin)
    if targets and targets[0].pk is None:
        by_enterprise = dict(campaign.targets.values_list("enterprise_id", "pk"))
        for target in targets:
            target.pk = by_enterprise[target.enterprise_id]
    contacts = dict(
        Contact.objects.filter(user__isnull=False, enterprise_id__in=[r[0] for r in rows])
        .order_by("pk")
        .values_list("enterprise_id", "user_id")
    )
    officers = {
        grid_id: [u for u, role in people if role == AssignmentRole.OFFICER] or [u for u, _r in people]
        for grid_id, people in staff.items()
    }
    span = (CLOSES_ON - OPENS_ON).days
    responses = []
    for target in targets:
        if rng.random() >= ANSWER_RATE:
            continue
        answered_by = contacts.get(target.enterprise_id) or target.guide_id
        if answered_by is None and officers.get(target.grid_id):
            answered_by = rng.choice(officers[target.grid_id])
        answered_by = answered_by or admin.pk
        # Most answers come in the first fortnight.
        day = OPENS_ON + dt.timedelta(days=min(span, int(rng.expovariate(1 / 6))))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59))))
        responses.append(
            CampaignResponse(
                target_id=target.pk, answers=_answers(rng), answered_by_id=answered_by, answered_at=at
            )
        )
    bulk_create_with_history(responses, CampaignResponse, batch_size=2000, default_user=admin)
    if stdout is not None:
        stdout.write(
            _("Campaign: %(targets)d enterprises asked, %(answers)d answered")
            % {"targets": len(targets), "answers": len(responses)}
        )
    running = _open_inspection(seed, admin, officers, contacts)
    return {
        "campaign_targets": len(targets),
        "campaign_responses": len(responses),
        "open_campaign_targets": running,
    }


INSPECTION_FORM = [
    {"key": "hazards", "label": "是否发现安全隐患", "type": "choice", "required": True, "choices": ["否", "是"]},
    {"key": "detail", "label": "隐患情况", "type": "text", "required": False},
    {"key": "rectified", "label": "整改情况", "type": "choice", "required": False,
     "choices": ["已整改", "整改中", "未整改"]},
]  # fmt: skip
HAZARDS = ["消防通道堆放杂物", "配电箱未上锁", "危化品仓库台账不全", "叉车操作人员证件过期", "应急照明损坏"]


def _open_inspection(seed: int, admin, officers: dict, contacts: dict) -> int:
    """A campaign running today: a 安全生产 inspection opened twelve days ago, closing in ten, half answered,
    so that the grid boards, the to-do lists and the reminders have work (issue 11 §1)."""
    rng = random.Random(seed * 19 + 1)
    today = timezone.localdate()
    opens_on, closes_on = today - dt.timedelta(days=12), today + dt.timedelta(days=10)
    year = AnnualScale.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        return 0
    campaign = Campaign(
        title=f"{today.year}年{today.month}月安全生产隐患排查",
        kind="inspection",
        description="对规上工业企业开展安全生产隐患排查：消防、用电、危化品和特种设备，发现隐患的须填写整改情况。",
        opens_on=opens_on,
        closes_on=closes_on,
        status=CampaignStatus.OPEN,
        scope_kind=ScopeKind.ZONE,
        scope_above_size_only=True,
        form=validate_form(INSPECTION_FORM),
        created_by=admin,
        launched_at=timezone.make_aware(dt.datetime.combine(opens_on, dt.time(9))),
    )
    (campaign,) = bulk_create_with_history([campaign], Campaign, default_user=admin)
    if campaign.pk is None:
        campaign = Campaign.objects.get(title=campaign.title, opens_on=opens_on)
    above = AnnualScale.objects.filter(year=year, above_size=True).values("enterprise_id")
    rows = list(
        Enterprise.objects.filter(pk__in=above, status=EnterpriseStatus.OPERATING)
        .order_by("pk")
        .values_list("pk", "grid_id", "community_id")
    )
    targets = [
        CampaignTarget(campaign=campaign, enterprise_id=pk, grid_id=grid_id, community_id=community_id)
        for pk, grid_id, community_id in rows
    ]
    targets = bulk_create_with_history(targets, CampaignTarget, batch_size=2000, default_user=admin)
    if targets and targets[0].pk is None:
        by_enterprise = dict(campaign.targets.values_list("enterprise_id", "pk"))
        for target in targets:
            target.pk = by_enterprise[target.enterprise_id]
    now = timezone.now()
    responses = []
    for target in targets:
        if rng.random() >= 0.5:
            continue
        answered_by = contacts.get(target.enterprise_id)
        if answered_by is None and officers.get(target.grid_id):
            answered_by = rng.choice(officers[target.grid_id])
        day = opens_on + dt.timedelta(days=rng.randint(0, 11))
        at = min(
            now,
            timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)))),
        )
        found = rng.random() < 0.2
        answers = {"hazards": "是" if found else "否"}
        if found:
            answers |= {"detail": rng.choice(HAZARDS), "rectified": rng.choice(["已整改", "整改中"])}
        responses.append(
            CampaignResponse(
                target_id=target.pk, answers=answers, answered_by_id=answered_by or admin.pk, answered_at=at
            )
        )
    bulk_create_with_history(responses, CampaignResponse, batch_size=2000, default_user=admin)
    return len(targets)
