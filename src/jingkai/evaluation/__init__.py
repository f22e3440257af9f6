"""亩均效益综合评价 (issue 14; RULES.md §3): the framework-free core.

- ``method``: an evaluation method as versioned, validated data (``Method.from_dict`` / ``from_json``);
- ``methods``: the shipped methods (``load("huangyan-2022")``, ``load("pinghu-2022")``);
- ``engine``: ``evaluate(inputs, method)``, a pure, vectorised function from input columns to result columns.

No Django here: the evaluation app (models, services, pages) wraps this core (docs/decisions/0011).
"""

from jingkai.evaluation.engine import (
    CheckedInputs,
    Evaluation,
    EvaluationError,
    EvaluationInputError,
    PopulationSummary,
    check_inputs,
    evaluate,
)
from jingkai.evaluation.method import INPUT_COLUMNS, Method, MethodError

__all__ = [
    "INPUT_COLUMNS",
    "CheckedInputs",
    "Evaluation",
    "EvaluationError",
    "EvaluationInputError",
    "Method",
    "MethodError",
    "PopulationSummary",
    "check_inputs",
    "evaluate",
]
