"""The 亩均效益 evaluation engine: input columns + a method → result columns (issue 14 §3; RULES.md §3).

``evaluate(inputs, method)`` is a pure function (no ORM, no I/O, no clock): the same inputs and method give the
same result for every enterprise whatever the order of the input rows. It is vectorised: whole-column Polars
operations; the Python loops below run per population, indicator or class, never per enterprise.

Per population (规上 ``above`` and 规下 ``below`` are evaluated and ranked separately, each with its own part of
the method), for every enterprise:

1. **Scope.** The ``exclude`` rules (industry prefix, land under the minimum, a flag) and then the indicators
   whose missing-data rule is ``exclude`` leave an enterprise out: status ``excluded``, the first matching
   reason; no values, points, rank or class, and it does not count in the benchmarks. An indicator rule
   ``refuse`` refuses the whole run instead, naming the enterprises.
2. **Indicators.** value = numerator ÷ denominator × multiplier; null when an input is missing or the
   denominator is 0, and then the indicator's rule gives the points (``mean_score``: the average points of the
   enterprises in scope that have a value; ``zero``; ``weight``; ``cap``). Otherwise points = value × weight ÷
   benchmark, then the cap and the floor. ``<code>_basis`` says which applied (value, capped, floored,
   missing:<rule>, zero_denominator:<rule>). Benchmarks: the explicit value; the population's mean this year
   (Σ numerator ÷ Σ denominator, or the mean of the values, over the enterprises in scope with a value); or a
   multiple of last year's mean, given by the caller. A benchmark that comes out ≤ 0 or undefined refuses the run.
3. **Total** = Σ points + bonus − penalty (each item: count × points, at most its ``max_points``; the bonus and
   the penalty sums capped).
4. **Rank** among the scored enterprises of the population (not-classed ones included): total descending, then
   each ``tie_break`` indicator's value descending (missing last), then ``enterprise_id`` ascending. Totals are
   compared rounded to 6 decimals (officials publish 2): totals that differ only by floating-point noise are a
   tie, which the tie-break settles.
5. **Not classed** (the ``not_classed`` rules: under 2 years old, under construction, utilities …): scored and
   ranked, no class, with the reason.
6. **Class.** Percentile rule: by ``class_rank``, the rank among the classed enterprises only; with n of them,
   class j holds the class ranks up to k_j = floor / ceil / round(S_j·n/100), S_j the cumulative share, computed
   exactly (``PercentileRule``); with ``ties="better"``, equal totals share the better class. Threshold rule: the
   first class whose min_score the total reaches (compared to 6 decimals).
7. **Distance to the next class**, per indicator: the increase of that indicator's value alone (the rest of the
   enterprise, the other enterprises, the benchmarks and the mean scores held as they are) that brings the total
   exactly to the next class's boundary score: its min_score, or for a percentile rule the total of the lowest
   enterprise now in that class (reaching it exactly ties with that enterprise and the tie-break decides; any
   more wins). 0 when the total is already there; null in the top class, when not classed, when the better class
   is empty, when the indicator's points do not come from its value (missing data), or when its cap makes the
   boundary unreachable through it.

No result holds NaN or infinity: a value or total that would overflow refuses the run; "no value" is null,
explained by ``status``, ``reason`` and ``<code>_basis``.

**Input columns** (``method.INPUT_COLUMNS``), a Polars DataFrame or a mapping of column name → sequence or
array: ``enterprise_id`` (int or str, unique), ``population`` ("above" / "below"), the numbers the method's
indicators name (``land_mu`` 亩; ``tax``, ``value_added``, ``revenue``, ``rd`` 万元; ``energy_tce`` 吨标准煤;
``electricity`` 万千瓦时; ``emissions`` 吨; ``employees`` 人; null or NaN = missing), ``industry`` (GB/T
4754-2017, "C3421"), ``founded_year``, and ``flag_<name>`` columns (bool or count; null = false / 0). Bad input (a
missing column, text in a number column, a negative quantity, infinity, a duplicate or missing id, an unknown
population) raises :class:`EvaluationInputError` naming the column and the enterprises; nothing is computed.

**Result columns** (``Evaluation.results``; ``Evaluation.parts`` has the same per population, with only that
population's indicators), one row per input row, ordered by population (above, then below), then enterprise_id:
``enterprise_id, population, status`` (classed / not_classed / excluded / not_evaluated: the method has no part
for the population), ``reason`` (the first rule that applied); per indicator ``<code>_value, <code>_benchmark,
<code>_points, <code>_basis, <code>_to_next``; ``bonus, penalty`` (0 where the population has no such items),
``total, rank, class_rank, percentile`` (class_rank ÷ classed × 100: 20.0 is on the 20% line), ``class,
next_class, next_class_score, method_version``. Text columns are Polars Enums (compact; they compare equal to
their strings and ``to_list()`` gives strings).

The input checks (``check_inputs``) can run once and serve several runs; they sort the rows by population and
id, so that every sum and mean runs in one order and results are identical to the last bit whatever the order
the rows came in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import polars as pl

from jingkai.evaluation.method import (
    FLAG_COLUMN,
    INPUT_COLUMNS,
    POPULATIONS,
    Indicator,
    Method,
    PercentileRule,
    PopulationMethod,
    ThresholdRule,
)

SCORE_DECIMALS = 6  # totals are compared at this precision (ranking, ties, thresholds)
_SCALE = 10**SCORE_DECIMALS
_INTEGER = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_NUMERIC = (pl.Float64, pl.Float32, *_INTEGER)
_MAX_SHOWN = 5  # enterprises named in one error message
_SUBSTITUTES = ("mean_score", "zero", "weight", "cap")
BASES = [
    "value",
    "capped",
    "floored",
    *(f"{cause}:{rule}" for cause in ("missing", "zero_denominator") for rule in (*_SUBSTITUTES, "no_mean")),
]
STATUSES = ["classed", "not_classed", "excluded", "not_evaluated"]
POPULATION = pl.Enum(list(POPULATIONS))
BASIS = pl.Enum(BASES)
STATUS = pl.Enum(STATUSES)
_NO_METHOD = "no_method_for_population"


class EvaluationInputError(ValueError):
    """Inputs the engine refuses, one located message per problem (column and enterprises)."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("evaluation inputs refused:\n  " + "\n  ".join(errors))


