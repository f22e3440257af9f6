"""The expected-status table: every URL pattern × every persona, as the app answers today.

Adding a URL pattern, an API operation or an admin area fails tests/matrix/test_matrix.py until its row is here.
A row: `Page(url_name, **url_kwargs, GET=..., POST=...)`, `Api(openapi_path, **path_kwargs, GET=..., POST=...,
body={...})` or `Admin("app_label.model", GET=...)`; ids come from the matrix zone (`Z.<name>`, tests/matrix/
zone.py), statuses from the vocabulary (tests/matrix/vocabulary.py). Each request's answer is also searched for
the names and credit codes of the enterprises the persona may not see (tests/matrix/zone.py: SEES).

Pages POST an empty form; API writes send `body` (a minimal valid one, so that the permission check is reached).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix.vocabulary import (
    ABOVE1,
    ADMIN,
    ADMIN_LOGIN,
    ADMIN_ONLY,
    AREA_STAFF,
    CONTACT,
    DEPARTMENTS,
    ECONOMY,
    GRID1,
    INVESTMENT,
    NOT_ALLOWED,
    OF_GRID1,
    SEES_ABOVE1,
    SIGNED_IN,
    SIGNED_IN_200,
    STAFF,
    SYSTEM,
    ZONE_SIGNED_IN,
    Admin,
    Api,
    Page,
    Z,
    allow,
    same,
    scoped,
)
from tests.stats.helpers import messy_workbook

# Groups of this table's own rows.
# core.separation.LANDING; the system administrator's home is the home page (the last good backup, §6).
SYSTEM_HOME = {"system_admin": 200, "security_admin": 302, "audit_admin": 302}
SYSTEM_ADMIN = frozenset({"system_admin"})
SECURITY_ADMIN = frozenset({"security_admin"})
AUDIT_ADMIN = frozenset({"audit_admin"})
CAMPAIGN_SEES = ADMIN | AREA_STAFF | CONTACT  # a zone-wide campaign: whoever has a target in their area
SEES_DEMAND = GRID1 | CONTACT  # a demand of above1 not routed to a department
LEDGER = ADMIN | AREA_STAFF | INVESTMENT  # investment.views.may_use: the project ledger's pages
LEDGER_STAFF = ADMIN | INVESTMENT  # who change the ledger (investment.services.can_edit)
SEES_PROJECT = GRID1 | INVESTMENT  # the project of above1
NO_LEDGER = {"department": 403, "enterprise": 403}  # refused the ledger before any row is fetched
ZONE_AGGREGATES = ADMIN | DEPARTMENTS  # analytics.engine.sees_zone_aggregates
# Area staff who may write there but name, in the body, an enterprise they do not see (above1): the same 422 as for
# a code no enterprise has (test_an_unseen_reference_reads_like_an_unknown_one), so nothing hints that it exists.
UNSEEN_REFERENCE = {"community_officer": 422, "outsider": 422}
# The per-mu evaluation (evaluation.permissions): everyone but department handlers (招商 staff among them) see it;
# its zone-wide pages are for staff; the 2022 run is published, so above1's contact reads its own result.
EVALUATION = ZONE_SIGNED_IN - DEPARTMENTS
EVALUATION_STAFF = EVALUATION - CONTACT
EVALUATION_YEAR = 2022
OWN_JOB = frozenset(
    {"grid_officer", "zone_admin"}
)  # the grid officer's jobs: the owner and the zone administrator
NOT_THEIRS = dict.fromkeys(
    SYSTEM, 404
)  # the 三员 reach the kernel's job pages, where another's job is not found


def _stats_workbook(zone):
    above1 = zone.objects["above1"]
    content = messy_workbook(
        [
            {
                "uscc": above1.uscc,
                "name": above1.name,
                ("工业总产值", "本月"): 4,
                ("工业总产值", "1-6月累计"): 4,
            }
        ],
        title="2023年2月规上工业企业主要指标",
    )
    return {"file": SimpleUploadedFile("月报.xlsx", content)}


# issue 12 — identity: the security administrator manages sign-in (a persona once the 三员 join the matrix).

ROWS = [
    # --- core ------------------------------------------------------------------------------------------------
    # A contact has their own to-do home; the three 三员 are sent to their own page (SYSTEM_HOME).
    Page("home", GET=allow(STAFF, enterprise=200, **SYSTEM_HOME)),
    # Signed in: sent home. The kernel's own pages answer the 三员 personas as anyone.
    Page("login", GET=allow(SIGNED_IN, 302, anonymous=200), POST=allow(SIGNED_IN, 302, anonymous=200)),
    Page("logout", GET=allow(SIGNED_IN, 405, anonymous=405), POST=allow(SIGNED_IN, 302, anonymous=302)),
    Page("healthz", GET=allow(SIGNED_IN, anonymous=200)),
    # issue 12 — identity: the password change and the second factor are every signed-in user's own pages, the
    # 三员 included (an empty POST is the form again); the sign-in security page is the security administrator's.
    Page("accounts:password_change", GET=allow(SIGNED_IN), POST=allow(SIGNED_IN)),
    # No device (the matrix users have none, the second factor is off): verification sends to enrolment.
    Page("accounts:otp_verify", GET=allow(SIGNED_IN, 302), POST=allow(SIGNED_IN, 302)),
    Page("accounts:otp_enrol", GET=allow(SIGNED_IN), POST=allow(SIGNED_IN)),
    Page("accounts:sign_in_admin", GET=allow(SECURITY_ADMIN)),
    Page("accounts:unlock", GET=allow(SIGNED_IN, 405, anonymous=405), POST=allow(SECURITY_ADMIN, 302)),
    Page(
        "accounts:otp_reset",
        user_id=999_999,
        GET=allow(SIGNED_IN, 405, anonymous=405),
        POST=allow(SECURITY_ADMIN, 404),
    ),
    # --- enterprises -----------------------------------------------------------------------------------------
    Page("enterprises:list", GET=SIGNED_IN_200),
    Page("enterprises:create", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("enterprises:export", GET=SIGNED_IN_200),
    Page("enterprises:import", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("enterprises:import_template", GET=ADMIN_ONLY),
    Page("enterprises:import_preview", batch_id=Z.enterprise_batch, GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("enterprises:scale_roll", GET=ADMIN_ONLY),
    Page("enterprises:scale_roll:import", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    # Committing the roll goes on to the roll page (its years on record).
    Page(
        "enterprises:scale_roll:import_preview",
        batch_id=Z.scale_roll_batch,
        GET=ADMIN_ONLY,
        POST=allow(ADMIN, 302),
    ),
    Page("enterprises:detail", pk=Z.above1, GET=ABOVE1),
    Page("enterprises:history", pk=Z.above1, GET=ABOVE1),
    Page("enterprises:edit", pk=Z.above1, GET=scoped(GRID1, SEES_ABOVE1), POST=scoped(GRID1, SEES_ABOVE1)),
    # --- grids and chains ------------------------------------------------------------------------------------
    Page("grids:list", GET=SIGNED_IN_200),
    Page("grids:coverage", GET=allow(ADMIN | AREA_STAFF)),
    Page("grids:community_list", GET=SIGNED_IN_200),
    Page(
        "grids:community_detail",
        code=Z.community1.code,
        GET=allow({"zone_admin", "community_officer"}, others=404),
    ),
    Page("grids:detail", code=Z.grid1.code, GET=OF_GRID1),
    Page("chains:list", GET=SIGNED_IN_200),
    Page("chains:detail", code=Z.chain.code, GET=SIGNED_IN_200),  # above1's chain: its contact sees it too
    Page("chains:detail", code=Z.chain_other.code, variant="other", GET=allow(STAFF, others=404)),
    # --- notifications (one, to the grid officer) ------------------------------------------------------------
    Page("notifications:list", GET=SIGNED_IN_200),
    Page("notifications:badge", GET=SIGNED_IN_200),
    Page("notifications:read_all", GET=NOT_ALLOWED, POST=same(302)),
    Page(
        "notifications:read",
        pk=Z.notification,
        GET=NOT_ALLOWED,
        POST=allow({"grid_officer"}, 302, others=404),
    ),
    # --- demands ---------------------------------------------------------------------------------------------
    Page("demands:list", GET=SIGNED_IN_200),
    Page("demands:create", GET=allow(ZONE_SIGNED_IN - DEPARTMENTS), POST=allow(ZONE_SIGNED_IN - DEPARTMENTS)),
    Page("demands:similar", query={"description": "研发费用加计扣除"}, GET=SIGNED_IN_200),
    Page("demands:dashboard", GET=allow(STAFF, enterprise=404)),
    Page("demands:export", GET=SIGNED_IN_200),
    Page("demands:import", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("demands:import_template", GET=ADMIN_ONLY),
    Page("demands:import_preview", batch_id=Z.demand_batch, GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("demands:detail", pk=Z.demand_new, GET=allow(SEES_DEMAND, others=404)),
    Page(
        "demands:detail",
        pk=Z.demand_routed,
        variant="routed",
        GET=allow(SEES_DEMAND | {"department"}, others=404),
    ),
    Page(
        "demands:detail",
        pk=Z.demand_closed,
        variant="closed",
        GET=allow(SEES_DEMAND | {"department"}, others=404),
    ),
    Page("demands:detail", pk=Z.demand_rejected, variant="rejected", GET=allow(SEES_DEMAND, others=404)),
    Page("demands:transition", pk=Z.demand_new, GET=NOT_ALLOWED, POST=allow(SEES_DEMAND, 302, others=404)),
    Page(
        "demands:transition",
        pk=Z.demand_routed,
        variant="routed",
        POST=allow(SEES_DEMAND | {"department"}, 302, others=404),
    ),
    Page(
        "demands:attachment", pk=Z.demand_new, attachment_id=Z.attachment, GET=allow(SEES_DEMAND, others=404)
    ),
    # --- visits (one, to above1) -----------------------------------------------------------------------------
    Page("visits:list", GET=SIGNED_IN_200),
    Page("visits:export", GET=SIGNED_IN_200),
    Page("visits:create", GET=allow(ADMIN | AREA_STAFF), POST=allow(ADMIN | AREA_STAFF)),
    Page("visits:not_visited", GET=allow(ADMIN | AREA_STAFF)),
    Page("visits:not_visited_export", GET=allow(ADMIN | AREA_STAFF)),
    Page("visits:dashboard", code=Z.grid1.code, GET=OF_GRID1),
    Page("visits:dashboard_export", code=Z.grid1.code, GET=OF_GRID1),
    Page("visits:detail", pk=Z.visit, GET=allow(GRID1 | CONTACT, others=404)),
    # --- campaigns (one launched zone-wide, answered for above1; one draft) ----------------------------------
    Page("campaigns:list", GET=SIGNED_IN_200),
    Page("campaigns:create", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("campaigns:detail", pk=Z.campaign, GET=allow(CAMPAIGN_SEES, others=404)),
    Page("campaigns:detail", pk=Z.campaign_draft, variant="draft", GET=allow(ADMIN, others=404)),
    Page("campaigns:launch", pk=Z.campaign_draft, GET=NOT_ALLOWED, POST=allow(ADMIN, 302, others=404)),
    Page("campaigns:close", pk=Z.campaign, GET=NOT_ALLOWED, POST=scoped(ADMIN, CAMPAIGN_SEES, 302)),
    Page("campaigns:results", pk=Z.campaign, GET=allow(CAMPAIGN_SEES, others=404)),
    Page("campaigns:results_export", pk=Z.campaign, GET=allow(CAMPAIGN_SEES, others=404)),
    Page(
        "campaigns:answer",
        pk=Z.campaign,
        enterprise_id=Z.above1,
        GET=allow(GRID1 | CONTACT, others=404),
        POST=allow(GRID1 | CONTACT, others=404),
    ),
    Page(
        "campaigns:guide",
        pk=Z.campaign,
        target_id=Z.target,
        GET=scoped({"zone_admin", "grid_leader"}, GRID1 | CONTACT),
        POST=scoped({"zone_admin", "grid_leader"}, GRID1 | CONTACT, 302),
    ),
    # --- investment (a signed project of above1 with an arrival; a batch uploaded by 招商 staff) --------------
    Page("investment:list", GET=allow(LEDGER)),
    Page("investment:export", GET=allow(LEDGER)),
    Page("investment:figures", GET=allow(LEDGER)),
    Page("investment:monthly_report", GET=allow(LEDGER)),
    Page("investment:import", GET=allow(LEDGER_STAFF), POST=allow(LEDGER_STAFF)),
    # Only the uploader sees a batch: the zone administrator may import too, but this batch is not theirs.
    Page(
        "investment:import_preview",
        batch_id=Z.project_batch,
        GET=allow(INVESTMENT, zone_admin=404),
        POST=allow(INVESTMENT, zone_admin=404),
    ),
    Page("investment:enterprise_panel", pk=Z.above1, GET=ABOVE1),
    Page("investment:detail", pk=Z.project, GET=allow(SEES_PROJECT, others=404, **NO_LEDGER)),
    Page(
        "investment:stage",
        pk=Z.project,
        query={"to": "approved"},
        GET=scoped(LEDGER_STAFF, SEES_PROJECT, **NO_LEDGER),
        POST=scoped(LEDGER_STAFF, SEES_PROJECT, 400, **NO_LEDGER),  # no stage posted: 400 "Unknown stage."
    ),
    *[
        Page(name, pk=Z.project, GET=NOT_ALLOWED, POST=scoped(LEDGER_STAFF, SEES_PROJECT, 302, **NO_LEDGER))
        for name in (
            "investment:add_arrival",
            "investment:add_follow_up",
            "investment:status",
            "investment:milestone",
        )
    ],
    # --- statistics (a committed batch; a template) ----------------------------------------------------------
    Page("stats:import", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("stats:scale_roll", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("stats:import_preview", batch_id=Z.stats_batch, GET=ADMIN_ONLY, POST=allow(ADMIN, 409)),  # committed
    Page("stats:templates", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("stats:template_edit", pk=Z.stats_template, GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    # --- per-mu evaluation (a published 2022 run; a previewed input import) -----------------------------------
    Page("evaluation:index", GET=allow(EVALUATION)),
    Page(
        "evaluation:new_year", GET=NOT_ALLOWED, POST=allow(ADMIN, 302)
    ),  # the form's answer: back to the page
    Page("evaluation:action", year=EVALUATION_YEAR, GET=NOT_ALLOWED, POST=allow(ADMIN, 302)),
    *[
        Page(f"evaluation:{name}", year=EVALUATION_YEAR, GET=allow(EVALUATION_STAFF))
        for name in ("run", "results", "results_export", "migration", "leaders")
    ],
    Page(
        "evaluation:enterprise",
        year=EVALUATION_YEAR,
        pk=Z.above1,
        GET=allow(GRID1 | CONTACT, others=404, department=403, investment=403),
        POST=allow(GRID1 | CONTACT, others=404, department=403, investment=403),
    ),
    # An empty correction form is refused with a message, back to the explanation page.
    Page(
        "evaluation:correct",
        year=EVALUATION_YEAR,
        pk=Z.above1,
        GET=NOT_ALLOWED,
        POST=scoped(ADMIN, SEES_ABOVE1, 302),
    ),
    Page("evaluation:policies", year=EVALUATION_YEAR, GET=allow(EVALUATION), POST=ADMIN_ONLY),
    Page("evaluation:method", pk=Z.evaluation_method, GET=allow(EVALUATION_STAFF), POST=ADMIN_ONLY),
    Page("evaluation:import", GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    Page("evaluation:import_template", GET=ADMIN_ONLY),
    Page("evaluation:import_preview", batch_id=Z.evaluation_batch, GET=ADMIN_ONLY, POST=ADMIN_ONLY),
    # --- economy (analytics) ---------------------------------------------------------------------------------
    Page("analytics:overview", GET=allow(ECONOMY, others=404)),
    *[
        Page("analytics:breakdown", by=by, variant="" if by == "grid" else by, GET=allow(ECONOMY, others=404))
        for by in ("grid", "chain", "origin", "park", "group")
    ],
    Page("analytics:grid", pk=Z.grid1, GET=OF_GRID1),
    Page("analytics:enterprise_panel", pk=Z.above1, GET=ABOVE1),
    Page("analytics:export", kind="grid", GET=allow(ECONOMY, others=404)),
    *[
        Page("analytics:export", kind=kind, variant=kind, GET=allow(ECONOMY, others=404))
        for kind in ("chain", "origin", "park", "group", "trend", "top")
    ],
    Page("analytics:export", kind="targets", variant="targets", GET=allow(ZONE_AGGREGATES, others=404)),
    # --- the API's own pages ---------------------------------------------------------------------------------
    # issue 12 — headers: the schema and its docs only for signed-in callers (the schema: 401 as the API answers)
    Page("api:openapi-json", GET=allow(ZONE_SIGNED_IN, anonymous=401)),  # the 三员 use no API: 403
    Page("api:openapi-view", GET=SIGNED_IN_200),
    Page("api:api-root", GET=same(404, anonymous=404)),
    # --- API: enterprises and grids --------------------------------------------------------------------------
    Api(
        "/api/enterprises",
        GET=SIGNED_IN_200,
        POST=allow(ADMIN, 201),
        body={"uscc": Z.new_uscc, "name": "矩阵测试企业有限公司"},
    ),
    Api(
        "/api/enterprises/{ident}",
        ident=Z.above1,
        GET=ABOVE1,
        PATCH=scoped(GRID1, SEES_ABOVE1),
        body={"employees": 120},
    ),
    Api("/api/enterprises/{ident}/stats", ident=Z.above1, GET=ABOVE1),
    Api("/api/grids", GET=SIGNED_IN_200),
    Api("/api/grids/{code}/enterprises", code=Z.grid1.code, GET=OF_GRID1),
    # --- API: notifications ----------------------------------------------------------------------------------
    Api("/api/notifications", GET=SIGNED_IN_200),
    Api(
        "/api/notifications/{notification_id}/read",
        notification_id=Z.notification,
        POST=allow({"grid_officer"}, others=404),
    ),
    # --- API: demands ----------------------------------------------------------------------------------------
    Api(
        "/api/demands",
        GET=SIGNED_IN_200,
        POST=scoped(SEES_DEMAND, SEES_ABOVE1, 201),
        body={
            "enterprise": Z.above1,
            "category": "policy-consult",
            "description": "希望了解人才公寓申请条件",
        },
    ),
    Api("/api/demands/similar", query={"text": "研发费用加计扣除"}, GET=SIGNED_IN_200),
    Api("/api/demands/{demand_id}", demand_id=Z.demand_new, GET=allow(SEES_DEMAND, others=404)),
    Api(
        "/api/demands/{demand_id}",
        demand_id=Z.demand_routed,
        variant="routed",
        GET=allow(SEES_DEMAND | {"department"}, others=404),
    ),
    Api(
        "/api/demands/{demand_id}/transitions",
        demand_id=Z.demand_new,
        POST=scoped(ADMIN, SEES_DEMAND),
        body={"transition": "accept"},
    ),
    # --- API: visits -----------------------------------------------------------------------------------------
    Api(
        "/api/visits",
        GET=SIGNED_IN_200,
        POST=scoped(GRID1, SEES_ABOVE1, 201, **UNSEEN_REFERENCE),
        body={"enterprise": Z.above1.uscc, "visited_on": "2023-06-01", "kind": "officer"},
    ),
    Api("/api/visits/{visit_id}", visit_id=Z.visit, GET=allow(GRID1 | CONTACT, others=404)),
    # --- API: campaigns --------------------------------------------------------------------------------------
    Api("/api/campaigns", GET=SIGNED_IN_200),
    Api("/api/campaigns/{campaign_id}", campaign_id=Z.campaign, GET=allow(CAMPAIGN_SEES, others=404)),
    Api("/api/campaigns/{campaign_id}/results", campaign_id=Z.campaign, GET=allow(CAMPAIGN_SEES, others=404)),
    Api(
        "/api/campaigns/{campaign_id}/responses",
        campaign_id=Z.campaign,
        GET=allow(CAMPAIGN_SEES, others=404),
        POST=allow(GRID1 | CONTACT, 201, others=404, **UNSEEN_REFERENCE),
        body={"enterprise": Z.above1.uscc, "answers": {"status": "停产"}},
    ),
    # --- API: investment -------------------------------------------------------------------------------------
    Api(
        "/api/projects",
        GET=SIGNED_IN_200,
        POST=allow(LEDGER_STAFF, 201),
        body={"code": "M1", "name": "矩阵项目", "investor": "某投资方", "kind": "new"},
    ),
    Api("/api/projects/{project_id}", project_id=Z.project, GET=allow(SEES_PROJECT, others=404)),
    Api(
        "/api/projects/{project_id}/stage",
        project_id=Z.project,
        POST=scoped(LEDGER_STAFF, SEES_PROJECT, 422),  # approval needs its fields: the service's 422
        body={"stage": "approved"},
    ),
    Api(
        "/api/projects/{project_id}/arrivals",
        project_id=Z.project,
        GET=allow(SEES_PROJECT, others=404),
        POST=scoped(LEDGER_STAFF, SEES_PROJECT, 201),
        body={"on": "2022-06-01", "kind": "domestic", "amount": "1"},
    ),
    Api("/api/arrivals", GET=SIGNED_IN_200),
    Api("/api/investment/summary", GET=SIGNED_IN_200),
    # --- API: per-mu evaluation ------------------------------------------------------------------------------
    Api("/api/evaluations", GET=SIGNED_IN_200),  # a department's list is empty
    Api("/api/evaluations/{year}/results", year=EVALUATION_YEAR, GET=allow(EVALUATION, others=404)),
    Api("/api/evaluations/{year}/run", year=EVALUATION_YEAR, POST=ADMIN_ONLY),
    Api("/api/enterprises/{ident}/evaluation", ident=Z.above1, GET=allow(GRID1 | CONTACT, others=404)),
    # --- API: statistics and economy -------------------------------------------------------------------------
    Api("/api/stats/imports", POST=allow(ADMIN, 201), body=_stats_workbook),
    Api("/api/stats/imports/{batch_id}", batch_id=Z.stats_batch, GET=ADMIN_ONLY),
    Api("/api/stats/imports/{batch_id}/commit", batch_id=Z.stats_batch, POST=allow(ADMIN, 409)),  # committed
    Api("/api/stats/summary", GET=allow(ECONOMY, others=404)),
    Api("/api/stats/targets", query={"year": 2023}, GET=allow(ZONE_AGGREGATES, others=404)),
    # --- the admin site: its index and one area per registered model (the changelist) ------------------------
    # Everyone but a zone administrator holding is_staff is sent to the admin's login page. The login
    # throttling records (axes) keep Django's own permissions, which a zone administrator does not hold; the
    # notifications are readable by superusers only.
    *[
        Admin(area, GET=allow(ADMIN, others=ADMIN_LOGIN))
        for area in (
            "analytics.target",
            "campaigns.campaign",
            "campaigns.campaignresponse",
            "campaigns.campaigntarget",
            "chains.chain",
            "chains.chainmembership",
            "core.department",
            "core.holidayoverride",
            "core.importbatch",
            "demands.demand",
            "demands.demandcategory",
            "demands.demandpolicy",
            "enterprises.annualscale",
            "enterprises.capitalchange",
            "enterprises.contact",
            "enterprises.enterprise",
            "enterprises.enterprisegroup",
            "enterprises.honour",
            "evaluation.evaluationinput",
            "evaluation.evaluationmethod",
            "evaluation.evaluationrun",
            "evaluation.objection",
            "evaluation.policymeasure",
            "grids.community",
            "grids.communityassignment",
            "grids.grid",
            "grids.gridassignment",
            "investment.exchangerate",
            "investment.project",
            "investment.remindersettings",
            "investment.target",
            "parks.building",
            "parks.park",
            "visits.visit",
            "visits.visitcadence",
        )
    ],
    *[
        Admin(area, GET=allow(set(), others=ADMIN_LOGIN, zone_admin=403))
        for area in (
            "axes.accessattempt",
            "axes.accessfailurelog",
            "axes.accesslog",
            "notifications.notification",
        )
    ],
    # issue 12 — headers: browsers' CSP violation reports (anonymous; an empty form is not a report)
    Page(
        "csp_report",
        GET=same(405, anonymous=405, **dict.fromkeys(SYSTEM, 405)),
        POST=same(400, anonymous=400, **dict.fromkeys(SYSTEM, 400)),
    ),
    # issue 12 — audit: 三员分立. The admin site's index shows each administrator its own areas; the user pages
    # are the system administrator's alone (the zone administrator: 403); the audit log and the roles page are
    # the audit and the security administrator's.
    Admin("index", GET=allow(ADMIN | SYSTEM_ADMIN, others=ADMIN_LOGIN)),
    *[
        Admin(area, GET=allow(SYSTEM_ADMIN, others=ADMIN_LOGIN, zone_admin=403))
        for area in ("core.user", "core.apitoken")
    ],
    Page("audit:log", GET=allow(AUDIT_ADMIN)),
    Page("audit:export", GET=allow(AUDIT_ADMIN)),
    Page("audit:export_csv", GET=allow(AUDIT_ADMIN)),
    Page("security:roles", GET=allow(SECURITY_ADMIN)),
    # POST of an empty form: the form is shown again with its error (200), nothing changes.
    Page("security:role", pk=Z.system_user, GET=allow(SECURITY_ADMIN), POST=allow(SECURITY_ADMIN)),
    # issue 12 — personal: the reveal of one personal-data value (a reason, audited), page and API
    Page(
        "personal_reveal",
        label="enterprises.contact",
        pk=Z.contact,
        field="phone",
        # a kernel page, so the 三员 reach it: 405 to a GET, and a contact they do not see is not found
        GET=same(405, **dict.fromkeys(SYSTEM, 405)),
        POST=scoped(GRID1, SEES_ABOVE1, 400, **dict.fromkeys(SYSTEM, 404)),  # an empty form: no reason, 400
    ),
    Api(
        "/api/personal/reveal",
        POST=scoped(GRID1, SEES_ABOVE1),
        body={
            "object": "enterprises.contact",
            "id": Z.contact,
            "field": "phone",
            "reason": "回访核实联系方式",
        },
    ),
    # issue 12 — personal: anonymising a departed contact is the security administrator's alone
    # (tests/security/test_personal_anonymise.py); everyone else is refused before any row is read.
    # POST of an empty form: 400 with the form's error, nothing changes.
    Page("enterprises:anonymise_search", GET=allow(SECURITY_ADMIN)),
    Page(
        "enterprises:anonymise",
        pk=Z.contact_above2,
        GET=allow(SECURITY_ADMIN),
        POST=allow(SECURITY_ADMIN, 400),
    ),
    # issue 13 — jobs: everyone's own jobs (zone administrators: everyone's), the 三员 included (kernel pages);
    # another user's job is not found; retrying and downloading are the owner's alone (the zone administrator,
    # who sees the job, is refused). Retry POSTs re-queue the grid officer's failed job (302 to its page).
    Page("jobs:list", GET=allow(SIGNED_IN)),
    *[
        Page(name, pk=Z.job, GET=allow(OWN_JOB, others=404, **NOT_THEIRS))
        for name in ("jobs:detail", "jobs:progress")
    ],
    Page(
        "jobs:retry",
        pk=Z.job,
        GET=same(405, **dict.fromkeys(SYSTEM, 405)),
        POST=scoped({"grid_officer"}, OWN_JOB, 302, **NOT_THEIRS),
    ),
    Page("jobs:download", pk=Z.export_job, GET=scoped({"grid_officer"}, OWN_JOB, **NOT_THEIRS)),
    Api("/api/jobs", GET=allow(ZONE_SIGNED_IN)),  # the API refuses the 三员's tokens (jingkai.api.auth)
    Api("/api/jobs/{job_id}", job_id=Z.job, GET=allow(OWN_JOB, others=404)),
    # django-tasks-db's admin of the task queue (ids only; the Job rows are what users see)
    Admin("django_tasks_database.dbtaskresult", GET=allow(set(), others=ADMIN_LOGIN, zone_admin=403)),
]
