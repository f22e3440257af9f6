"""The matrix zone: the zone of tests/conftest.py plus one row of every kind a URL can point at.

Built once per module (tests/matrix/test_matrix.py) through the factories, the services and, for uploads, the
pages themselves (the import pages are the stable contract; the import internals are being reshaped): no state
field is ever written directly. Rows that a URL is filled with belong to grid G01 / enterprise above1 unless named
otherwise, so the outsider (the grid officer of G02) must get 404 for each of them while the grid officer of G01,
who has the same role, gets the row.

Personas: the seven of tests/conftest.py, plus `investment` (a handler of a department that handles_investment)
and `anonymous`. The zone administrator holds is_staff, as a real one does (the demo's does), so that the admin
rows say what a zone administrator may do there.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import resolve, reverse

from jingkai.campaigns import services as campaigns
from jingkai.chains.models import Chain, ChainMembership
from jingkai.core.models import ApiToken, Role
from jingkai.demands import services as demands
from jingkai.demands.defaults import ensure_defaults
from jingkai.demands.models import Channel, DemandCategory
from jingkai.evaluation import services as evaluation
from jingkai.evaluation.methods import SHIPPED
from jingkai.evaluation.models import EvaluationInput
from jingkai.investment import services as investment
from jingkai.notifications.models import Notification
from jingkai.notifications.services import NotificationSpec, notify
from jingkai.stats.models import StatsTemplate
from jingkai.visits.models import VisitKind
from jingkai.visits.services import log_visit
from tests import factories as f
from tests.conftest import PERSONAS, build_zone
from tests.stats.helpers import messy_workbook

# Every persona the matrix asks as; "anonymous" sends no credentials. Issue 12's admin roles go here.
MATRIX_PERSONAS = [*PERSONAS, "investment", "system_admin", "security_admin", "audit_admin", "anonymous"]

# Which of the zone's four enterprises each persona may see: the department through the demand routed to it,
# 招商 staff through their project. Names and credit codes of the others must appear in no answer they get.
SEES = {
    "zone_admin": {"above1", "above2", "below1", "below2"},
    "grid_leader": {"above1"},
    "grid_officer": {"above1"},
    "community_officer": {"below1"},
    "department": {"above1"},
    "investment": {"above1"},
    "enterprise": {"above1"},
    "outsider": {"above2"},
    # 三员分立: the system, security and audit administrators see none of the zone's data.
    "system_admin": set(),
    # ... but the security administrator anonymises a departed contact (of above2): its page names the
    # contact's enterprise, so that the right person is anonymised.
    "security_admin": {"above2"},
    "audit_admin": set(),
    "anonymous": set(),
}
ENTERPRISES = ("above1", "above2", "below1", "below2")
_G01 = {"zone_admin", "grid_leader", "grid_officer"}
_DEMAND = _G01 | {"enterprise"}  # a demand of above1 not routed to a department


def _sees(key: str) -> frozenset:
    return frozenset(p for p, seen in SEES.items() if key in seen)


# The zone's rows the outsider (grid officer of G02) may not see: a URL filled with one of them must answer the
# outsider 404, never 403 (tests/matrix/test_matrix.py checks the table for it).
HIDDEN_FROM_OUTSIDER = {
    "above1",
    "below1",
    "grid1",
    "community1",
    "demand_new",
    "demand_routed",
    "demand_closed",
    "demand_rejected",
    "attachment",
    "visit",
    "target",
    "project",
    "contact",  # issue 12 — personal
}

# Texts of the zone's rows and who may read them. Every answer a persona gets (pages, exports' cells, API bodies)
# is searched for the texts it may not read (the enterprises' names and credit codes are added at build time).
SECRETS = {
    "希望了解研发费用加计扣除": _DEMAND,  # demand_new's description
    "申请用电增容五百千伏安": _DEMAND | {"department"},  # demand_routed: routed to 经济发展局
    "咨询人才公寓申请条件": _DEMAND | {"department"},  # demand_closed: was routed to 经济发展局
    "要求减免全部税费": _DEMAND,  # demand_rejected
    "走访内部备注：仅工作人员可见": _G01,  # the visit's internal notes: not for the enterprise contact
    "矩阵招商项目甲": _G01 | {"investment"},  # the investment project of above1
    "2023年安全生产排查": {"zone_admin"},  # the draft campaign
    "矩阵通知：仅网格员可见": {"grid_officer"},  # the notification
    "矩阵任务失败：仅本人与管理员可见": {"grid_officer", "zone_admin"},  # issue 13: a failed job's error
}

# 万元, 亩, 吨标准煤, 万千瓦时, 吨, 人
EVALUATION_INPUTS = {
    "above1": {"tax": 900, "value_added": 5200, "revenue": 21000, "rd": 800, "energy_tce": 1200, "emissions": 30,
               "employees": 400, "land_own_mu": 60},
    "above2": {"tax": 300, "value_added": 2100, "revenue": 9000, "rd": 150, "energy_tce": 900, "emissions": 25,
               "employees": 260, "land_own_mu": 55},
    "below1": {"tax": 40, "electricity": 120, "land_own_mu": 8},
    "below2": {"tax": 12, "electricity": 90, "land_own_mu": 5},
}  # fmt: skip

RESUMPTION_FORM = [
    {
        "key": "status",
        "label": "生产经营状态",
        "type": "choice",
        "required": True,
        "choices": ["正常生产", "停产"],
    },
    {"key": "difficulties", "label": "主要困难", "type": "text"},
]


@dataclass
class MatrixZone:
    """Named rows (`objects`) a table row's URL kwargs refer to, and one way in per persona."""

    objects: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    secrets: dict = field(default_factory=dict)  # text -> the personas who may read it
    sessions: dict = field(default_factory=dict)  # persona -> session key (pages)
    tokens: dict = field(default_factory=dict)  # persona -> raw bearer token (API)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def _workbook(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _upload(client: Client, url_name: str, content: bytes, name: str = "matrix.xlsx", **data) -> int:
    """Upload through the import page and return the batch id of the preview it redirects to."""
    response = client.post(reverse(url_name), {"file": SimpleUploadedFile(name, content), **data})
    assert response.status_code == 302, (url_name, response.status_code, response.content[:500])
    return resolve(response["Location"]).kwargs["batch_id"]