class EvaluationError(ValueError):
    """A run that cannot be computed with this method on these inputs (e.g. a benchmark that comes out 0)."""


@dataclass(frozen=True)
class PopulationSummary:
    population: str
    label: str
    rows: int
    scored: int
    classed: int
    excluded: int
    benchmarks: dict[str, float]
    # this year's means by kind ("ratio_of_sums", "mean_of_values") and indicator: next year's last_year_means
    means: dict[str, dict[str, float | None]]
    mean_points: dict[str, float | None]  # what ``mean_score`` gives, per indicator that has that rule
    class_counts: dict[str, int]
    # each class's boundary score: the total of its last-ranked member (ties="better": its lowest total;
    # threshold rule: its min_score); None for an empty class
    boundaries: dict[str, float | None]
    reasons: dict[str, int]


@dataclass(frozen=True)
class Evaluation:
    """The result of a run. ``parts`` holds one result frame per population in the inputs (its own indicators'
    columns only, constant columns unexpanded); ``results`` is the one table of every row with every column
    (built on first use: at 1,000,000 rows, expanding the other population's null columns costs about 10 ms)."""

    parts: dict[str, pl.DataFrame]
    schema: dict[str, pl.DataType]
    populations: dict[str, PopulationSummary]
    method_version: str
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def results(self) -> pl.DataFrame:
        aligned = [
            part.with_columns(
                pl.lit(None, dtype=dtype).alias(name)
                for name, dtype in self.schema.items()
                if name not in part.columns
            ).select(list(self.schema))
            for part in self.parts.values()
        ]
        if not aligned:
            return pl.DataFrame(schema=self.schema)
        # Every part has every column, so they are appended as they are, without re-typing.
        return pl.concat(aligned, how="vertical", rechunk=False) if len(aligned) > 1 else aligned[0]

    def last_year_means(self) -> dict[str, dict[str, dict[str, float | None]]]:
        """What next year's run takes as ``last_year_means``."""
        return {code: summary.means for code, summary in self.populations.items()}


@dataclass(frozen=True)
class CheckedInputs:
    """Inputs that passed the checks that do not depend on the method: typed, NaN read as null, text as Enums,
    rows sorted by population, then enterprise_id (``parts``: population → (offset, length)). One set serves
    several runs (the method editor's preview)."""

    frame: pl.DataFrame
    parts: dict[str, tuple[int, int]]


# --- input checks ---------------------------------------------------------------------------------------


def _ids(frame: pl.DataFrame, mask: pl.Series) -> str:
    ids = frame["enterprise_id"].filter(mask.fill_null(False))
    shown = ", ".join(str(v) for v in ids.head(_MAX_SHOWN).to_list())
    more = len(ids) - _MAX_SHOWN
    return f"enterprise {shown}" + (f" (and {more} more)" if more > 0 else "")


