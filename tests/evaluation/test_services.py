"""The evaluation's verbs on a small zone: assemble, run, revisions, publish, finalise, objections."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingkai.demands.models import Demand
from jingkai.evaluation import services
from jingkai.evaluation.models import EvaluationResult, RunStatus
from tests.evaluation.conftest import YEAR


def test_a_run_classes_each_population_and_keeps_the_method_it_used(evaluated):
    z = evaluated
    results = {r.enterprise_id: r for r in z.run.current_results()}
    assert {r.population for r in results.values()} == {"above", "below"}
    assert results[z.above1.pk].rank == 1 and results[z.above2.pk].rank == 2
    assert (
        results[z.above1.pk].grade and results[z.above1.pk].indicators["tax_per_mu"]["value"] == 15.0
    )  # 900/60
    assert z.run.method_version.startswith("pinghu-2022@1:")
    assert z.run.summary["populations"]["above"]["classed"] == 2


def test_only_a_zone_admin_runs_and_publishes(evaluation_zone):
    with pytest.raises(PermissionDenied):
        services.run(YEAR, evaluation_zone["grid_leader"])


def test_publishing_freezes_the_method_and_a_rerun_is_a_new_revision(evaluated):
    z = evaluated
    admin = z["zone_admin"]
    run = services.publish(z.run, admin, days=5, today=dt.date(2023, 3, 1))
    assert run.status == RunStatus.PUBLISHED and run.objection_deadline == dt.date(2023, 3, 8)
    definition = z.method.definition | {"name": "改过的方法"}
    edited = services.save_method(definition, admin)
    assert edited.pk != z.method.pk and edited.version == 2  # the used version stays as it was
    again = services.run(YEAR, admin)
    assert again.revision == 2
    assert (
        EvaluationResult.objects.filter(run=again, revision=1).count() == 4
    )  # the published results are kept
    assert again.current_results().count() == 4


def test_an_objection_is_a_demand_while_the_window_is_open(evaluated, monkeypatch):
    z = evaluated
    services.publish(z.run, z["zone_admin"], days=5)
    z.run.refresh_from_db()
    objection = services.file_objection(z.run, z.above1, "用地面积应扣除出租的10亩。", z["enterprise"])
    demand = Demand.objects.get(pk=objection.demand_id)
    assert demand.category.code == services.OBJECTION_CATEGORY and demand.category.name == "亩均评价异议"
    assert str(z.run.objection_deadline) in demand.description
    with pytest.raises(PermissionDenied):
        services.file_objection(z.run, z.above2, "不是我们的企业", z["enterprise"])
    finalised = services.finalise(z.run, z["zone_admin"])
    with pytest.raises(ValidationError):
        services.file_objection(finalised, z.above1, "太晚了", z["enterprise"])
