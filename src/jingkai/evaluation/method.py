"""An evaluation method as versioned data (issue 14 §1; RULES.md §3).

A :class:`Method` is one year's 亩均效益综合评价 method of one zone: for each population (``above`` = 规上,
``below`` = 规下) the indicators (formula as numerator ÷ denominator × multiplier, the unit as officials write it,
weight, benchmark rule, optional cap and floor on the points, what to do when an input is missing or a
denominator is zero), the class rule (rank percentiles or score thresholds), the scope rules (who is left out,
who is scored but not classed), the bonus and penalty items with the evidence they need, and the tie-break.

Every number here is per-year configuration (RULES.md §3 "numbers local"); nothing in the engine is specific to
one county. A method is validated when it is built, from Python or from JSON: an inconsistent method (weights
that do not add up to 100, class shares that do not add up to 100, an unknown input column, a rule that needs a
cap the indicator does not have, an unknown key) is refused with a :class:`MethodError` whose messages each name
the place (``populations.above.indicators[2].weight: …``). ``to_json``/``from_json`` round-trip exactly, and
:attr:`Method.digest` (SHA-256 of the canonical JSON) lets a stored, frozen copy prove it is unchanged.

The JSON shape, in short (see ``methods/huangyan_2022.py`` for a whole one)::

    {"code": "huangyan-2022", "version": 1, "year": 2022, "name": "…", "source": "…",
     "populations": {"above": {
        "label": "规上工业企业",
        "indicators": [{"code": "tax_per_mu", "name": "亩均税收", "numerator": "tax", "denominator": "land_mu",
                        "unit": "万元/亩", "weight": 30, "benchmark": {"rule": "value", "value": 24.097},
                        "missing": "zero", "zero_denominator": "exclude"}, …],
        "class_rule": {"rule": "percentile", "rounding": "floor", "ties": "order",
                       "classes": [{"code": "A", "share": 20}, {"code": "B", "share": 60}, …]},
        "exclude": [{"rule": "industry", "prefixes": ["D441", "D45", "D46"], "reason": "excluded_industry"}],
        "not_classed": [{"rule": "min_age", "years": 2, "reason": "young"}],
        "adjustments": [], "tie_break": ["tax_per_mu"]}}}

This module is framework-free (no Django): the evaluation app stores ``to_dict()`` and rebuilds the method with
``Method.from_dict`` when it runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

POPULATIONS: dict[str, str] = {"above": "规上工业企业", "below": "规下工业企业"}


@dataclass(frozen=True)
class InputColumn:
    label: str  # as the annual input table heads it
    unit: str  # as officials write it ("" where there is none)
    kind: Literal["id", "population", "number", "text", "year", "flag"]
    nonnegative: bool = False


# The input columns an engine run may read (issue 14 §2). Numbers are in the units shown; money in 万元.
# Tax and value added may be negative (refunds, losses); quantities may not.
INPUT_COLUMNS: dict[str, InputColumn] = {
    "enterprise_id": InputColumn("企业", "", "id"),
    "population": InputColumn("规上/规下", "", "population"),
    "land_mu": InputColumn("用地面积", "亩", "number", nonnegative=True),
    "tax": InputColumn("评价税收（实缴税金）", "万元", "number"),
    "value_added": InputColumn("工业增加值", "万元", "number"),
    "output": InputColumn("工业总产值", "万元", "number", nonnegative=True),
    "revenue": InputColumn("营业收入（主营业务收入）", "万元", "number", nonnegative=True),
    "rd": InputColumn("R&D经费支出", "万元", "number", nonnegative=True),
    "energy_tce": InputColumn("综合能耗（等价值）", "吨标准煤", "number", nonnegative=True),
    "electricity": InputColumn("用电量", "万千瓦时", "number", nonnegative=True),
    "emissions": InputColumn("主要污染物排放当量", "吨", "number", nonnegative=True),
    "employees": InputColumn("年平均职工人数", "人", "number", nonnegative=True),
    "industry": InputColumn("行业代码（GB/T 4754-2017）", "", "text"),
    "founded_year": InputColumn("成立年份", "年", "year"),
}
# Flags and counts the method itself names (under construction, 高新技术企业, a safety accident …): a column
# called flag_<name>, boolean or a non-negative count; null reads as false / 0.
FLAG_COLUMN = re.compile(r"^flag_[a-z][a-z0-9_]*$")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
METHOD_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
INDUSTRY_PREFIX = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$")
CLASS_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,3}$")

# What an indicator scores when its value cannot be computed (issue 14 §1):
#   mean_score  the average points of this indicator over the population's enterprises that have a value
#               (黄岩: "规上无排放数据的，单位排放增加值得分按规上企业此项平均得分赋分");
#   zero        0 points (无数据不得分);
#   weight      the weight (as if exactly at the benchmark);
#   cap         the indicator's cap (needs a cap);
#   exclude     the enterprise is left out of the population (status "excluded", reason "missing:<code>" or
#               "zero_denominator:<code>"): not scored, not ranked, not in the benchmarks;
#   refuse      the whole run is refused with the enterprises named: the input must be completed first.
MissingRule = Literal["mean_score", "zero", "weight", "cap", "exclude", "refuse"]


class MethodError(ValueError):
    """A method that cannot be used, with one located message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("invalid evaluation method:\n  " + "\n  ".join(errors))