def _is_text(dtype: pl.DataType) -> bool:
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def check_inputs(inputs: pl.DataFrame | Mapping[str, Any] | CheckedInputs) -> CheckedInputs:
    """Type and sanity checks that do not depend on the method; raises EvaluationInputError."""
    if isinstance(inputs, CheckedInputs):
        return inputs
    try:
        frame = inputs if isinstance(inputs, pl.DataFrame) else pl.DataFrame(dict(inputs), strict=False)
    except Exception as error:  # Polars' own message names the column it could not read
        raise EvaluationInputError([f"inputs cannot be read as columns: {error}"]) from None
    errors = [
        f"column {name}: missing" for name in ("enterprise_id", "population") if name not in frame.columns
    ]
    if errors:
        raise EvaluationInputError(errors)

    ids = frame["enterprise_id"]
    if ids.dtype not in _INTEGER and ids.dtype != pl.String:
        raise EvaluationInputError([f"column enterprise_id: integers or text expected, got {ids.dtype}"])
    if ids.null_count():
        errors.append(f"column enterprise_id: {ids.null_count()} rows without an id")
    elif ids.n_unique() != len(ids):
        errors.append(f"column enterprise_id: {_ids(frame, ids.is_duplicated())} appear more than once")
    population = frame["population"]
    if not _is_text(population.dtype):
        errors.append(f"column population: text expected ({', '.join(POPULATIONS)}), got {population.dtype}")
    else:
        bad = ~population.cast(pl.String).is_in(list(POPULATIONS)).fill_null(False)
        if bad.any():
            errors.append(f"column population: {_ids(frame, bad)}: not one of {', '.join(POPULATIONS)}")

    columns = {"enterprise_id": ids}
    if not errors:
        columns["population"] = population.cast(pl.String).cast(POPULATION)
    for name in frame.columns:
        column = INPUT_COLUMNS.get(name)
        if name in ("enterprise_id", "population") or (column is None and not FLAG_COLUMN.match(name)):
            continue  # not an input the engine reads
        series = frame[name]
        kind = column.kind if column else "flag"
        if series.dtype == pl.Null:
            empty = {"number": pl.Float64, "text": pl.String, "year": pl.Int64, "flag": pl.Float64}[kind]
            series = series.cast(empty)
            columns[name] = series.fill_null(0.0) if kind == "flag" else series
            continue
        if kind == "flag":
            if series.dtype != pl.Boolean and series.dtype not in _INTEGER:
                errors.append(f"column {name}: true/false or a count expected, got {series.dtype}")
            elif series.dtype != pl.Boolean and (series < 0).any():
                errors.append(f"column {name}: {_ids(frame, series < 0)}: negative count")
            else:
                columns[name] = series.cast(pl.Float64).fill_null(0.0)
        elif kind == "number":
            if series.dtype not in _NUMERIC:
                errors.append(f"column {name} ({column.unit}): numbers expected, got {series.dtype}")
                continue
            values = series.cast(pl.Float64)
            if values.is_nan().any():
                # NaN is how NumPy writes "missing": read as missing, never computed with.
                values = values.fill_nan(None)
            if values.is_infinite().any():
                errors.append(f"column {name}: {_ids(frame, values.is_infinite())}: infinite value")
            if column.nonnegative and (values < 0).any():
                errors.append(f"column {name} ({column.unit}): {_ids(frame, values < 0)}: negative value")
            columns[name] = values
        elif kind == "year":
            if series.dtype not in _INTEGER:
                errors.append(f"column {name}: a year (integer) expected, got {series.dtype}")
            else:
                columns[name] = series.cast(pl.Int64)
        elif not _is_text(series.dtype):
            errors.append(f"column {name}: text expected, got {series.dtype}")
        else:
            # Industry codes: checked and matched once per distinct code, then kept as an Enum.
            codes = series.cast(pl.String)
            distinct = codes.drop_nulls().unique().sort()
            wrong = distinct.filter(~distinct.str.contains(r"^[A-T]\d{2,4}$"))
            if len(wrong):
                errors.append(
                    f"column {name}: {_ids(frame, codes.is_in(wrong.implode()))}: not a GB/T 4754-2017 code "
                    f"(section letter and 2–4 digits, e.g. C3421): {', '.join(wrong.head(_MAX_SHOWN).to_list())}"
                )
            else:
                columns[name] = codes.cast(pl.Enum(distinct))
    if errors:
        raise EvaluationInputError(errors)
    checked = pl.DataFrame(columns)
    if any(series.n_chunks() > 1 for series in checked.iter_columns()):
        # One contiguous chunk per column (a file read in batches is not): every column the engine derives then
        # lines up with the inputs, and building the result frame copies nothing.
        checked = checked.rechunk()
    # Rows in (population, enterprise_id) order: each population is a contiguous slice, and every sum and mean
    # runs in one order whatever the order the rows came in, so the results are the same to the last bit.
    parts = _parts(checked)
    if parts is None:
        checked = checked.sort("population", "enterprise_id")
        parts = _parts(checked)
    return CheckedInputs(checked, parts)


def _parts(frame: pl.DataFrame) -> dict[str, tuple[int, int]] | None:
    """Each population's (offset, length), or None unless rows are sorted by population, then id."""
    physical = frame["population"].to_physical()
    if not physical.is_sorted():
        return None
    parts, offset = {}, 0
    for index, code in enumerate(POPULATIONS):
        length = int((physical == index).sum())
        if length:
            if not frame["enterprise_id"].slice(offset, length).is_sorted():
                return None
            parts[code] = (offset, length)
        offset += length
    return parts


def _check_for_method(checked: CheckedInputs, method: Method) -> None:
    frame = checked.frame
    errors: list[str] = []
    for code in checked.parts:
        if code in method.populations:
            missing = sorted(method.populations[code].columns() - set(frame.columns))
            if missing:
                errors.append(f"{code}: the method needs the input columns {', '.join(missing)}")
    if errors:
        raise EvaluationInputError(errors)
    for code, (offset, length) in checked.parts.items():
        if code not in method.populations:
            continue
        part, rows = method.populations[code], frame.slice(offset, length)
        needed = {rule.rule for rule in [*part.exclude, *part.not_classed]}
        for rule, name in (("industry", "industry"), ("min_land", "land_mu"), ("min_age", "founded_year")):
            if rule in needed and rows[name].null_count():
                errors.append(
                    f"column {name}: {_ids(rows, rows[name].is_null())}: missing, and the {code} scope rules need it"
                )
        if "min_age" in needed and (rows["founded_year"] > method.year).any():
            errors.append(
                f"column founded_year: {_ids(rows, rows['founded_year'] > method.year)}: after {method.year}"
            )
    if errors:
        raise EvaluationInputError(errors)


# --- the engine -----------------------------------------------------------------------------------------


def evaluate(
    inputs: pl.DataFrame | Mapping[str, Any] | CheckedInputs,
    method: Method,
    *,
    last_year_means: Mapping[str, Mapping[str, Mapping[str, float | None]]] | None = None,
) -> Evaluation:
    """Score, rank and class every enterprise of ``inputs`` with ``method`` (see the module docstring).

    ``last_year_means``: {population: {"ratio_of_sums" | "mean_of_values": {indicator: mean}}}, that is last
    year's ``Evaluation.last_year_means()``; needed only by ``last_year_mean`` benchmarks.
    """
    checked = check_inputs(inputs)
    _check_for_method(checked, method)
    version = method.version_label
    reasons = _reason_codes(method)
    classes = list(
        dict.fromkeys(c.code for part in method.populations.values() for c in part.class_rule.classes)
    )
    enums = {"reason": pl.Enum(reasons), "class": pl.Enum(classes)}
    warnings: list[str] = []
    parts: dict[str, pl.DataFrame] = {}
    summaries: dict[str, PopulationSummary] = {}
    for code, (offset, length) in checked.parts.items():
        rows = checked.frame.slice(offset, length)
        if code not in method.populations:
            parts[code] = rows.select("enterprise_id", "population").with_columns(
                status=pl.lit("not_evaluated", dtype=STATUS),
                reason=pl.lit(_NO_METHOD, dtype=enums["reason"]),
                method_version=pl.lit(version),
            )
            continue
        result, summary = _population(
            rows,
            code,
            method.populations[code],
            method.year,
            (last_year_means or {}).get(code),
            enums,
            warnings,
        )
        parts[code] = result.with_columns(method_version=pl.lit(version))
        summaries[code] = summary
    schema = _result_schema(method, enums, checked.frame.schema["enterprise_id"]) | {
        "method_version": pl.String
    }
    return Evaluation(
        parts=parts, schema=schema, populations=summaries, method_version=version, warnings=warnings
    )


