"""/api/evaluations (the runs, a run's results, running a year) and /api/enterprises/{id}/evaluation.

Handlers read through EvaluationRun.objects.visible_to(user) and EvaluationResult.objects.visible_to(user): grid
staff and community officers see their enterprises' results (drafts included), an enterprise contact only its
own and only once published, department handlers nothing (an empty list, 404 for a year or an enterprise).
Runs are written through services.run (zone administrators only: 403 otherwise); its ValidationError is a 422
(jingkai.api's handlers). The results list filters through the results page's FilterSet (ResultFilterSet): a
refused parameter is a 422 naming it (`loc: ["query", "class"]`).
"""

from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from jingkai.core.api import Pagination, filtered
from jingkai.core.bounds import PathText, Year
from jingkai.core.permissions import require
from jingkai.enterprises.queries import find_by_id_or_uscc
from jingkai.evaluation import services
from jingkai.evaluation.filtersets import ResultFilterSet
from jingkai.evaluation.method import Method
from jingkai.evaluation.models import EvaluationResult, EvaluationRun, RunStatus
from jingkai.evaluation.permissions import can_view_zone_results
from jingkai.evaluation.schemas import (
    EnterpriseEvaluationOut,
    EvaluationResultFilters,
    EvaluationResultOut,
    EvaluationRunOut,
)

# Mounted at /api/evaluations and /api/enterprises (/{ident}/evaluation) in jingkai/api/api.py.
router = Router(tags=["evaluation"])
enterprise_router = Router(tags=["evaluation"])


def serialize_run(run: EvaluationRun, user) -> dict:
    populations = (run.summary or {}).get("populations") or {}
    return {
        "year": run.year,
        "status": run.status,
        "status_label": run.get_status_display(),
        "revision": run.revision,
        "method_version": run.method_version,
        "method_name": (run.method_definition or {}).get("name", ""),
        "objection_deadline": run.objection_deadline,
        "ran_at": run.ran_at,
        "published_at": run.published_at,
        "finalised_at": run.finalised_at,
        # The zone's figures are the staff's (permissions.can_view_zone_results), not an enterprise contact's.
        "class_counts": {code: dict(part.get("class_counts") or {}) for code, part in populations.items()}
        if can_view_zone_results(user)
        else None,
    }


def _indicators(result: EvaluationResult, method: Method) -> list[dict]:
    part = method.populations.get(result.population)
    rows = []
    for ind in part.indicators if part else []:
        figures = (result.indicators or {}).get(ind.code) or {}
        rows.append(
            {
                "code": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "weight": ind.weight,
                "cap": ind.cap,
                "value": figures.get("value"),
                "benchmark": figures.get("benchmark"),
                "points": figures.get("points"),
                "basis": figures.get("basis") or "",
                "to_next": figures.get("to_next"),
            }
        )
    return rows


def _enterprise(result: EvaluationResult) -> dict:
    ent = result.enterprise
    return {"id": ent.pk, "name": ent.name, "uscc": ent.uscc or ""}


def serialize_result(result: EvaluationResult, method: Method) -> dict:
    return {
        "enterprise": _enterprise(result),
        "population": result.population,
        "status": result.status,
        "reason": result.reason,
        "total": result.total,
        "rank": result.rank,
        "class": result.grade,
        "next_class": result.next_grade,
        "indicators": _indicators(result, method),
    }


def _visible_run(user, year: int) -> EvaluationRun:
    run = EvaluationRun.objects.visible_to(user).filter(year=year).first()
    if run is None:
        raise Http404
    return run


@router.get("", response=list[EvaluationRunOut], summary="List the evaluation runs", by_alias=True)
@paginate(Pagination, page_items=lambda request, runs: [serialize_run(r, request.user) for r in runs])
def list_runs(request):
    return EvaluationRun.objects.visible_to(request.user).order_by("-year")


def _serialized_results(request, results: list[EvaluationResult]) -> list[dict]:
    # Every row of a page belongs to the one run: its frozen method names the indicators.
    method = EvaluationRun.objects.get(pk=results[0].run_id).frozen_method() if results else None
    return [serialize_result(result, method) for result in results]


@router.get(
    "/{year}/results",
    response=list[EvaluationResultOut],
    summary="A run's results (the current revision), with filters",
    by_alias=True,
)
@paginate(Pagination, page_items=_serialized_results)
def list_results(request, year: Year, filters: Query[EvaluationResultFilters]):
    user = request.user
    run = _visible_run(user, year)
    rows = EvaluationResult.objects.visible_to(user).filter(run=run, revision=run.revision)
    data = filters.model_dump(by_alias=True, exclude_none=True)
    rows = filtered(ResultFilterSet(data, rows, user=user, run=run))
    return rows.select_related("enterprise").order_by(
        "population", F("rank").asc(nulls_last=True), "enterprise_id"
    )


@router.post(
    "/{year}/run", response=EvaluationRunOut, summary="Run the year's evaluation (zone admin)", by_alias=True
)
def run_year(request, year: Year):
    """Evaluate the year's inputs now (synchronously) and answer the run: a draft is replaced in place, a
    published run gets a new revision, a final one is refused (422)."""
    user = request.user
    require(
        "evaluation.can_manage_evaluation",
        user,
        _("Only a zone administrator may run or publish the evaluation."),
    )
    run = services.run(year, user)
    return serialize_run(run, user)


def _adjustments(method: Method, population: str) -> list[dict]:
    part = method.populations.get(population)
    return [
        {
            "code": item.code,
            "name": item.name,
            "kind": item.kind,
            "points": item.points,
            "max_points": item.max_points,
            "evidence": item.evidence,
        }
        for item in (part.adjustments if part else [])
    ]


@enterprise_router.get(
    "/{ident}/evaluation",
    response=EnterpriseEvaluationOut,
    summary="An enterprise's evaluation result with its explanation",
    by_alias=True,
)
def enterprise_evaluation(request, ident: PathText, year: Year | None = None):
    """The year's result (default: the latest the caller may see), indicator by indicator; 404 when the caller
    may not see the enterprise or its result (an enterprise contact: before publication)."""
    user = request.user
    enterprise = find_by_id_or_uscc(user, ident)  # 404 outside scope
    results = (
        EvaluationResult.objects.visible_to(user)
        .current()
        .filter(enterprise=enterprise)
        .select_related("run", "enterprise")
        .order_by("-run__year")
    )
    if year is not None:
        results = results.filter(run__year=year)
    result = results.first()
    if result is None:
        raise Http404
    run = result.run
    method = run.frozen_method()
    part = method.populations.get(result.population)
    indicators = _indicators(result, method)
    return {
        "year": run.year,
        "run_status": run.status,
        "revision": run.revision,
        "method_version": run.method_version,
        "objection_deadline": run.objection_deadline,
        "objections_open": run.status == RunStatus.PUBLISHED and services.objections_open(run),
        "enterprise": _enterprise(result),
        "population": result.population,
        "population_label": part.label if part else result.get_population_display(),
        "status": result.status,
        "status_label": result.get_status_display(),
        "reason": result.reason,
        "total": result.total,
        "bonus": result.bonus,
        "penalty": result.penalty,
        "rank": result.rank,
        "class_rank": result.class_rank,
        "percentile": result.percentile,
        "class": result.grade,
        "next_class": result.next_grade,
        "next_class_score": result.next_grade_score,
        "indicators": indicators,
        "to_next": [
            {"code": row["code"], "name": row["name"], "amount": row["to_next"], "unit": row["unit"]}
            for row in indicators
            if row["to_next"] is not None and row["to_next"] > 0
        ],
        "adjustments": _adjustments(method, result.population),
    }