class _Model(BaseModel):
    # Unknown keys are refused ("wieght" must not silently become the default weight).
    # Strict: "20" (a string) is not a weight, true is not 1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_code(value: str, what: str = "") -> str:
    if not CODE.match(value):
        raise ValueError(f"{what}{value!r} is not a code (lower-case letters, digits and _)")
    return value


def _check_flag(value: str) -> str:
    if not FLAG_COLUMN.match(value):
        raise ValueError(f"{value!r} is not a flag column (flag_<name>, lower-case)")
    return value


def _exact(number: float | int) -> Fraction:
    # Decimal reading of the number as written (20, 12.5, 0.0302): sums are checked exactly, not within a tolerance.
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


# --- benchmark rules --------------------------------------------------------------------------------------


class ValueBenchmark(_Model):
    """An explicit benchmark, as published (黄岩 2022: 亩均税收 24.097)."""

    rule: Literal["value"]
    value: float = Field(gt=0, allow_inf_nan=False)


class MeanBenchmark(_Model):
    """The population's mean this year, times ``multiple``.

    ``of="ratio_of_sums"`` is the zone's aggregate figure (Σ tax ÷ Σ land: the 全区亩均税收 officials publish);
    ``of="mean_of_values"`` the plain mean of the enterprises' values. Either is taken over the enterprises in
    scope (not excluded; not-classed ones count) that have a value for the indicator.
    """

    rule: Literal["mean"]
    of: Literal["ratio_of_sums", "mean_of_values"] = "ratio_of_sums"
    multiple: float = Field(1.0, gt=0, allow_inf_nan=False)


class LastYearMeanBenchmark(_Model):
    """A multiple of last year's population mean (RULES.md §3: "about 2× last year's average").

    Last year's mean is given to the engine (``evaluate(..., last_year_means=...)``), normally from last year's
    stored run; a run without it is refused.
    """

    rule: Literal["last_year_mean"]
    of: Literal["ratio_of_sums", "mean_of_values"] = "ratio_of_sums"
    multiple: float = Field(1.0, gt=0, allow_inf_nan=False)


Benchmark = Annotated[ValueBenchmark | MeanBenchmark | LastYearMeanBenchmark, Field(discriminator="rule")]


# --- indicators -------------------------------------------------------------------------------------------


class Indicator(_Model):
    """value = numerator ÷ denominator × multiplier; points = value ÷ benchmark × weight, then cap / floor."""

    code: str
    name: str = Field(min_length=1)
    numerator: str
    denominator: str
    multiplier: float = Field(1.0, gt=0, allow_inf_nan=False)
    unit: str
    weight: float = Field(gt=0, allow_inf_nan=False)
    benchmark: Benchmark
    cap: float | None = Field(None, gt=0, allow_inf_nan=False)  # most points the indicator can give
    floor: float | None = Field(None, allow_inf_nan=False)  # fewest points (e.g. 0: a loss scores 0, not < 0)
    missing: MissingRule  # numerator or denominator missing
    zero_denominator: MissingRule | None = None  # denominator 0; None: as ``missing``

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value)

    @field_validator("numerator", "denominator")
    @classmethod
    def _column(cls, value: str) -> str:
        column = INPUT_COLUMNS.get(value)
        if column is None or column.kind != "number":
            numbers = ", ".join(name for name, c in INPUT_COLUMNS.items() if c.kind == "number")
            raise ValueError(f"{value!r} is not a known numeric input column ({numbers})")
        return value

    @model_validator(mode="after")
    def _rules(self) -> Indicator:
        if self.cap is not None and self.floor is not None and self.floor >= self.cap:
            raise ValueError(f"floor {self.floor} is not below cap {self.cap}")
        for name in ("missing", "zero_denominator"):
            if getattr(self, name) == "cap" and self.cap is None:
                raise ValueError(f"{name} is 'cap' but the indicator has no cap")
        return self

    @property
    def on_zero(self) -> MissingRule:
        return self.zero_denominator or self.missing


# --- classes ----------------------------------------------------------------------------------------------


class ShareClass(_Model):
    code: str
    share: float = Field(ge=0, le=100, allow_inf_nan=False)  # percent of the classed enterprises