def _result_schema(method: Method, enums: dict[str, pl.Enum], ids: pl.DataType) -> dict[str, pl.DataType]:
    schema = {"enterprise_id": ids, "population": POPULATION, "status": STATUS, "reason": enums["reason"]}
    for part in method.populations.values():
        for ind in part.indicators:
            schema |= {f"{ind.code}_{s}": pl.Float64 for s in ("value", "benchmark", "points")}
            schema |= {f"{ind.code}_basis": BASIS, f"{ind.code}_to_next": pl.Float64}
    schema |= dict.fromkeys(["bonus", "penalty", "total"], pl.Float64)
    schema |= {"rank": pl.UInt32, "class_rank": pl.UInt32, "percentile": pl.Float64}
    schema |= {"class": enums["class"], "next_class": enums["class"], "next_class_score": pl.Float64}
    return schema


def _reason_codes(method: Method) -> list[str]:
    out = []
    for part in method.populations.values():
        out += [rule.reason for rule in part.exclude]
        for ind in part.indicators:
            if ind.missing == "exclude":
                out.append(f"missing:{ind.code}")
            if ind.on_zero == "exclude":
                out.append(f"zero_denominator:{ind.code}")
        out += [rule.reason for rule in part.not_classed]
    return list(dict.fromkeys([*out, _NO_METHOD]))


def _where(
    mask: pl.Series, values: pl.Series | float, otherwise: pl.Series | float | None = None
) -> pl.Series:
    expr = pl.when(mask).then(values)
    return pl.select(expr.otherwise(otherwise) if otherwise is not None else expr).to_series()


def _scope_expr(rows: pl.DataFrame, rule, year: int) -> pl.Expr:
    if rule.rule == "industry":
        # Matched once per distinct code (the Enum's categories), then looked up per row by physical code.
        industry = rows["industry"]
        physical = industry.to_physical()
        hits = [
            i for i, c in enumerate(industry.dtype.categories.to_list()) if c.startswith(tuple(rule.prefixes))
        ]
        return pl.col("industry").to_physical().is_in(pl.Series(hits, dtype=physical.dtype).implode())
    if rule.rule == "min_land":
        return (pl.col("land_mu") < rule.mu).fill_null(False)
    if rule.rule == "min_age":
        return (pl.col("founded_year") > year - rule.years).fill_null(False)
    return (pl.col(rule.column) > 0).fill_null(False)


