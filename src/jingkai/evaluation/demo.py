"""The demo's 亩均效益 evaluation (issue 14 §7), loaded by jingkai demo after the statistics and the demands.

For every industrial demo enterprise (an AnnualScale row for 2022 or 2023), each year:

1. **Assembled** (``services.assemble_inputs``, as a zone admin would): revenue, R&D, output, 税金总额, energy and
   average employees from the December statistics, own land from the registry, flags from the honours;
2. **Imported** (written as the annual import would, source ``import:demo``), figures drawn plausibly from the
   enterprise's own statistics: 实缴税金 a share of the 税金总额 (a few 2022 refunds above the tax paid:
   留抵退税), 工业增加值 20–30% of output, electricity from the energy use (about 55–85% of it electric,
   3 吨标准煤 per 万千瓦时 at the equivalent value), main pollutant emission equivalents for the 规上 (a few
   without: the method's average score applies); land: every 规上 enterprise has land (the registry's where it
   has one, else plausible from its output), a 规下 one without a registry figure gets one from its output, some
   under 3 亩 (out of scope); some lease land out, some lease in (those whose output could not come from their
   own plot lease standard factory space), drawn once for all the years; flags: a couple under construction, a few
   safety accidents and environmental penalties;
3. the shipped method ``pinghu-2022`` saved for 2022 and copied for 2023 (``services.copy_method``, renamed for
   the year);
4. 2022 run, published on 2023-03-01 for five working days of objections; 津上's contact objects (the plant leased
   to 中津精密机床 counted as its own), the objection goes round the demand loop (accepted, assigned to 经济发展局,
   taken up, replied, rated), the input is corrected and the run re-run (revision 2), then finalised; the 2022
   differentiated-policy table filled in (demo values);
5. 2023 run as a draft.

津上精密机床 (SEED-FACTS: 省亩均效益领跑者) gets the figures of a leader (about 90% of its taxes paid in cash,
value added about 35% of output as a high-end machine-tool maker's is, few emissions, its own plot only); its class and rank are whatever the engine computes from them (the demo test checks
it comes out A and first of its chain). Deterministic for a seed; set-based writes, a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.models import Department, Role, User
from jingkai.demands.services import transition
from jingkai.enterprises.models import Contact, Enterprise
from jingkai.evaluation import services
from jingkai.evaluation.methods import SHIPPED
from jingkai.evaluation.models import EvaluationInput, EvaluationRun, Objection, Population
from jingkai.notifications.models import Notification

YEARS = (2022, 2023)
SOURCE = "import:demo"
METHOD_CODE = "pinghu-2022"
LEADER_NAME = "津上精密机床（浙江）有限公司"  # SEED-FACTS: 省亩均效益领跑者
OBJECTION_DEPARTMENT = "econ"  # 经济发展局 handles the per-mu evaluation's objections
# The 2022 evaluation's calendar: run in February 2023, published on 1 March for five working days, final after.
RAN_2022 = dt.datetime(2023, 2, 24, 15, 0)
PUBLISHED_ON = dt.date(2023, 3, 1)
OBJECTION_DAYS = 5
OBJECTION_STEPS = [  # (day, hour): filed, accepted, assigned, taken up, replied, rated
    (dt.date(2023, 3, 3), 10),
    (dt.date(2023, 3, 3), 14),
    (dt.date(2023, 3, 3), 15),
    (dt.date(2023, 3, 6), 9),
    (dt.date(2023, 3, 9), 16),
    (dt.date(2023, 3, 10), 10),
]
RERUN_2022 = dt.datetime(2023, 3, 9, 15, 0)
FINALISED_2022 = dt.datetime(2023, 3, 15, 10, 0)
RAN_2023 = dt.datetime(2024, 2, 26, 15, 0)
LEASED_TO_ZHONGJIN_MU = Decimal("12.0000")  # 津上's objection: the plant it leases to 中津精密机床
OBJECTION_TEXT = (
    "本企业2022年底已将厂区内约12亩厂房出租给中津精密机床（项目公司）使用，该部分应作为出租用地从用地面积中扣除，"
    "请核实后重新计算亩均指标。"
)
OBJECTION_REPLY = "经核实租赁合同及不动产权证，出租用地12亩属实，已更正用地面积并重新计算，结果已更新。"
CORRECTION_REASON = "异议核实：出租给中津精密机床的厂房12亩计入出租用地"
# The 2022 differentiated-policy table: demo values, modelled on the measures Zhejiang zones publish (each zone
# sets its own amounts; these are not 平湖's).
POLICY_2022 = {
    "A": {
        "electricity": "优先保障用电，有序用电时不限电",
        "water": "执行基本水价",
        "gas": "优先保障供气",
        "emissions": "排污权有偿使用费减半收取，优先配置新增排污权",
        "funding": "优先安排技改及智能化改造补助，另奖励10万元",
    },
    "B": {
        "electricity": "执行基本电价",
        "water": "执行基本水价",
        "gas": "正常保障供气",
        "emissions": "排污权有偿使用费按标准收取",
    },
    "C": {
        "electricity": "加价0.05元/千瓦时",
        "water": "加价0.5元/立方米",
        "gas": "加价0.1元/立方米",
        "emissions": "排污权有偿使用费上浮20%",
    },
    "D": {
        "electricity": "加价0.1元/千瓦时，有序用电时优先限电",
        "water": "加价1元/立方米",
        "gas": "加价0.2元/立方米",
        "emissions": "排污权有偿使用费上浮50%，不予新增排污权",
        "land": "不予新增用地，引导腾退或兼并重组",
    },
}
IMPORTED_FIELDS = [
    "tax",
    "value_added",
    "electricity",
    "emissions",
    "land_own_mu",
    "land_leased_out_mu",
    "land_leased_in_mu",
    "flags",
    "sources",
]
Q4 = Decimal("0.0001")
Q1 = Decimal("0.1")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _d(value: float, places: Decimal = Q4) -> Decimal:
    return Decimal(repr(value)).quantize(places)


def _land(rng: random.Random, years: list[EvaluationInput], leader: bool) -> dict:
    """Own, leased-out and leased-in land (亩) of one enterprise, drawn once for all its years: from its largest
    output, and as a 规上 enterprise's if it is one in any of them."""
    output = max(float(row.output or 0) for row in years)
    above = any(row.population == Population.ABOVE for row in years)
    own = years[0].land_own_mu
    land: dict = {}
    if own is None:  # no registry figure: a plot that fits the output (some 规下 workshops under 3 亩)
        if above:
            mu = max(8.0, output / rng.uniform(400, 1100))  # 工业总产值 400–1,100万元/亩, as Zhejiang zones
        elif rng.random() < 0.22:
            mu = rng.uniform(0.8, 2.9)
        else:
            mu = min(40.0, max(3.0, output / rng.uniform(15, 70))) if output > 0 else rng.uniform(3, 10)
        own = _d(mu, Q1)
        land["land_own_mu"] = own
    if leader:
        return land
    own_mu = float(own)
    if above and output / own_mu > 1200:
        # The output cannot come from the own plot: standard factory space leased in the zone.
        land["land_leased_in_mu"] = _d(output / rng.uniform(500, 1100) - own_mu, Q1)
    elif rng.random() < 0.08:
        land["land_leased_in_mu"] = _d(rng.uniform(2, 12), Q1)
    if own_mu >= 10 and rng.random() < 0.06:
        land["land_leased_out_mu"] = _d(own_mu * rng.uniform(0.1, 0.3), Q1)
    return land