class PercentileRule(_Model):
    """Classes by rank: A the top ``share`` percent, B the next, … (温岭 2022: 20/60/15/5).

    With n classed enterprises and the cumulative share S of a class and those above it, the class holds ranks
    up to k(S) = floor(S·n/100) (``rounding="floor"``: an enterprise at rank r is in the class when r/n ≤ S,
    the texts' "排名前20%（含）"), ceil(S·n/100) (``"ceil"``: when (r−1)/n < S, the enterprise gets the better
    class whenever its rank straddles the line) or the nearest integer, halves up (``"round"``). The last class
    takes the rest. k is computed exactly (fractions), so 20% of 10 is 2, never 1.9999.

    ``ties="order"``: equal totals are ordered by the tie-break and may fall in different classes (the class
    counts are exactly k); ``ties="better"``: enterprises with the same total as one in a better class share
    that class (counts may exceed k).
    """

    rule: Literal["percentile"]
    classes: list[ShareClass] = Field(min_length=2)
    rounding: Literal["floor", "ceil", "round"] = "floor"
    ties: Literal["order", "better"] = "order"

    @model_validator(mode="after")
    def _sum(self) -> PercentileRule:
        total = sum(_exact(c.share) for c in self.classes)
        if total != 100:
            raise ValueError(f"class shares add up to {float(total):g}, not 100")
        _unique_codes([c.code for c in self.classes])
        return self

    def cumulative_counts(self, n: int) -> list[int]:
        """Last rank of each class among n classed enterprises (exact; the last is always n)."""
        out, cumulative = [], Fraction(0)
        for item in self.classes:
            cumulative += _exact(item.share)
            exact = cumulative * n / 100
            if self.rounding == "floor":
                k = exact.numerator // exact.denominator
            elif self.rounding == "ceil":
                k = -((-exact.numerator) // exact.denominator)
            else:
                half = exact + Fraction(1, 2)
                k = half.numerator // half.denominator
            out.append(min(k, n))
        out[-1] = n
        return out


class ThresholdClass(_Model):
    code: str
    min_score: float | None = Field(None, allow_inf_nan=False)  # None: the last class, taking the rest


class ThresholdRule(_Model):
    """Classes by score: the first class whose ``min_score`` the total reaches (≥, compared to 6 decimals)."""

    rule: Literal["threshold"]
    classes: list[ThresholdClass] = Field(min_length=2)

    @model_validator(mode="after")
    def _order(self) -> ThresholdRule:
        *upper, last = self.classes
        if last.min_score is not None:
            raise ValueError("the last class takes the rest: it has no min_score")
        if any(c.min_score is None for c in upper):
            raise ValueError("every class but the last needs a min_score")
        scores = [c.min_score for c in upper]
        if any(a <= b for a, b in zip(scores, scores[1:], strict=False)):
            raise ValueError(f"min_score must decrease from class to class: {scores}")
        _unique_codes([c.code for c in self.classes])
        return self


ClassRule = Annotated[PercentileRule | ThresholdRule, Field(discriminator="rule")]


def _unique_codes(codes: list[str]) -> None:
    for code in codes:
        if not CLASS_CODE.match(code):
            raise ValueError(f"class code {code!r} is not upper-case letters/digits (A, B, C, D …)")
    if len(set(codes)) != len(codes):
        raise ValueError(f"class codes repeat: {codes}")


# --- scope rules ------------------------------------------------------------------------------------------


class _Scope(_Model):
    reason: str  # the reason code shown with the enterprise ("excluded_industry", "young" …)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _check_code(value, "reason ")


class IndustryRule(_Scope):
    """Enterprises whose GB/T 4754-2017 code starts with one of the prefixes (D45 = 燃气生产和供应业)."""

    rule: Literal["industry"]
    prefixes: list[str] = Field(min_length=1)

    @field_validator("prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        bad = [p for p in value if not INDUSTRY_PREFIX.match(p)]
        if bad:
            raise ValueError(f"not GB/T 4754-2017 prefixes (section letter, then 2–4 digits): {bad}")
        return value


class MinLandRule(_Scope):
    """Enterprises using less than ``mu`` 亩 (规下: 3 亩; older texts 5)."""

    rule: Literal["min_land"]
    mu: float = Field(gt=0, allow_inf_nan=False)


class MinAgeRule(_Scope):
    """Enterprises under ``years`` old: evaluation year − founded year < years (founded 2021, year 2022: 1)."""

    rule: Literal["min_age"]
    years: int = Field(ge=1)


class FlagRule(_Scope):
    """Enterprises whose flag column is set (under construction, a utility …)."""

    rule: Literal["flag"]
    column: str

    @field_validator("column")
    @classmethod
    def _flag(cls, value: str) -> str:
        return _check_flag(value)


ScopeRule = Annotated[IndustryRule | MinLandRule | MinAgeRule | FlagRule, Field(discriminator="rule")]


# --- bonus and penalty ------------------------------------------------------------------------------------


class Adjustment(_Model):
    """A bonus or penalty item: ``points`` per unit of its flag column (a flag counts 1), at most ``max_points``."""

    code: str
    name: str = Field(min_length=1)
    kind: Literal["bonus", "penalty"]
    column: str
    points: float = Field(gt=0, allow_inf_nan=False)
    max_points: float | None = Field(None, gt=0, allow_inf_nan=False)
    evidence: str = Field(min_length=1)  # what proves it (证书, 处罚决定书 …): the app asks for it

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return _check_code(value)

    @field_validator("column")
    @classmethod
    def _flag(cls, value: str) -> str:
        return _check_flag(value)


# --- population and method --------------------------------------------------------------------------------


class PopulationMethod(_Model):
    label: str = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)
    class_rule: ClassRule
    exclude: list[ScopeRule] = []  # out of scope: not scored, not ranked
    not_classed: list[ScopeRule] = []  # scored and ranked, no class (RULES.md §3)
    adjustments: list[Adjustment] = []
    bonus_cap: float | None = Field(None, gt=0, allow_inf_nan=False)
    penalty_cap: float | None = Field(None, gt=0, allow_inf_nan=False)
    # Indicator values compared (higher first) when totals are equal; the enterprise id (ascending) comes last.
    tie_break: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> PopulationMethod:
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            raise ValueError(f"indicator codes repeat: {codes}")
        weights = sum(_exact(i.weight) for i in self.indicators)
        if weights != 100:
            raise ValueError(f"indicator weights add up to {float(weights):g}, not 100")
        unknown = [code for code in self.tie_break if code not in codes]
        if unknown:
            raise ValueError(f"tie_break names unknown indicators {unknown} (indicators: {codes})")
        items = [a.code for a in self.adjustments]
        if len(set(items)) != len(items):
            raise ValueError(f"adjustment codes repeat: {items}")
        return self

    def columns(self) -> set[str]:
        """The input columns this population's evaluation reads."""
        out = {"enterprise_id", "population"}
        for indicator in self.indicators:
            out |= {indicator.numerator, indicator.denominator}
        for rule in [*self.exclude, *self.not_classed]:
            out.add(
                {"industry": "industry", "min_land": "land_mu", "min_age": "founded_year"}.get(rule.rule)
                or rule.column
            )
        out |= {a.column for a in self.adjustments}
        return out


class Method(_Model):
    code: str
    version: int = Field(ge=1)
    year: int = Field(ge=2000, le=2100)
    name: str = Field(min_length=1)
    source: str = ""  # the documents the method follows (RULES.md §3 sources)
    notes: str = ""  # choices the sources do not settle, said in words
    populations: dict[Literal["above", "below"], PopulationMethod] = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _method_code(cls, value: str) -> str:
        if not METHOD_CODE.match(value):
            raise ValueError(f"{value!r} is not a method code (lower-case letters, digits and -)")
        return value

    # --- (de)serialisation ---

    @classmethod
    def from_dict(cls, data: Any) -> Method:
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise MethodError(_located(error)) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Method:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MethodError(
                [f"line {error.lineno}, column {error.colno}: not JSON ({error.msg})"]
            ) from None
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical JSON: equal for equal methods, different after any edit."""
        canonical = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def version_label(self) -> str:
        """What a result row records: code@version:digest (the digest catches an edit without a new version)."""
        return f"{self.code}@{self.version}:{self.digest[:12]}"

    def copy_for_year(self, year: int, code: str) -> Method:
        """Last year's method as the start of this year's (version 1); explicit benchmarks need their new values."""
        data = self.to_dict() | {"year": year, "version": 1, "code": code}
        return Method.from_dict(data)


# Fields holding a tagged union: pydantic puts the member's tag in the error location right after them
# ("benchmark.value.value" for the value of a {"rule": "value"} benchmark); the message reads better without it.
_UNION_FIELDS = {"benchmark", "class_rule"}
_UNION_LISTS = {"exclude", "not_classed"}


def _located(error: ValidationError) -> list[str]:
    out = []
    for item in error.errors(include_url=False):
        loc, path, index = item["loc"], "", 0
        while index < len(loc):
            part = loc[index]
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
            union = part in _UNION_FIELDS or (
                isinstance(part, int) and index > 0 and loc[index - 1] in _UNION_LISTS
            )
            index += 2 if union and index + 1 < len(loc) else 1
        message = item["msg"].removeprefix("Value error, ")
        out.append(f"{path or '(method)'}: {message}")
    return out