def _population(
    rows: pl.DataFrame,
    code: str,
    part: PopulationMethod,
    year: int,
    last_year: Mapping[str, Mapping[str, float | None]] | None,
    enums: dict[str, pl.Enum],
    warnings: list[str],
) -> tuple[pl.DataFrame, PopulationSummary]:
    n = rows.height
    indicators = part.indicators
    numerators = {ind.code: rows[ind.numerator] for ind in indicators}
    denominators = {ind.code: rows[ind.denominator] for ind in indicators}

    # 1. scope: the rules' order decides the reason shown; missing-data exclusions come after the scope rules.
    # Every mask in one select (one call instead of dozens).
    masks = {}
    for ind in indicators:
        num, den = pl.col(ind.numerator), pl.col(ind.denominator)
        masks[f"missing:{ind.code}"] = num.is_null() | den.is_null()
        masks[f"zero:{ind.code}"] = (den == 0).fill_null(False) & num.is_not_null()
    for kind, rules in (("exclude", part.exclude), ("not_classed", part.not_classed)):
        for i, rule in enumerate(rules):
            masks[f"{kind}:{i}"] = _scope_expr(rows, rule, year)
    mask_frame = rows.select(**masks)
    missing = {ind.code: mask_frame[f"missing:{ind.code}"] for ind in indicators}
    zero = {ind.code: mask_frame[f"zero:{ind.code}"] for ind in indicators}
    excluded_by = [(mask_frame[f"exclude:{i}"], rule.reason) for i, rule in enumerate(part.exclude)]
    for ind in indicators:
        if ind.missing == "exclude":
            excluded_by.append((missing[ind.code], f"missing:{ind.code}"))
        if ind.on_zero == "exclude":
            excluded_by.append((zero[ind.code], f"zero_denominator:{ind.code}"))
    unclassed_by = [(mask_frame[f"not_classed:{i}"], rule.reason) for i, rule in enumerate(part.not_classed)]
    derived = pl.select(
        in_scope=~pl.any_horizontal(pl.lit(False), *(pl.lit(m) for m, _ in excluded_by)),
        unclassed=pl.any_horizontal(pl.lit(False), *(pl.lit(m) for m, _ in unclassed_by)),
        reason=_label_expr([*excluded_by, *unclassed_by], enums["reason"]),
    )
    in_scope, reason = derived["in_scope"], derived["reason"]
    classed = in_scope & ~derived["unclassed"]
    if not in_scope.any():
        # Nobody to score (e.g. no 规下 enterprise uses 3 亩): no benchmark is needed, so none is computed.
        return _nobody_in_scope(rows, code, part, reason, enums)

    refused = []
    for ind in indicators:
        for rule, mask, what in (
            (ind.missing, missing, "missing"),
            (ind.on_zero, zero, f"{ind.denominator} = 0"),
        ):
            if rule == "refuse" and (mask[ind.code] & in_scope).any():
                refused.append(
                    f"{code}.{ind.code} ({ind.name}): {_ids(rows, mask[ind.code] & in_scope)}: {what}"
                )
    if refused:
        raise EvaluationInputError(refused)

    # 2. values, then the benchmarks and this year's means over the enterprises in scope that have a value.
    # (Each stage is one select of one expression per indicator: Polars runs them side by side.)
    value_exprs = []
    for ind in indicators:
        ratio = pl.lit(numerators[ind.code]) / pl.lit(denominators[ind.code])
        if ind.multiplier != 1:
            ratio = ratio * ind.multiplier
        # 0 denominators give ±inf or NaN in the ratio: masked to null at once, never used.
        value_exprs.append(pl.when(pl.lit(in_scope & ~zero[ind.code])).then(ratio).alias(ind.code))
    value_frame = pl.select(value_exprs)
    values = {ind.code: value_frame[ind.code] for ind in indicators}
    has = {ind.code: pl.col(ind.code).is_not_null() for ind in indicators}
    stats = value_frame.select(
        *(pl.col(ind.code).mean().alias(f"mean:{ind.code}") for ind in indicators),
        *(
            pl.when(has[i.code]).then(pl.lit(numerators[i.code])).sum().alias(f"num:{i.code}")
            for i in indicators
        ),
        *(
            pl.when(has[i.code]).then(pl.lit(denominators[i.code])).sum().alias(f"den:{i.code}")
            for i in indicators
        ),
    ).row(0, named=True)
    overflow = [
        f"{code}.{ind.code}: {_ids(rows, ~values[ind.code].is_finite())}: the value overflows (a denominator far "
        "too small)"
        for ind in indicators
        # the mean is finite unless a value is ±inf (or the sum overflows)
        if not math.isfinite(stats[f"mean:{ind.code}"] or 0.0)
    ]
    if overflow:
        raise EvaluationInputError(overflow)
    means: dict[str, dict[str, float | None]] = {"ratio_of_sums": {}, "mean_of_values": {}}
    for ind in indicators:
        numerator, denominator = stats[f"num:{ind.code}"], stats[f"den:{ind.code}"]
        ratio = numerator / denominator * ind.multiplier if denominator else None
        means["ratio_of_sums"][ind.code] = _finite(ratio)
        means["mean_of_values"][ind.code] = _finite(stats[f"mean:{ind.code}"])
    benchmarks = {ind.code: _benchmark(code, ind, means, last_year) for ind in indicators}

    # 3. points = value × factor (factor = weight ÷ benchmark), then the cap and the floor; then the substitutes.
    factors = {ind.code: ind.weight / benchmarks[ind.code] for ind in indicators}
    bounded = [ind for ind in indicators if ind.cap is not None or ind.floor is not None]
    point_frame = value_frame.select(
        *((pl.col(ind.code) * factors[ind.code]).alias(ind.code) for ind in indicators),
        *(
            (pl.col(ind.code) * factors[ind.code]).clip(ind.floor, ind.cap).alias(f"c:{ind.code}")
            for ind in bounded
        ),
    )
    raws = {ind.code: point_frame[ind.code] for ind in indicators}
    clipped = {ind.code: point_frame[f"c:{ind.code}" if ind in bounded else ind.code] for ind in indicators}
    averaged = [ind for ind in indicators if "mean_score" in (ind.missing, ind.on_zero)]
    averages = (
        pl.select(*(pl.lit(clipped[i.code]).mean().alias(i.code) for i in averaged)).row(0, named=True)
        if averaged
        else {}
    )
    mean_points = {ind.code: _finite(averages[ind.code]) for ind in averaged}
    point_exprs, basis_exprs = [], []
    for ind in indicators:
        causes = (
            ("missing", missing[ind.code] & in_scope, ind.missing),
            ("zero_denominator", zero[ind.code] & in_scope, ind.on_zero),
        )
        fill, basis = pl.lit(clipped[ind.code]), []
        for cause, mask, rule in causes:
            if rule not in _SUBSTITUTES or not mask.any():
                continue
            amount = {
                "mean_score": mean_points.get(ind.code),
                "zero": 0.0,
                "weight": ind.weight,
                "cap": ind.cap,
            }[rule]
            if amount is None:  # mean_score where no enterprise in scope has a value
                warnings.append(
                    f"{code}.{ind.code}: no enterprise in scope has a value; missing data scores 0"
                )
                amount, rule = 0.0, "no_mean"
            fill = pl.when(pl.lit(mask)).then(pl.lit(float(amount))).otherwise(fill)
            basis.append((mask, f"{cause}:{rule}"))
        if ind.cap is not None:
            basis.append(((raws[ind.code] > ind.cap).fill_null(False), "capped"))
        if ind.floor is not None:
            basis.append(((raws[ind.code] < ind.floor).fill_null(False), "floored"))
        basis.append((in_scope, "value"))
        point_exprs.append(fill.alias(ind.code))
        basis_exprs.append(_label_expr(basis, BASIS).alias(f"b:{ind.code}"))
    point_frame = pl.select(*point_exprs, *basis_exprs)
    points = {ind.code: point_frame[ind.code] for ind in indicators}
    bases = {ind.code: point_frame[f"b:{ind.code}"] for ind in indicators}

    # 4. bonus, penalty, total
    def adjustment(kind: str, cap: float | None) -> pl.Series:
        total = None
        for item in (a for a in part.adjustments if a.kind == kind):
            term = rows[item.column] * item.points
            if item.max_points is not None:
                term = term.clip(upper_bound=item.max_points)
            total = term if total is None else total + term
        if total is None:
            return None
        if cap is not None:
            total = total.clip(upper_bound=cap)
        return _where(in_scope, total)

    bonus, penalty = adjustment("bonus", part.bonus_cap), adjustment("penalty", part.penalty_cap)
    total = points[indicators[0].code]
    for ind in indicators[1:]:
        total = total + points[ind.code]
    if bonus is not None:
        total = total + bonus
    if penalty is not None:
        total = total - penalty
    if not _all_finite(total):
        raise EvaluationError(f"{code}: a total score overflows (an indicator's points are beyond ±1e308)")
    scaled = total * _SCALE
    if n and max(abs(scaled.max() or 0), abs(scaled.min() or 0)) >= 2**61:
        raise EvaluationError(f"{code}: a total score is beyond ±{2**61 / _SCALE:.3g} points")
    quantised = scaled.round().cast(pl.Int64)
    del scaled  # intermediates go as soon as they are used: the peak memory is the results plus little

    # 5. rank among the scored enterprises. The excluded ones sort after them (below the lowest total) and get
    # no rank, so that every column stays in the population's row order (no filtering, no scattering back).
    m = n - quantised.null_count()
    if m < n:
        quantised = quantised.fill_null((quantised.min() or 0) - 1)
    order = _order(quantised, [values[c] for c in part.tie_break], rows["enterprise_id"], scored=m)
    positions = pl.int_range(0, n, eager=True, dtype=pl.UInt32)
    inverse = pl.zeros(n, dtype=pl.UInt32, eager=True).scatter(order, positions)  # each row's sorted position
    rank = _where(in_scope, inverse + 1)

    # 6. class among the classed: class_rank counts the classed enterprises down the ranking.
    n_classed = int(classed.sum())
    # 1 where classed, null elsewhere; cum_count (count of non-nulls so far) is 30× faster than cum_sum here.
    classed_sorted = _where(classed, pl.lit(1, dtype=pl.UInt8)).gather(order)
    class_rank_sorted = pl.select(pl.lit(classed_sorted).cum_count()).to_series()
    class_rank = _where(classed, class_rank_sorted.gather(inverse))
    rule = part.class_rule
    class_codes = [c.code for c in rule.classes]
    if isinstance(rule, PercentileRule):
        ks = rule.cumulative_counts(n_classed)
        if rule.ties == "better" and n_classed:
            idx_sorted = _share_better(
                _bucket(class_rank_sorted, ks), quantised.gather(order), classed_sorted.is_not_null()
            )
            class_idx = _where(classed, idx_sorted.gather(inverse))
        else:
            class_idx = _where(classed, _bucket(class_rank, ks))
    else:
        class_idx = _where(classed, _threshold_classes(quantised, rule))
    counts = dict.fromkeys(class_codes, 0)
    boundaries: dict[str, float | None] = dict.fromkeys(class_codes)
    if isinstance(rule, PercentileRule) and rule.ties == "order":
        # Class j holds the class ranks k_{j-1}+1 … k_j; its boundary is the total of its last member.
        previous = 0
        for c, k in zip(class_codes, ks, strict=True):
            counts[c] = k - previous
            if k > previous:
                spot = class_rank_sorted.search_sorted(k, side="left")
                boundaries[c] = total[int(order[spot])]
            previous = k
    else:
        lows = (
            pl.DataFrame({"c": class_idx, "t": total})
            .drop_nulls("c")
            .group_by("c")
            .agg(pl.len(), pl.col("t").min())
        )
        for j, count, low in lows.iter_rows():
            counts[class_codes[j]] = count
            boundaries[class_codes[j]] = low
        if isinstance(rule, ThresholdRule):
            boundaries = {c.code: c.min_score for c in rule.classes}
    better = [None, *(boundaries[class_codes[j - 1]] for j in range(1, len(class_codes)))]
    next_score = _by_index(class_idx, better, n)
    del quantised, order, inverse, classed_sorted, class_rank_sorted

    # 7. distance to the next class, per indicator: points are value × factor, so the value must rise by
    # gap ÷ factor (floored points first climb from the floor's value).
    difference = next_score - total
    # ≥ 0 but for a tie lost at the line (equal to 6 decimals, a hair above): that distance is 0
    gap = _where(difference < 0, 0.0, difference)
    del difference
    if not _all_finite(gap) or (gap.max() or 0.0) * max(1 / f for f in factors.values()) > 1e300:
        raise EvaluationError(f"{code}: the distances to the next class overflow (a benchmark far too large)")
    distance_exprs = []
    for ind in indicators:
        gap_value = pl.lit(gap) * (1 / factors[ind.code])
        if ind.floor is not None:
            below = (raws[ind.code] < ind.floor).fill_null(False)
            climb = (pl.lit(gap) + ind.floor) * (1 / factors[ind.code]) - pl.lit(values[ind.code])
            gap_value = pl.when(pl.lit(below)).then(climb).otherwise(gap_value)
        reachable = values[ind.code].is_not_null()
        if ind.cap is not None:
            reachable = reachable & ((points[ind.code] + gap) <= ind.cap).fill_null(False)
        distance_exprs.append(pl.when(pl.lit(reachable)).then(gap_value).alias(ind.code))
    distance_frame = pl.select(distance_exprs)
    distances = {ind.code: distance_frame[ind.code] for ind in indicators}
    del gap, distance_frame, raws

    class_enum = enums["class"]
    columns: dict[str, pl.Series] = {
        "enterprise_id": rows["enterprise_id"],
        "population": rows["population"],
        "reason": reason,
    }
    for ind in indicators:
        columns[f"{ind.code}_value"] = values[ind.code]
        columns[f"{ind.code}_points"] = points[ind.code]
        columns[f"{ind.code}_basis"] = bases[ind.code]
        columns[f"{ind.code}_to_next"] = distances[ind.code]
    columns |= {
        "total": total,
        "rank": rank,
        "class_rank": class_rank,
        "next_class_score": next_score,
    }
    index = pl.lit(class_idx)
    labels = pl.select(
        _label_expr([(~in_scope, "excluded"), (~classed, "not_classed"), (classed, "classed")], STATUS).alias(
            "status"
        ),
        (pl.lit(class_rank).cast(pl.Float64) * (100 / max(n_classed, 1))).alias("percentile"),
        _label_expr([(index == j, c) for j, c in enumerate(class_codes)], class_enum).alias("class"),
        _label_expr([(index == j, c) for j, c in enumerate(class_codes[:-1], start=1)], class_enum).alias(
            "next_class"
        ),
    )
    columns |= {name: labels[name] for name in labels.columns}
    frame = pl.DataFrame({name: series.alias(name) for name, series in columns.items()}).with_columns(
        # One value per population: constant columns, which Polars keeps unexpanded. A population without
        # bonus (or penalty) items gets 0 everywhere.
        *(
            pl.lit(benchmarks[ind.code], dtype=pl.Float64).alias(f"{ind.code}_benchmark")
            for ind in indicators
        ),
        *(
            (pl.lit(0.0) if series is None else pl.lit(series)).alias(name)
            for name, series in (("bonus", bonus), ("penalty", penalty))
        ),
    )
    shown = reason.drop_nulls().value_counts()
    summary = PopulationSummary(
        population=code,
        label=part.label,
        rows=n,
        scored=m,
        classed=n_classed,
        excluded=n - m,
        benchmarks=benchmarks,
        means=means,
        mean_points=mean_points,
        class_counts=counts,
        boundaries=boundaries,
        reasons=dict(sorted((str(r), c) for r, c in shown.iter_rows())),
    )
    return frame, summary