def build_matrix_zone() -> MatrixZone:
    """The zone, with what its transaction's commit would run (the rollup refresh of its edits and its import):
    the module's transaction never commits, so the callbacks registered while building are run at the end."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return _build_matrix_zone()


def _build_matrix_zone() -> MatrixZone:
    base = build_zone()
    z = MatrixZone(users=dict(base.users))
    admin = z.users["zone_admin"]
    admin.is_staff = True  # a zone administrator who holds is_staff reaches the admin site (core/admin.py)
    admin.save()
    invest_dept = f.DepartmentFactory(code="invest", name="招商服务局", handles_investment=True)
    staff = f.UserFactory(username="investment", role=Role.DEPARTMENT, department=invest_dept)
    z.users["investment"] = staff
    # 三员分立 (issue 12): the system administrator holds is_staff (the admin site's user pages).
    z.users["system_admin"] = f.UserFactory(username="system_admin", role=Role.SYSTEM_ADMIN, is_staff=True)
    z.users["security_admin"] = f.UserFactory(username="security_admin", role=Role.SECURITY_ADMIN)
    z.users["audit_admin"] = f.UserFactory(username="audit_admin", role=Role.AUDIT_ADMIN)
    o = z.objects
    o["system_user"] = z.users["grid_officer"]  # the user whose role the security administrator's page shows
    o.update(
        grid1=base.grid1,
        grid2=base.grid2,
        community1=base.community1,
        community2=base.community2,
        above1=base.above1,
        above2=base.above2,
        below1=base.below1,
        below2=base.below2,
    )

    # A chain of above1 (its contact sees it) and one of above2 only (staff see every chain, a contact only theirs).
    o["chain"] = Chain.objects.create(code="auto", name="汽车电子")
    ChainMembership.objects.create(chain=o["chain"], enterprise=base.above1)
    o["chain_other"] = Chain.objects.create(code="semi", name="半导体")
    ChainMembership.objects.create(chain=o["chain_other"], enterprise=base.above2)
    o["new_uscc"] = f.next_uscc()  # for the API's create: a code no enterprise has
    # issue 12 — personal: a contact of above1 with a phone (masked on every page; revealed on request)
    o["contact"] = f.ContactFactory(
        enterprise=base.above1, name="李矩阵", phone="13911112222", is_primary=False
    )
    # … and one of above2 for the security administrator's anonymisation pages (no persona here may use them)
    o["contact_above2"] = f.ContactFactory(enterprise=base.above2, name="王矩阵", is_primary=False)

    # Demands of above1 in each family of states: new (submitted, with an attachment), routed to the
    # department (in_progress at 经济发展局), finished (closed) and refused (rejected).
    ensure_defaults()
    category = DemandCategory.objects.get(code="policy-consult")
    econ = z.users["department"].department

    def demand(description: str, **kwargs):
        return demands.submit_demand(
            actor=admin,
            enterprise=kwargs.pop("enterprise", base.above1),
            category=category,
            description=description,
            channel=Channel.HOTLINE,
            **kwargs,
        )

    attachment = SimpleUploadedFile("用电申请.pdf", b"%PDF-1.4 matrix", content_type="application/pdf")
    o["demand_new"] = demand("希望了解研发费用加计扣除", attachments=[attachment])
    o["attachment"] = o["demand_new"].attachments.get()
    routed = demand("申请用电增容五百千伏安")
    routed = demands.transition(routed, "accept", actor=admin)
    routed = demands.transition(routed, "assign", actor=admin, department=econ)
    o["demand_routed"] = demands.transition(routed, "take", actor=z.users["department"])
    closed = demand("咨询人才公寓申请条件")
    for name, actor, params in (
        ("accept", admin, {}),
        ("assign", admin, {"department": econ}),
        ("take", z.users["department"], {}),
        ("reply", z.users["department"], {"note": "已协调解决"}),
        ("rate", z.users["enterprise"], {"rating": 5}),
    ):
        closed = demands.transition(closed, name, actor=actor, **params)
    o["demand_closed"] = closed
    o["demand_rejected"] = demands.transition(
        demand("要求减免全部税费"), "reject", actor=admin, note="不属于管委会职责"
    )
    assert [o[k].state for k in ("demand_new", "demand_routed", "demand_closed", "demand_rejected")] == [
        "submitted",
        "in_progress",
        "closed",
        "rejected",
    ]

    o["visit"] = log_visit(
        actor=admin,
        enterprise=base.above1,
        visited_on=dt.date(2023, 5, 10),
        kind=VisitKind.OFFICER,
        policies="稳岗补贴政策宣讲",
        notes="走访内部备注：仅工作人员可见",
    )

    # A zone-wide campaign, launched (targets: the four enterprises), and a draft one.
    data = {
        "title": "2022年复工复产排查",
        "kind": "resumption",
        "description": "",
        "opens_on": dt.date(2022, 4, 6),
        "closes_on": dt.date(2022, 5, 31),
        "scope_kind": "zone",
        "form": RESUMPTION_FORM,
    }
    launched = campaigns.create_campaign(admin, data)
    campaigns.launch_campaign(launched, admin)
    launched.refresh_from_db()
    o["campaign"] = launched
    o["target"] = launched.targets.get(enterprise=base.above1)
    campaigns.answer(o["target"], admin, {"status": "正常生产"})
    o["campaign_draft"] = campaigns.create_campaign(admin, data | {"title": "2023年安全生产排查"})

    # An investment project of above1, signed, with an arrival.
    project = investment.create_project(
        {
            "code": "P1",
            "name": "矩阵招商项目甲",
            "investor": "某投资方",
            "kind": "new",
            "enterprise": base.above1,
        },
        staff,
        stage="lead",
    )
    investment.move_stage(project, "negotiating", staff, values={"owner": staff})
    project = investment.move_stage(
        project,
        "signed",
        staff,
        values={"contract_on": dt.date(2022, 3, 1), "total_investment": Decimal("200000000")},
    )
    investment.add_arrival(
        project, {"on": dt.date(2022, 5, 1), "kind": "domestic", "amount": Decimal(5)}, staff
    )
    o["project"] = project

    notify(
        [
            NotificationSpec(
                recipient_id=z.users["grid_officer"].pk,
                kind="test",
                key="matrix",
                title="矩阵通知：仅网格员可见",
                url="/",
            )
        ]
    )
    o["notification"] = Notification.objects.get(key="matrix")

    # Import batches, one per importer, each uploaded by whoever may import there; the statistics one is
    # committed so that the economy pages have figures to show.
    admin_client = Client()
    admin_client.force_login(admin)
    template = admin_client.get(reverse("enterprises:import_template")).content
    o["enterprise_batch"] = _upload(admin_client, "enterprises:import", template)
    demand_template = admin_client.get(reverse("demands:import_template")).content
    o["demand_batch"] = _upload(admin_client, "demands:import", demand_template)
    o["scale_roll_batch"] = _upload(
        admin_client,
        "enterprises:scale_roll:import",
        _workbook(
            [["统一社会信用代码", "企业名称", "入库/退库"], [base.above1.uscc, base.above1.name, "入库"]]
        ),
    )
    staff_client = Client()
    staff_client.force_login(staff)
    o["project_batch"] = _upload(staff_client, "investment:import", _workbook([["项目编号", "项目名称"]]))
    stats = messy_workbook(  # December 2022: above1 is 规上 in 2022, so the rollups count it
        [
            {
                "uscc": base.above1.uscc,
                "name": base.above1.name,
                ("工业总产值", "本月"): 3,
                ("工业总产值", "1-12月累计"): 30,
            }
        ],
        title="2022年12月规上工业企业主要指标",
        subs=("本月", "1-12月累计", "同比±%"),
    )
    o["stats_batch"] = _upload(admin_client, "stats:import", stats)
    # The commit refreshes the economy rollups once the transaction commits (together with the registry edits
    # made above, in the same transaction); build_matrix_zone runs those callbacks at the end, as a commit would.
    committed = admin_client.post(reverse("stats:import_preview", kwargs={"batch_id": o["stats_batch"]}))
    assert committed.status_code == 302, committed.content[:500]
    saved = admin_client.post(
        reverse("stats:templates"),
        {"name": "局版", "unit_scale": "10000", "mapping_text": "A01指标|当期 = output_month\n"},
    )
    assert saved.status_code == 302, saved.content[:500]
    o["stats_template"] = StatsTemplate.objects.get(name="局版")

    # The 2022 per-mu evaluation of the four enterprises, published (their contact sees its own result), with a
    # policy row, and an input import previewed.
    for key, values in EVALUATION_INPUTS.items():
        ent = getattr(base, key)
        ent.industry_code = "C3421"
        ent.save()
        EvaluationInput.objects.create(
            enterprise=ent, year=2022, population="above" if key.startswith("above") else "below",
            industry="C3421", founded_year=2010, **{k: Decimal(v) for k, v in values.items()},
        )  # fmt: skip
    o["evaluation_method"] = evaluation.save_method(SHIPPED["pinghu-2022"], admin)
    o["evaluation_run"] = evaluation.publish(evaluation.run(2022, admin), admin, days=5)
    o["evaluation_year"] = 2022
    evaluation.set_policy(2022, "D", "electricity", "加价0.1元/千瓦时", admin)
    evaluation_template = admin_client.get(reverse("evaluation:import_template")).content
    o["evaluation_batch"] = _upload(admin_client, "evaluation:import", evaluation_template, year=2022)

    # issue 13 — jobs: a failed job of the grid officer (its error: a secret of the owner and the zone
    # administrators), and the grid officer's enterprise export run as a job, its file kept for download.
    from jingkai.core import export_jobs, jobs
    from tests.core.jobs import tasks as job_tasks

    officer = z.users["grid_officer"]
    failed = jobs.enqueue(
        job_tasks.refuse, user=officer, args={"message": "矩阵任务失败：仅本人与管理员可见"}
    )
    jobs.run(failed.pk)
    o["job"] = failed
    export = jobs.enqueue(
        export_jobs.export_job,
        user=officer,
        args={"view": "enterprises:export", "path": reverse("enterprises:export"), "query": ""},
    )
    jobs.run(export.pk)
    export.refresh_from_db()
    assert export.file, export.error
    o["export_job"] = export

    z.secrets = {text: frozenset(audience) for text, audience in SECRETS.items()}
    for key in ENTERPRISES:
        z.secrets[o[key].name] = z.secrets[o[key].uscc] = _sees(key)
    assert all(text in SECRETS for text in (o["demand_new"].description, o["visit"].notes, o["project"].name))

    for persona, user in z.users.items():
        client = Client()
        client.force_login(user)
        z.sessions[persona] = client.session.session_key
        z.tokens[persona] = ApiToken.issue(user)[1]
    return z