def _figures(rng: random.Random, row: EvaluationInput, leader: bool) -> dict:
    """The annual import's figures of one enterprise and year, from its assembled statistics."""
    output = float(row.output or 0)
    total_tax = float(row.tax or 0)
    energy = float(row.energy_tce or 0)
    above = row.population == Population.ABOVE
    figures: dict = {}
    if leader:  # a 领跑者: nearly all its taxes paid in cash, high value added, clean production
        paid = total_tax * rng.uniform(0.88, 0.92)
        va_share = rng.uniform(0.34, 0.36)
    else:
        paid = total_tax * rng.uniform(0.45, 0.85)
        if row.year == 2022 and rng.random() < 0.02:  # 2022's VAT refunds (留抵退税) above the tax paid
            paid = -total_tax * rng.uniform(0.01, 0.05)
        va_share = rng.uniform(0.20, 0.30)
    figures["tax"] = _d(paid)
    value_added = output * va_share
    figures["value_added"] = _d(value_added)
    figures["electricity"] = _d(energy * rng.uniform(0.55, 0.85) / 3.0)
    if above:
        if leader:
            figures["emissions"] = _d(value_added / rng.uniform(16_000, 20_000))
        elif rng.random() >= 0.05:  # a few report none: the average score applies
            figures["emissions"] = _d(value_added / rng.uniform(1_500, 12_000))
    return figures