def _nobody_in_scope(
    rows: pl.DataFrame, code: str, part: PopulationMethod, reason: pl.Series, enums: dict[str, pl.Enum]
) -> tuple[pl.DataFrame, PopulationSummary]:
    empty: dict[str, pl.DataType] = {}
    for ind in part.indicators:
        empty |= {f"{ind.code}_{s}": pl.Float64 for s in ("value", "benchmark", "points")}
        empty |= {f"{ind.code}_basis": BASIS, f"{ind.code}_to_next": pl.Float64}
    empty |= {"total": pl.Float64, "rank": pl.UInt32, "class_rank": pl.UInt32, "percentile": pl.Float64}
    empty |= {"class": enums["class"], "next_class": enums["class"], "next_class_score": pl.Float64}
    empty |= {"bonus": pl.Float64, "penalty": pl.Float64}
    frame = rows.select("enterprise_id", "population").with_columns(
        status=pl.lit("excluded", dtype=STATUS),
        reason=reason,
        **{name: pl.lit(None, dtype=dtype) for name, dtype in empty.items()},
    )
    shown = reason.drop_nulls().value_counts()
    none = {ind.code: None for ind in part.indicators}
    summary = PopulationSummary(
        population=code,
        label=part.label,
        rows=rows.height,
        scored=0,
        classed=0,
        excluded=rows.height,
        benchmarks={
            ind.code: ind.benchmark.value for ind in part.indicators if ind.benchmark.rule == "value"
        },
        means={"ratio_of_sums": dict(none), "mean_of_values": dict(none)},
        mean_points={},
        class_counts={c.code: 0 for c in part.class_rule.classes},
        boundaries={c.code: None for c in part.class_rule.classes},
        reasons=dict(sorted((str(r), c) for r, c in shown.iter_rows())),
    )
    return frame, summary


