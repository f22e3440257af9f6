"""The demo's evaluation: inputs for every industrial enterprise consistent with its statistics, a final 2022 run
(published, objected to, re-run, finalised) where 津上 comes out a leader by the engine's own reckoning, a 2023
draft hidden from enterprise contacts, and the 2022 policy table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.chains.models import ChainMembership
from jingkai.core.models import User
from jingkai.demands.models import DemandState
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.evaluation import demo
from jingkai.evaluation.models import (
    EvaluationInput,
    EvaluationResult,
    EvaluationRun,
    Objection,
    PolicyMeasure,
    RunStatus,
)
from jingkai.stats.models import MonthlyReport

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _zone(demo_zone, db):
    return demo_zone


@pytest.fixture
def leader():
    return Enterprise.objects.get(name=demo.LEADER_NAME)


def _current(year: int):
    run = EvaluationRun.objects.get(year=year)
    return run, EvaluationResult.objects.filter(run=run, revision=run.revision)


@pytest.mark.parametrize("year", demo.YEARS)
def test_every_industrial_enterprise_has_inputs_consistent_with_its_statistics(year):
    industrial = AnnualScale.objects.filter(year=year, enterprise__industry_code__regex=r"^[BCD]")
    inputs = {row.enterprise_id: row for row in EvaluationInput.objects.filter(year=year)}
    assert set(inputs) == set(industrial.values_list("enterprise_id", flat=True))
    december = {
        r["enterprise_id"]: r
        for r in MonthlyReport.objects.filter(period=dt.date(year, 12, 1)).values(
            "enterprise_id", "revenue_cum", "output_cum", "tax_cum"
        )
    }
    above = dict(industrial.values_list("enterprise_id", "above_size"))
    for enterprise_id, row in inputs.items():
        stats = december[enterprise_id]
        assert row.population == ("above" if above[enterprise_id] else "below")
        assert row.sources["revenue"] == row.sources["output"] == "stats"
        assert row.revenue == (stats["revenue_cum"] / 10_000).quantize(Decimal("0.0001"))
        assert row.sources["tax"] == row.sources["value_added"] == demo.SOURCE
        total_tax = stats["tax_cum"] / 10_000
        assert row.tax <= total_tax  # 实缴税金: a share of the 税金总额 (or a refund)
        if row.output:
            assert Decimal("0.199") <= row.value_added / row.output <= Decimal("0.361")
        assert row.land_mu is not None and row.land_mu > 0
        if row.population == "above":
            assert row.land_mu >= 3
    above_rows = [r for r in inputs.values() if r.population == "above"]
    without = [r for r in above_rows if r.emissions is None]
    assert 0 < len(without) < len(above_rows) * 0.1  # a few without emission figures
    assert sum(1 for r in inputs.values() if r.tax < 0) < 20
    assert sum(1 for r in inputs.values() if r.flags.get("under_construction")) == 2
    assert any(r.flags.get("safety_accidents") for r in inputs.values())
    assert any(r.flags.get("environmental_penalties") for r in inputs.values())


def test_the_2022_results_show_every_rule_at_work():
    _run, results = _current(2022)
    assert results.filter(population="above", status="classed").count() > 200
    assert results.filter(population="below", reason="land_below_minimum", status="excluded").exists()
    assert results.filter(reason="under_construction", status="not_classed").count() == 2
    assert results.filter(reason="young").exists()
    assert results.filter(penalty__gt=0).exists() and results.filter(bonus__gt=0).exists()
    mean_scored = [
        r
        for r in results.filter(population="above")
        if r.indicators["va_per_emission"]["basis"].startswith("missing")
    ]
    assert mean_scored and all(
        r.indicators["va_per_emission"]["basis"] == "missing:mean_score" for r in mean_scored
    )
    assert set(results.exclude(grade="").values_list("grade", flat=True)) == {"A", "B", "C", "D"}


def test_tsugami_is_class_a_and_first_of_its_chain_in_2022(leader):
    run, results = _current(2022)
    mine = results.get(enterprise=leader)
    assert mine.population == "above" and mine.status == "classed" and mine.grade == "A"
    chains = ChainMembership.objects.filter(enterprise=leader).values("chain_id")
    members = ChainMembership.objects.filter(chain_id__in=chains).values("enterprise_id")
    ranked = results.filter(enterprise_id__in=members, population="above", rank__isnull=False)
    assert ranked.count() > 10
    assert ranked.order_by("rank").first().enterprise_id == leader.pk
    assert all(r.total < mine.total for r in ranked.exclude(enterprise=leader))
    # Computed from the inputs: a leader's per-mu figures, capped.
    assert mine.indicators["tax_per_mu"]["basis"] == "capped"
    assert mine.indicators["tax_per_mu"]["value"] > mine.indicators["tax_per_mu"]["benchmark"] * 2


def test_2022_was_published_objected_to_rerun_and_finalised(leader):
    run, results = _current(2022)
    assert run.status == RunStatus.FINAL and run.revision == 2
    assert run.objection_deadline == dt.date(2023, 3, 8) < dt.date.today()
    assert run.published_at.date() == demo.PUBLISHED_ON and run.finalised_at.year == 2023
    assert run.method.code == "pinghu-2022" and run.method.is_frozen
    # Revision 1, as published, is kept; revision 2 counts the land 津上 leases out.
    first = EvaluationResult.objects.get(run=run, revision=1, enterprise=leader)
    second = results.get(enterprise=leader)
    assert second.indicators["tax_per_mu"]["value"] > first.indicators["tax_per_mu"]["value"]
    assert EvaluationResult.objects.filter(run=run, revision=1).count() == results.count()
    objection = Objection.objects.get(run=run)
    assert objection.enterprise_id == leader.pk and objection.resolved_revision == 2
    assert objection.demand.state == DemandState.CLOSED and objection.demand.category.name == "亩均评价异议"
    assert objection.demand.submitted_at.date() <= run.objection_deadline
    assert objection.demand.department.code == "econ"
    row = EvaluationInput.objects.get(enterprise=leader, year=2022)
    assert (
        row.land_leased_out_mu == demo.LEASED_TO_ZHONGJIN_MU and row.sources["land_leased_out_mu"] == "manual"
    )


def test_the_2022_policy_table_has_every_class():
    cells = set(PolicyMeasure.objects.filter(year=2022).values_list("grade", "item"))
    for grade in "ABCD":
        for item in ("electricity", "water", "gas", "emissions"):
            assert (grade, item) in cells


def test_2023_is_a_draft_an_enterprise_contact_cannot_see(leader, api_as):
    run, results = _current(2023)
    assert run.status == RunStatus.DRAFT and run.method.code == "pinghu-2023"
    assert results.get(enterprise=leader).grade == "A"
    contact = User.objects.get(username="enterprise")
    assert not EvaluationResult.objects.visible_to(contact).filter(run=run).exists()
    client = api_as(contact)
    assert [r["year"] for r in client.get("/api/evaluations").json()["items"]] == [2022]
    assert client.get("/api/evaluations/2023/results").status_code == 404
    assert client.get(f"/api/enterprises/{leader.pk}/evaluation", {"year": 2023}).status_code == 404
    body = client.get(f"/api/enterprises/{leader.pk}/evaluation").json()
    assert body["year"] == 2022 and body["class"] == "A" and body["revision"] == 2
    # Its grid's staff see the draft.
    officer = api_as(User.objects.get(username="grid_officer"))
    assert (
        officer.get(f"/api/enterprises/{leader.pk}/evaluation", {"year": 2023}).json()["run_status"]
        == "draft"
    )
