"""The year's workflow end to end: publish → an objection that goes round the demand loop like any demand → an
input corrected and the run re-run (revision 2, revision 1 kept as published) → final; a published run unchanged
by a later edit of its method."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jingkai.core.models import Department
from jingkai.demands.models import Demand, DemandState
from jingkai.evaluation import services
from jingkai.evaluation.models import EvaluationInput, EvaluationMethod, EvaluationResult, RunStatus
from tests.demands.conftest import step
from tests.evaluation.conftest import YEAR

FIELDS = ("total", "rank", "grade", "next_grade", "indicators", "status", "reason", "bonus", "penalty")


def _results(run, revision) -> dict:
    rows = EvaluationResult.objects.filter(run=run, revision=revision).order_by("enterprise_id")
    return {r.enterprise_id: {f: getattr(r, f) for f in FIELDS} for r in rows}


@pytest.fixture
def published(evaluated):
    z = evaluated
    z.run = services.publish(z.run, z["zone_admin"], days=5)
    return z


def test_an_objection_goes_round_the_demand_loop(published, api_as):
    z = published
    objection = services.file_objection(
        z.run, z.above1, "出租给关联企业的10亩应计入出租用地。", z["enterprise"]
    )
    demand = Demand.objects.get(pk=objection.demand_id)
    assert demand.state == DemandState.SUBMITTED and demand.channel == "portal"
    assert demand.enterprise_id == z.above1.pk and demand.category.name == "亩均评价异议"
    # In the pool, as any demand: the zone admin accepts and assigns it, the department takes it up and replies,
    # the contact rates the reply.
    assert api_as("zone_admin").get(f"/api/demands/{demand.pk}").status_code == 200
    assert api_as("department").get(f"/api/demands/{demand.pk}").status_code == 404  # not routed yet
    demand = step(demand, "accept", z["zone_admin"])
    demand = step(demand, "assign", z["zone_admin"], department=Department.objects.get(code="econ"))
    assert api_as("department").get(f"/api/demands/{demand.pk}").status_code == 200
    demand = step(demand, "take", z["department"])
    assert demand.state == DemandState.IN_PROGRESS
    demand = step(demand, "reply", z["department"], note="经核实，已更正用地面积并重新计算。")
    assert demand.state == DemandState.REPLIED
    demand = step(demand, "rate", z["enterprise"], rating=5)
    assert demand.state == DemandState.CLOSED
    # Handling the demand does not open the evaluation to the department.
    assert api_as("department").get(f"/api/enterprises/{z.above1.pk}/evaluation").status_code == 404
    assert api_as("department").get(f"/api/evaluations/{YEAR}/results").status_code == 404


def test_a_correction_and_a_rerun_make_revision_2_and_keep_revision_1_as_published(published, api_as):
    z = published
    admin = z["zone_admin"]
    services.file_objection(z.run, z.above2, "用地面积有误。", admin)
    before = _results(z.run, 1)
    row = EvaluationInput.objects.get(enterprise=z.above2, year=YEAR)
    corrected = services.correct_input(row, {"land_leased_out_mu": Decimal("25")}, admin, reason="异议核实")
    assert corrected.land_mu == Decimal("30") and corrected.sources["land_leased_out_mu"] == "manual"
    assert corrected.history.first().history_change_reason == "异议核实"

    run = services.run(YEAR, admin)
    assert run.pk == z.run.pk and run.revision == 2 and run.status == RunStatus.PUBLISHED
    assert _results(run, 1) == before  # the published revision is kept as it was
    after = _results(run, 2)
    assert set(after) == set(before)
    assert after[z.above2.pk]["indicators"]["tax_per_mu"]["value"] == pytest.approx(300 / 30)
    assert before[z.above2.pk]["indicators"]["tax_per_mu"]["value"] == pytest.approx(300 / 55)
    # Every reader sees the current revision.
    body = api_as("outsider").get(f"/api/enterprises/{z.above2.pk}/evaluation").json()
    assert body["revision"] == 2
    assert body["indicators"][0]["value"] == pytest.approx(10.0)
    assert api_as("zone_admin").get(f"/api/evaluations/{YEAR}/results").json()["count"] == 4

    final = services.finalise(run, admin)
    assert final.status == RunStatus.FINAL
    with pytest.raises(ValidationError):
        services.run(YEAR, admin)
    assert api_as("enterprise").get("/api/evaluations").json()["items"][0]["status"] == "final"


def test_a_published_run_is_unchanged_after_its_method_is_edited(published):
    z = published
    admin = z["zone_admin"]
    before = _results(z.run, 1)
    frozen = dict(z.run.method_definition)
    edited = z.method.definition | {"name": "改过的方法"}
    edited["populations"] = dict(edited["populations"])
    above = dict(edited["populations"]["above"])
    above["indicators"] = [dict(ind) for ind in above["indicators"]]
    above["indicators"][0]["weight"], above["indicators"][1]["weight"] = 40, 10
    above["indicators"][0]["cap"], above["indicators"][1]["cap"] = 80, 20
    edited["populations"]["above"] = above
    new_version = services.save_method(edited, admin)

    assert new_version.pk != z.method.pk and new_version.version == 2
    z.method.refresh_from_db()
    assert z.method.is_frozen and z.method.definition["populations"]["above"]["indicators"][0]["weight"] == 30
    z.run.refresh_from_db()
    assert z.run.method_definition == frozen and z.run.method_id == z.method.pk
    assert _results(z.run, 1) == before
    assert EvaluationMethod.objects.filter(code="pinghu-2022").count() == 2


def test_objections_close_with_the_window(evaluated):
    z = evaluated
    services.publish(z.run, z["zone_admin"], days=5, today=dt.date(2023, 3, 1))
    z.run.refresh_from_db()
    with pytest.raises(ValidationError):
        services.file_objection(z.run, z.above1, "异议期已过", z["enterprise"])