def _label(masks: list[tuple[pl.Series, str]], dtype: pl.Enum, n: int) -> pl.Series:
    """Per row, the label of the first mask that holds (null where none does), as an Enum column."""
    if not masks:
        return pl.repeat(None, n, dtype=dtype, eager=True)
    return pl.select(_label_expr(masks, dtype).alias("label")).to_series()


def _label_expr(masks: list[tuple[pl.Series | pl.Expr, str]], dtype: pl.Enum) -> pl.Expr:
    if not masks:
        return pl.lit(None, dtype=dtype)

    def cond(mask: pl.Series | pl.Expr) -> pl.Expr:
        return mask if isinstance(mask, pl.Expr) else pl.lit(mask)

    expr = pl.when(cond(masks[0][0])).then(pl.lit(masks[0][1], dtype=dtype))
    for mask, label in masks[1:]:
        expr = expr.when(cond(mask)).then(pl.lit(label, dtype=dtype))
    return expr.otherwise(pl.lit(None, dtype=dtype))


def _by_index(index: pl.Series, values: list[float | None], n: int) -> pl.Series:
    """values[index] per row (null where the index or the value is null)."""
    cases = [(j, v) for j, v in enumerate(values) if v is not None]
    if not cases:
        return pl.repeat(None, n, dtype=pl.Float64, eager=True)
    expr = pl.when(index == cases[0][0]).then(pl.lit(cases[0][1], dtype=pl.Float64))
    for j, v in cases[1:]:
        expr = expr.when(index == j).then(pl.lit(v, dtype=pl.Float64))
    return pl.select(expr.otherwise(pl.lit(None, dtype=pl.Float64)).alias("v")).to_series()


