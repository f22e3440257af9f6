"""Pydantic schemas of the evaluation API: what /api/evaluations and /api/enterprises/{id}/evaluation answer.

Names start with Evaluation (OpenAPI names are global). A result's class is `class` in the JSON (a Python
keyword: the field is `grade`, with the alias), as the query parameter of the results list is.
"""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from jingkai.core.bounds import QueryText
from jingkai.evaluation.choices import Population, ResultStatus, RunStatus

PopulationValue = Literal[tuple(Population.values)]
ResultStatusValue = Literal[tuple(ResultStatus.values)]
RunStatusValue = Literal[tuple(RunStatus.values)]


class EvaluationRunOut(Schema):
    year: int
    status: RunStatusValue
    status_label: str
    revision: int = Field(description="The current revision (a re-run after publication adds one)")
    method_version: str = Field(description="code@version:digest of the method the current revision used")
    method_name: str
    objection_deadline: dt.date | None = Field(None, description="Objections until (published runs)")
    ran_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    finalised_at: dt.datetime | None = None
    class_counts: dict[str, dict[str, int]] | None = Field(
        None, description="Population (above, below) → class → enterprises; null for enterprise contacts"
    )


class EvaluationResultFilters(Schema):
    """The results list's filters: the same names and meanings as the results page's (ResultFilterSet)."""

    grade: QueryText | None = Field(
        None, alias="class", description="Class code (A, B …) or `-` for no class"
    )
    population: QueryText | None = Field(None, description="above (规上) or below (规下)")
    status: QueryText | None = Field(None, description="classed, not_classed, excluded or not_evaluated")
    grid: QueryText | None = Field(None, description="Grid code (G01)")
    chain: QueryText | None = Field(None, description="Industry chain code")
    park: QueryText | None = Field(None, description="Park code")
    q: QueryText | None = Field(None, description="Part of the enterprise's name")


class EvaluationEnterpriseRef(Schema):
    id: int
    name: str
    uscc: str


class EvaluationIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    weight: float
    cap: float | None = None
    value: float | None = Field(None, description="The indicator's value (null: data missing)")
    benchmark: float | None = None
    points: float | None = None
    basis: str = Field(
        "",
        description="What gave the points: value, capped, floored, missing:<rule>, zero_denominator:<rule>",
    )
    to_next: float | None = Field(
        None, description="Increase of this value alone that reaches the next class (null: none that way)"
    )


class EvaluationResultOut(Schema):
    enterprise: EvaluationEnterpriseRef
    population: PopulationValue
    status: ResultStatusValue
    reason: str = Field("", description="Why not classed or excluded (young, land_below_minimum …)")
    total: float | None = None
    rank: int | None = Field(None, description="Rank in the population (null when not scored)")
    grade: str = Field("", alias="class", description="Class (empty when none)")
    next_grade: str = Field(
        "", alias="next_class", description="The next better class (empty in the top one)"
    )
    indicators: list[EvaluationIndicatorOut]


class EvaluationAdjustmentOut(Schema):
    code: str
    name: str
    kind: Literal["bonus", "penalty"]
    points: float
    max_points: float | None = None
    evidence: str = ""


class EvaluationToNextOut(Schema):
    code: str
    name: str
    amount: float
    unit: str


class EnterpriseEvaluationOut(Schema):
    """One enterprise's result with its explanation: indicator by indicator, and what reaches the next class."""

    year: int
    run_status: RunStatusValue
    revision: int
    method_version: str
    objection_deadline: dt.date | None = None
    objections_open: bool
    enterprise: EvaluationEnterpriseRef
    population: PopulationValue
    population_label: str
    status: ResultStatusValue
    status_label: str
    reason: str = ""
    total: float | None = None
    bonus: float | None = None
    penalty: float | None = None
    rank: int | None = None
    class_rank: int | None = Field(None, description="Rank among the classed enterprises")
    percentile: float | None = None
    grade: str = Field("", alias="class")
    next_grade: str = Field("", alias="next_class")
    next_grade_score: float | None = Field(None, alias="next_class_score")
    indicators: list[EvaluationIndicatorOut]
    to_next: list[EvaluationToNextOut] = Field(
        description="Per indicator, the increase alone that reaches the next class (holding the rest)"
    )
    adjustments: list[EvaluationAdjustmentOut] = Field(description="The method's bonus and penalty items")