def _flags(seed: int, year: int, rows: list[EvaluationInput], leader_id: int | None) -> dict[int, dict]:
    """A couple of 规上 enterprises under construction, a few with safety accidents or environmental penalties."""
    rng = random.Random(f"evaluation-flags-{seed}-{year}")
    above = [
        r.enterprise_id for r in rows if r.population == Population.ABOVE and r.enterprise_id != leader_id
    ]
    others = [r.enterprise_id for r in rows if r.enterprise_id != leader_id]
    flags: dict[int, dict] = {}
    for enterprise_id in rng.sample(above, min(2, len(above))):
        flags.setdefault(enterprise_id, {})["under_construction"] = 1
    for enterprise_id in rng.sample(others, min(3, len(others))):
        flags.setdefault(enterprise_id, {})["safety_accidents"] = 1
    for enterprise_id in rng.sample(others, min(4, len(others))):
        flags.setdefault(enterprise_id, {})["environmental_penalties"] = rng.choice((1, 1, 2))
    return flags


def _update(rows: list[EvaluationInput], names: list[str]) -> None:
    """Write the fields of the rows with one prepared UPDATE (bulk_update's CASE over 1,400 rows took seconds)."""
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    fields = [EvaluationInput._meta.get_field(name) for name in [*names, "updated_at"]]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(EvaluationInput._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    params = [
        [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields] + [row.pk] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def write_inputs(seed: int, admin, years=YEARS) -> int:
    """Assemble the years' inputs and write the annual import's figures over them (see the module)."""
    leader_id = Enterprise.objects.filter(name=LEADER_NAME).values_list("pk", flat=True).first()
    for year in years:
        services.assemble_inputs(year, admin)
    rows = list(EvaluationInput.objects.filter(year__in=years).order_by("enterprise_id", "year"))
    # Random streams keyed by credit code, not id: the same figures on every database (ids differ).
    uscc = dict(Enterprise.objects.filter(pk__in={r.enterprise_id for r in rows}).values_list("pk", "uscc"))
    by_enterprise: dict[int, list[EvaluationInput]] = {}
    for row in rows:
        by_enterprise.setdefault(row.enterprise_id, []).append(row)
    lands = {
        enterprise_id: _land(
            random.Random(f"evaluation-land-{seed}-{uscc[enterprise_id]}"), years, enterprise_id == leader_id
        )
        for enterprise_id, years in by_enterprise.items()
    }
    flags = {year: _flags(seed, year, [r for r in rows if r.year == year], leader_id) for year in years}
    for row in rows:
        rng = random.Random(f"evaluation-figures-{seed}-{uscc[row.enterprise_id]}-{row.year}")
        changes = _figures(rng, row, row.enterprise_id == leader_id) | lands[row.enterprise_id]
        sources = dict(row.sources)
        for field, value in changes.items():
            setattr(row, field, value)
            sources[field] = SOURCE
        extra = flags[row.year].get(row.enterprise_id, {})
        row.flags = row.flags | extra
        sources.update({f"flag_{name}": SOURCE for name in extra})
        row.sources = sources
    _update(rows, IMPORTED_FIELDS)
    EvaluationInput.history.bulk_history_create(
        rows, batch_size=500, update=True, default_user=admin, default_change_reason=_("Annual import (demo)")
    )
    return len(rows)


def _objection(run: EvaluationRun, enterprise: Enterprise, user) -> Objection:
    """The objection 津上's contact filed on 3 March 2023, through the service, on that day of the window."""
    filed = _at(*OBJECTION_STEPS[0])
    objection = services.file_objection(run, enterprise, OBJECTION_TEXT, user, now=filed)
    Objection.objects.filter(pk=objection.pk).update(created_at=filed, updated_at=filed)
    return objection


def _through_the_demand_loop(objection: Objection, admin, contact) -> None:
    department = Department.objects.filter(code=OBJECTION_DEPARTMENT).first()
    handler = (
        User.objects.filter(role=Role.DEPARTMENT, department=department, is_active=True)
        .order_by("pk")
        .first()
    )
    demand = objection.demand
    if department is None or handler is None:
        return
    steps = [
        ("accept", admin, {}),
        ("assign", admin, {"department": department}),
        ("take", handler, {}),
        ("reply", handler, {"note": OBJECTION_REPLY}),
        ("rate", contact, {"rating": 5}),
    ]
    for (name, actor, params), (day, hour) in zip(steps, OBJECTION_STEPS[1:], strict=True):
        demand = transition(demand, name, actor=actor, now=_at(day, hour), **params)
    # The notices of 2023 were read back then.
    closed = _at(*OBJECTION_STEPS[-1])
    Notification.objects.filter(key__startswith=f"demand:{demand.pk}:").update(
        created_at=closed, read_at=closed, emailed_at=closed
    )


@transaction.atomic
def load(seed: int, stdout=None) -> dict:
    started = time.perf_counter()
    admin = User.objects.filter(username="zone_admin").first()
    if admin is None:
        return {}
    inputs = write_inputs(seed, admin)
    method_2022 = services.save_method(SHIPPED[METHOD_CODE], admin)
    method_2023 = services.copy_method(method_2022, 2023, admin)  # named for its year

    run_2022 = services.run(2022, admin, method=method_2022)
    EvaluationRun.objects.filter(pk=run_2022.pk).update(ran_at=timezone.make_aware(RAN_2022))
    run_2022 = services.publish(run_2022, admin, days=OBJECTION_DAYS, today=PUBLISHED_ON)
    EvaluationRun.objects.filter(pk=run_2022.pk).update(published_at=_at(PUBLISHED_ON, 9))
    leader = Enterprise.objects.filter(name=LEADER_NAME).first()
    contact = (
        Contact.objects.filter(enterprise=leader, user__isnull=False).select_related("user").first()
        if leader
        else None
    )
    objections = 0
    if leader is not None and contact is not None:
        run_2022.refresh_from_db()
        objection = _objection(run_2022, leader, contact.user)
        _through_the_demand_loop(objection, admin, contact.user)
        row = EvaluationInput.objects.get(enterprise=leader, year=2022)
        services.correct_input(
            row, {"land_leased_out_mu": LEASED_TO_ZHONGJIN_MU}, admin, reason=CORRECTION_REASON
        )
        run_2022 = services.run(2022, admin)  # published: revision 2, revision 1's results kept
        EvaluationRun.objects.filter(pk=run_2022.pk).update(ran_at=timezone.make_aware(RERUN_2022))
        services.resolve_objection(objection, admin)
        objections = 1
    run_2022 = services.finalise(run_2022, admin)
    EvaluationRun.objects.filter(pk=run_2022.pk).update(finalised_at=timezone.make_aware(FINALISED_2022))
    for grade, items in POLICY_2022.items():
        for item, measure in items.items():
            services.set_policy(2022, grade, item, measure, admin)

    run_2023 = services.run(2023, admin, method=method_2023)
    EvaluationRun.objects.filter(pk=run_2023.pk).update(ran_at=timezone.make_aware(RAN_2023))
    results = run_2022.current_results().count() + run_2023.current_results().count()
    if stdout is not None:
        stdout.write(
            _(
                "Per-mu evaluation: %(inputs)d input rows for 2022–2023, 2022 final (revision %(revision)d, "
                "%(objections)d objection), 2023 a draft, %(results)d results in %(seconds).1f s"
            )
            % {
                "inputs": inputs,
                "revision": run_2022.revision,
                "objections": objections,
                "results": results,
                "seconds": time.perf_counter() - started,
            }
        )
    return {"evaluation_inputs": inputs, "evaluation_results": results, "evaluation_objections": objections}