def _all_finite(series: pl.Series) -> bool:
    """No ±inf or NaN among the non-null values. A sum is a reduction, cheaper than a mask per row: any inf or NaN
    makes it inf or NaN (inf − inf is NaN); a sum that overflows from finite values refuses too, rightly: such
    figures cannot be ranked."""
    return math.isfinite(series.sum()) if series.null_count() < len(series) else True


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _benchmark(code: str, ind: Indicator, means, last_year) -> float:
    rule = ind.benchmark
    where = f"{code}.{ind.code} ({ind.name})"
    if rule.rule == "value":
        return rule.value
    if rule.rule == "mean":
        mean = means[rule.of][ind.code]
        if mean is None or mean <= 0:
            shown = "undefined" if mean is None else f"{mean:g}"
            raise EvaluationError(
                f"{where}: the benchmark is the population's mean, which is {shown} (no enterprise in scope has a "
                "positive value): set an explicit benchmark"
            )
        return mean * rule.multiple
    mean = (last_year or {}).get(rule.of, {}).get(ind.code)
    if mean is None or not math.isfinite(mean) or mean <= 0:
        raise EvaluationError(f"{where}: the benchmark is a multiple of last year's mean, and none was given")
    return mean * rule.multiple


def _order(
    q: pl.Series,
    tie_values: list[pl.Series],
    ids: pl.Series,
    *,
    scored: int | None = None,
    packed: bool = True,
) -> pl.Series:
    """Row positions from first to last: q (quantised total) descending, each tie value descending (missing
    last), id ascending. Rows past the first ``scored`` sorted positions are the excluded ones (given a q below
    every scored one): their order among themselves does not matter.

    The fast path packs (q, row) into one Int64 and sorts the values (an integer sort is about 3× faster than an
    arg-sort of floats), then sorts again only the runs of equal q, by the tie-break. It gives exactly the order
    of the slow path, which sorts by every key (the tests compare them).
    """
    m = len(q)
    scored = m if scored is None else scored
    if m == 0:
        return pl.Series("order", [], dtype=pl.UInt32)
    bits = max(1, (m - 1).bit_length())
    top, bottom = q.max(), q.min()
    by = ["q", *[f"t{i}" for i in range(len(tie_values))], "id"]
    descending = [True] * (1 + len(tie_values)) + [False]
    if not packed or top - bottom >= 2 ** (62 - bits):
        keys = pl.DataFrame({"q": q, "id": ids, **{f"t{i}": t for i, t in enumerate(tie_values)}})
        return keys.with_row_index("_r").sort(by, descending=descending, nulls_last=True)["_r"]
    # One thread: the same wall time on 2 cores as the parallel sort, at half the CPU (measured).
    key = ((top - q) * (1 << bits) + pl.int_range(0, m, eager=True, dtype=pl.Int64)).sort(multithreaded=False)
    order = (key & ((1 << bits) - 1)).cast(pl.UInt32)
    q_sorted = key.head(scored) // (1 << bits)  # top − q, in sorted order: equal where q is equal
    same_as_previous = (q_sorted == q_sorted.shift(1)).fill_null(False)
    in_tie = same_as_previous | same_as_previous.shift(-1).fill_null(False)
    if not in_tie.any():
        return order
    spots = in_tie.arg_true()
    tied_rows = order.gather(spots)
    tied = pl.DataFrame(
        {"_r": tied_rows, "q": q.gather(tied_rows), "id": ids.gather(tied_rows)}
        | {f"t{i}": t.gather(tied_rows) for i, t in enumerate(tie_values)}
    )
    resorted = tied.sort(by, descending=descending, nulls_last=True)["_r"]
    return order.scatter(spots, resorted)


def _bucket(class_rank_sorted: pl.Series, ks: list[int]) -> pl.Series:
    """Class index (0 = the best) of each sorted position from its class rank and the classes' last ranks."""
    rank = pl.lit(class_rank_sorted)
    expr = pl.when(rank <= ks[0]).then(pl.lit(0, dtype=pl.UInt32))
    for j, k in enumerate(ks[1:-1], start=1):
        expr = expr.when(rank <= k).then(pl.lit(j, dtype=pl.UInt32))
    return pl.select(expr.otherwise(pl.lit(len(ks) - 1, dtype=pl.UInt32)).alias("c")).to_series()


def _share_better(idx_sorted: pl.Series, q_sorted: pl.Series, classed_sorted: pl.Series) -> pl.Series:
    """ties="better": a classed enterprise with the same total as a better-classed one shares its class."""
    frame = pl.DataFrame({"c": idx_sorted, "q": q_sorted}).with_row_index("_p").filter(classed_sorted)
    first_of_run = (frame["q"] != frame["q"].shift(1)).fill_null(True)
    shared = _where(first_of_run, frame["c"]).forward_fill()
    return idx_sorted.clone().scatter(frame["_p"], shared)


def _threshold_classes(q: pl.Series, rule: ThresholdRule) -> pl.Series:
    limits = [round(c.min_score * _SCALE) for c in rule.classes[:-1]]
    score = pl.lit(q)
    expr = pl.when(score >= limits[0]).then(pl.lit(0, dtype=pl.UInt32))
    for j, limit in enumerate(limits[1:], start=1):
        expr = expr.when(score >= limit).then(pl.lit(j, dtype=pl.UInt32))
    return pl.select(expr.otherwise(pl.lit(len(limits), dtype=pl.UInt32)).alias("c")).to_series()
