"""The evaluation engine on hand-made populations: every expected number is worked out here by hand from the
method's published benchmarks and weights (RULES.md §3), never taken from the engine's own output."""

from __future__ import annotations

import math

import polars as pl
import pytest

from jingkai.evaluation.engine import EvaluationError, EvaluationInputError, check_inputs, evaluate
from jingkai.evaluation.method import Method
from tests.evaluation.conftest import ABOVE, BELOW, assert_no_nan_or_inf, by_id, close, edited, frame

# 黄岩 2022 (RULES.md §3): weight ÷ benchmark per indicator, in the method's order.
HY = [(30, 24.097), (20, 136.16), (20, 2.694), (10, 4929.81), (10, 18.14), (10, 0.0302)]


def huangyan_points(tax_mu, va_mu, va_energy, va_emission, productivity, rd_share):
    return [
        v / b * w
        for v, (w, b) in zip((tax_mu, va_mu, va_energy, va_emission, productivity, rd_share), HY, strict=True)
    ]


def test_the_huangyan_worked_example(huangyan):
    inputs = frame(
        # land 20 亩, tax 723万元, VA 4000万元, energy 1000 tce, emissions 0.8 t, 160 staff, R&D 120 of revenue 4000
        {
            "land_mu": 20,
            "tax": 723,
            "value_added": 4000,
            "energy_tce": 1000,
            "emissions": 0.8,
            "employees": 160,
            "rd": 120,
            "revenue": 4000,
        },
        # no emission data: the average score of the others on that item
        {
            "land_mu": 10,
            "tax": 150,
            "value_added": 1000,
            "energy_tce": 500,
            "emissions": None,
            "employees": 80,
            "rd": 10,
            "revenue": 2500,
        },
        {
            "land_mu": 30,
            "tax": 400,
            "value_added": 3000,
            "energy_tce": 2000,
            "emissions": 1.2,
            "employees": 200,
            "rd": 30,
            "revenue": 6000,
        },
    )
    result = evaluate(inputs, huangyan)
    rows = by_id(result.results)

    e1 = huangyan_points(723 / 20, 4000 / 20, 4000 / 1000, 4000 / 0.8, 4000 / 160, 120 / 4000)
    e3 = huangyan_points(400 / 30, 3000 / 30, 3000 / 2000, 3000 / 1.2, 3000 / 200, 30 / 6000)
    average_emission = (e1[3] + e3[3]) / 2
    e2 = huangyan_points(150 / 10, 1000 / 10, 1000 / 500, 0, 1000 / 80, 10 / 2500)
    e2[3] = average_emission
    # e.g. e1: 36.15/24.097×30 + 200/136.16×20 + 4/2.694×20 + 5000/4929.81×10 + 25/18.14×10 + 0.03/0.0302×10
    assert close(e1[0], 36.15 / 24.097 * 30)
    expected = {1: e1, 2: e2, 3: e3}
    codes = ["tax_per_mu", "va_per_mu", "va_per_energy", "va_per_emission", "labour_productivity", "rd_share"]
    for eid, points in expected.items():
        for code, p in zip(codes, points, strict=True):
            assert close(rows[eid][f"{code}_points"], p, rel=1e-12), (eid, code)
        assert close(rows[eid]["total"], sum(points), rel=1e-12)
    assert rows[1]["tax_per_mu_value"] == pytest.approx(36.15)
    assert rows[1]["va_per_emission_value"] == pytest.approx(5000)
    assert rows[2]["va_per_emission_value"] is None
    assert rows[2]["va_per_emission_basis"] == "missing:mean_score"
    assert rows[1]["va_per_emission_basis"] == "value"
    assert rows[1]["tax_per_mu_benchmark"] == 24.097
    assert result.populations["above"].mean_points["va_per_emission"] == pytest.approx(average_emission)

    # Ranks follow the hand totals; three classed enterprises: A ranks ≤ floor(0.6) = 0, B ≤ floor(2.4) = 2,
    # C ≤ floor(2.85) = 2, D the rest.
    hand_order = sorted(expected, key=lambda eid: -sum(expected[eid]))
    assert [rows[eid]["rank"] for eid in hand_order] == [1, 2, 3]
    assert [rows[eid]["class"] for eid in hand_order] == ["B", "B", "D"]
    assert result.populations["above"].class_counts == {"A": 0, "B": 2, "C": 0, "D": 1}
    assert rows[hand_order[0]]["percentile"] == pytest.approx(100 / 3)
    assert result.method_version == huangyan.version_label
    assert set(result.results["method_version"]) == {huangyan.version_label}
    assert_no_nan_or_inf(result.results)


def test_zero_emissions_are_read_as_no_emission_data(huangyan):
    rows = by_id(
        evaluate(frame({"emissions": 0.0}, {"emissions": 0.6}, {"emissions": 0.3}), huangyan).results
    )
    others = [3000 / 0.6 / 4929.81 * 10, 3000 / 0.3 / 4929.81 * 10]
    assert rows[1]["va_per_emission_basis"] == "zero_denominator:mean_score"
    assert close(rows[1]["va_per_emission_points"], sum(others) / 2)


def test_the_mean_benchmark_is_the_zones_aggregate(pinghu):
    inputs = frame(
        {"land_mu": 10, "tax": 300},
        {"land_mu": 30, "tax": 300},
        {"land_mu": 0, "tax": 100},  # no land: excluded, and not in the zone's Σ
        {"population": "below", **{k: v for k, v in BELOW.items() if k != "population"}},
    )
    result = evaluate(inputs, pinghu)
    # Σ tax ÷ Σ land over the enterprises in scope: 600 / 40 = 15 万元/亩
    assert result.populations["above"].benchmarks["tax_per_mu"] == pytest.approx(15)
    rows = by_id(result.results)
    assert close(rows[1]["tax_per_mu_points"], 30 / 15 * 30)  # 2× the benchmark: exactly at the cap (60)
    assert close(rows[2]["tax_per_mu_points"], 10 / 15 * 30)
    assert rows[3]["status"] == "excluded"
    assert rows[3]["reason"] == "zero_denominator:tax_per_mu"
    # 规下 has its own benchmarks: its only enterprise is its own benchmark.
    assert result.populations["below"].benchmarks == {"tax_per_mu": 40 / 5, "tax_per_kwh": 40 / 150}


def test_zero_land_excludes_the_enterprise_with_the_reason(huangyan):
    result = evaluate(frame({"land_mu": 0.0}, {}, {"tax": 400}), huangyan)
    rows = by_id(result.results)
    assert (rows[1]["status"], rows[1]["reason"]) == ("excluded", "zero_denominator:tax_per_mu")
    assert rows[1]["total"] is None and rows[1]["rank"] is None and rows[1]["class"] is None
    assert [rows[2]["rank"], rows[3]["rank"]] == [1, 2]
    summary = result.populations["above"]
    assert (summary.scored, summary.excluded, summary.classed) == (2, 1, 2)
    assert summary.reasons == {"zero_denominator:tax_per_mu": 1}
    assert_no_nan_or_inf(result.results)


@pytest.mark.parametrize(("rounding", "expected"), [("floor", "D"), ("ceil", "A"), ("round", "B")])
def test_a_population_of_one(huangyan, rounding, expected):
    # floor: rank 1 of 1 is at 100%, inside only D's cumulative share; ceil: (1 − 1)/1 = 0 < 20%, so A;
    # round: A holds round(0.2) = 0 ranks, B round(0.8) = 1.
    method = edited(
        huangyan, class_rule=huangyan.populations["above"].class_rule.model_dump() | {"rounding": rounding}
    )
    row = evaluate(frame({}), method).results.row(0, named=True)
    assert (row["rank"], row["class_rank"], row["percentile"], row["class"]) == (1, 1, 100.0, expected)
    assert row["tax_per_mu_to_next"] is None  # no better class holds anyone


def _ladder(n: int, **row) -> pl.DataFrame:
    """n enterprises with distinct totals: enterprise i pays 100·i 万元 tax (higher id, higher score)."""
    return frame(*({"tax": 100.0 * i} | row for i in range(1, n + 1)))


@pytest.mark.parametrize(
    ("n", "rounding", "counts"),
    [
        (20, "floor", {"A": 4, "B": 12, "C": 3, "D": 1}),  # 4, 16, 19, 20: all exact
        (10, "floor", {"A": 2, "B": 6, "C": 1, "D": 1}),  # 2, 8, 9.5 → 9, 10
        (10, "ceil", {"A": 2, "B": 6, "C": 2, "D": 0}),  # 9.5 → 10
        (7, "floor", {"A": 1, "B": 4, "C": 1, "D": 1}),  # 1.4, 5.6, 6.65
        (7, "ceil", {"A": 2, "B": 4, "C": 1, "D": 0}),
    ],
)
def test_class_boundaries_at_exact_percentiles(huangyan, n, rounding, counts):
    method = edited(
        huangyan, class_rule=huangyan.populations["above"].class_rule.model_dump() | {"rounding": rounding}
    )
    result = evaluate(_ladder(n), method)
    assert result.populations["above"].class_counts == counts
    rows = by_id(result.results)
    # The best is the highest id; the classes follow the ranks in blocks.
    ranked = [rows[eid]["class"] for eid in range(n, 0, -1)]
    assert ranked == [c for c, k in counts.items() for _ in range(k)]
    assert [rows[eid]["rank"] for eid in range(n, 0, -1)] == list(range(1, n + 1))


def test_equal_totals_are_ordered_by_tax_per_mu_then_id(huangyan):
    # Enterprise 9 pays more tax per 亩 than 8; 8 makes up for it exactly in labour productivity, so both
    # totals are equal (to 6 decimals). 9 ranks first although its id is higher.
    tax_points = (600 - 500) / 20 / 24.097 * 30
    productivity = 3000 / 150 + tax_points / 10 * 18.14
    rows = [{"tax": 50.0 * i} for i in range(1, 8)]
    rows += [{"tax": 500.0, "employees": 3000 / productivity}, {"tax": 600.0}]
    rows += [{"tax": 50.0}]  # 10: the same figures as 1, a full tie broken by id
    result = evaluate(frame(*rows), huangyan)
    got = by_id(result.results)
    assert abs(got[8]["total"] - got[9]["total"]) < 1e-9
    assert got[9]["rank"] == 1 and got[8]["rank"] == 2
    # n = 10: A holds ranks 1–2, B 3–8, C 9, D 10. The full tie 1 / 10 sits at the C/D line: id 1 first.
    assert got[1]["total"] == got[10]["total"]
    assert (got[1]["rank"], got[1]["class"], got[10]["rank"], got[10]["class"]) == (9, "C", 10, "D")


def test_ties_can_share_the_better_class(huangyan):
    rule = huangyan.populations["above"].class_rule.model_dump() | {"ties": "better"}
    # A holds 2 of 10; 8 and 9 tie for rank 2, on the A line
    rows = [{"tax": 100.0 * i} for i in range(1, 8)] + [{"tax": 800.0}, {"tax": 800.0}, {"tax": 900.0}]
    ordered = by_id(evaluate(frame(*rows), huangyan).results)
    assert [ordered[i]["class"] for i in (10, 8, 9)] == ["A", "A", "B"]  # the tie broken by id: 8 before 9
    assert [ordered[i]["rank"] for i in (10, 8, 9)] == [1, 2, 3]
    shared = evaluate(frame(*rows), edited(huangyan, class_rule=rule))
    got = by_id(shared.results)
    assert [got[i]["class"] for i in (10, 9, 8)] == ["A", "A", "A"]
    assert shared.populations["above"].class_counts == {"A": 3, "B": 5, "C": 1, "D": 1}


def test_the_not_classed_rules(huangyan):
    result = evaluate(
        frame(
            {"founded_year": 2021, "tax": 900},  # 1 year old in 2022: not classed, but scored and ranked
            {"founded_year": 2020},  # 2 years old: classed
            {"flag_under_construction": True},
            {"industry": "D4430"},  # 热力生产和供应: a utility, not classed
            {"industry": "D4610"},  # 自来水: out of scope
            {"industry": "D4417"},  # 生物质能发电 (waste incineration): out of scope
            {"tax": 800},
        ),
        huangyan,
    )
    rows = by_id(result.results)
    assert [rows[i]["status"] for i in range(1, 8)] == [
        "not_classed", "classed", "not_classed", "not_classed", "excluded", "excluded", "classed",
    ]  # fmt: skip
    assert [rows[i]["reason"] for i in range(1, 8)] == [
        "young", None, "under_construction", "utility", "excluded_industry", "excluded_industry", None,
    ]  # fmt: skip
    assert rows[1]["rank"] == 1 and rows[1]["class"] is None and rows[1]["class_rank"] is None
    assert rows[1]["tax_per_mu_to_next"] is None
    # class ranks count the classed only: 2 and 7, and 7 (more tax) is first of them
    assert (rows[7]["class_rank"], rows[2]["class_rank"]) == (1, 2)
    summary = result.populations["above"]
    assert (summary.scored, summary.classed, summary.excluded) == (5, 2, 2)
    assert sum(summary.class_counts.values()) == 2


def test_below_size_needs_three_mu(huangyan):
    below = {k: v for k, v in BELOW.items() if k != "population"} | {"population": "below"}
    result = evaluate(frame(below | {"land_mu": 2.99}, below | {"land_mu": 3.0}, {}), huangyan)
    rows = by_id(result.results)
    assert (rows[1]["status"], rows[1]["reason"]) == ("excluded", "land_below_minimum")
    assert rows[2]["status"] == "classed"
    # 规下: 亩均税收 ÷ 11.5932 × 50 + 单位用电税收 ÷ 0.2352 × 50
    assert close(rows[2]["total"], 40 / 3 / 11.5932 * 50 + 40 / 150 / 0.2352 * 50)
    assert rows[3]["population"] == "above"
    assert result.populations["below"].rows == 2


def test_a_cap_limits_the_points_and_the_distance(pinghu):
    rows = [{"tax": 100.0 * i} for i in range(1, 10)] + [{"tax": 50_000.0}]
    result = evaluate(frame(*rows), pinghu)
    got = by_id(result.results)
    assert got[10]["tax_per_mu_points"] == 60.0 and got[10]["tax_per_mu_basis"] == "capped"
    assert got[10]["class"] == "A"
    # Enterprise 8 (class B) cannot reach A through 亩均税收 if A's line is more than the cap away.
    gap = got[8]["next_class_score"] - got[8]["total"]
    head_room = 60 - got[8]["tax_per_mu_points"]
    assert (got[8]["tax_per_mu_to_next"] is None) == (gap > head_room)
    assert_no_nan_or_inf(result.results)


def test_a_floor_keeps_a_loss_at_zero_points_and_the_distance_climbs_from_it(pinghu):
    rows = [{"tax": 100.0 * i} for i in range(1, 10)] + [{"tax": -200.0}]
    result = evaluate(frame(*rows), pinghu)
    got = by_id(result.results)
    assert got[10]["tax_per_mu_value"] == -10.0
    assert (got[10]["tax_per_mu_points"], got[10]["tax_per_mu_basis"]) == (0.0, "floored")
    benchmark = result.populations["above"].benchmarks["tax_per_mu"]
    gap = got[10]["next_class_score"] - got[10]["total"]
    # from −10 万元/亩 to the value that scores the gap: gap ÷ 30 × benchmark
    assert close(got[10]["tax_per_mu_to_next"], gap / 30 * benchmark + 10, rel=1e-9)


def test_bonus_and_penalty_items_are_capped(pinghu):
    flags = {
        "flag_high_tech": 1,
        "flag_specialised": 1,
        "flag_rd_institutions": 3,  # 1 point each, at most 2
        "flag_safety_accidents": 0,
        "flag_environmental_penalties": 0,
        "flag_under_construction": 0,
    }
    inputs = frame(
        flags,  # bonus 2 + 2 + 2 = 6, capped at 5
        flags
        | {"flag_high_tech": 0, "flag_specialised": 0, "flag_rd_institutions": 0, "flag_safety_accidents": 1},
        flags
        | {"flag_high_tech": 0, "flag_specialised": 0, "flag_rd_institutions": 0, "flag_safety_accidents": 3},
        flags | {"flag_rd_institutions": 1, "flag_specialised": 0, "flag_environmental_penalties": 1},
        extra=dict.fromkeys(flags, pl.Int64),
    )
    rows = by_id(evaluate(inputs, pinghu).results)
    assert [(rows[i]["bonus"], rows[i]["penalty"]) for i in range(1, 5)] == [(5, 0), (0, 5), (0, 10), (3, 3)]
    indicator_points = rows[1]["total"] - 5
    # the same figures everywhere: the totals differ by the adjustments only
    assert close(rows[3]["total"], indicator_points - 10)
    assert close(rows[4]["total"], indicator_points + 3 - 3)


def _raised(inputs: pl.DataFrame, eid: int, code: str, increase: float) -> pl.DataFrame:
    """The inputs with enterprise eid's value of one indicator raised by `increase`, nothing else changed."""
    row = inputs.filter(pl.col("enterprise_id") == eid).row(0, named=True)
    if code == "tax_per_mu":  # tax appears in no other 规上 indicator
        change = {"tax": (row["tax"] / row["land_mu"] + increase) * row["land_mu"]}
    elif code == "rd_share":
        change = {"rd": (row["rd"] / row["revenue"] + increase) * row["revenue"]}
    elif code == "labour_productivity":  # employees appears in no other indicator
        change = {"employees": row["value_added"] / (row["value_added"] / row["employees"] + increase)}
    elif code == "va_per_energy":
        change = {"energy_tce": row["value_added"] / (row["value_added"] / row["energy_tce"] + increase)}
    else:
        raise AssertionError(code)
    return inputs.with_columns(
        pl.when(pl.col("enterprise_id") == eid).then(pl.lit(v)).otherwise(pl.col(k)).alias(k)
        for k, v in change.items()
    )


@pytest.mark.parametrize("code", ["tax_per_mu", "rd_share", "labour_productivity", "va_per_energy"])
def test_the_distance_to_the_next_class_is_exact(huangyan, code):
    inputs = _ladder(20, rd=60.0)
    before = by_id(evaluate(inputs, huangyan).results)
    eid = 11  # rank 10 of 20: class B; A holds ranks 1–4 (enterprises 20 … 17)
    assert (before[eid]["class"], before[eid]["next_class"]) == ("B", "A")
    line = before[17]["total"]
    assert before[eid]["next_class_score"] == line
    distance = before[eid][f"{code}_to_next"]
    assert distance > 0

    exactly = by_id(evaluate(_raised(inputs, eid, code, distance), huangyan).results)
    assert math.isclose(exactly[eid]["total"], line, rel_tol=1e-9)
    # at the line it ties with enterprise 17: more 亩均税收 wins, then the lower id
    a_little_more = by_id(evaluate(_raised(inputs, eid, code, distance * (1 + 1e-6)), huangyan).results)
    assert a_little_more[eid]["class"] == "A" and a_little_more[17]["class"] == "B"
    a_little_less = by_id(evaluate(_raised(inputs, eid, code, distance * (1 - 1e-6)), huangyan).results)
    assert a_little_less[eid]["class"] == "B" and a_little_less[17]["class"] == "A"


def test_the_distance_to_a_score_threshold_is_exact(huangyan):
    classes = [
        {"code": "A", "min_score": 150},
        {"code": "B", "min_score": 110},
        {"code": "C", "min_score": 90},
        {"code": "D"},
    ]
    method = edited(huangyan, class_rule={"rule": "threshold", "classes": classes})
    inputs = _ladder(20, rd=60.0)
    before = by_id(evaluate(inputs, method).results)
    below_b = [eid for eid, row in before.items() if row["class"] == "C"]
    assert below_b
    eid = below_b[0]
    assert before[eid]["next_class_score"] == 110
    after = by_id(
        evaluate(_raised(inputs, eid, "tax_per_mu", before[eid]["tax_per_mu_to_next"]), method).results
    )
    assert math.isclose(after[eid]["total"], 110, rel_tol=1e-12)
    assert after[eid]["class"] == "B"  # the line counts (≥, to 6 decimals)


def test_no_distance_in_the_top_class_or_from_missing_data(huangyan):
    rows = by_id(evaluate(_ladder(20, emissions=None), huangyan).results)
    assert rows[20]["class"] == "A" and rows[20]["tax_per_mu_to_next"] is None
    assert rows[5]["va_per_emission_to_next"] is None  # its points are the average, not from a value
    assert rows[5]["tax_per_mu_to_next"] is not None


def test_last_years_mean_as_benchmark(huangyan):
    data = huangyan.to_dict()
    data["populations"]["above"]["indicators"][0]["benchmark"] = {"rule": "last_year_mean", "multiple": 2.0}
    method = Method.from_dict(data)
    inputs = _ladder(5)
    last = evaluate(inputs, huangyan)
    mean = last.populations["above"].means["ratio_of_sums"]["tax_per_mu"]
    assert mean == pytest.approx(sum(100 * i for i in range(1, 6)) / (5 * 20))
    result = evaluate(inputs, method, last_year_means=last.last_year_means())
    assert result.populations["above"].benchmarks["tax_per_mu"] == pytest.approx(2 * mean)
    with pytest.raises(EvaluationError, match="multiple of last year's mean, and none was given"):
        evaluate(inputs, method)


def test_a_mean_benchmark_of_zero_refuses_the_run(pinghu):
    with pytest.raises(EvaluationError, match=r"above.rd_share .*mean, which is 0"):
        evaluate(frame({"rd": 0.0}, {"rd": 0.0}), pinghu)


def test_refuse_names_the_enterprises(huangyan):
    data = huangyan.to_dict()
    data["populations"]["above"]["indicators"][2]["missing"] = "refuse"
    with pytest.raises(
        EvaluationInputError, match=r"va_per_energy \(单位能耗增加值\): enterprise 2: missing"
    ):
        evaluate(frame({}, {"energy_tce": None}), Method.from_dict(data))


def test_a_population_without_a_method_is_not_evaluated(huangyan):
    data = huangyan.to_dict()
    del data["populations"]["below"]
    below = {k: v for k, v in BELOW.items() if k != "population"} | {"population": "below"}
    result = evaluate(frame({}, below), Method.from_dict(data))
    rows = by_id(result.results)
    assert (rows[2]["status"], rows[2]["reason"]) == ("not_evaluated", "no_method_for_population")
    assert rows[1]["status"] == "classed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop("energy_tce"), "above: the method needs the input columns energy_tce"),
        (
            lambda f: f.with_columns(enterprise_id=pl.lit(7)),
            "column enterprise_id: enterprise 7, 7 appear more than once",
        ),
        (
            lambda f: f.with_columns(land_mu=pl.lit(-1.0)),
            "column land_mu (亩): enterprise 1, 2: negative value",
        ),
        (lambda f: f.with_columns(tax=pl.lit("500")), "column tax (万元): numbers expected, got String"),
        (
            lambda f: f.with_columns(population=pl.lit("规上")),
            "column population: enterprise 1, 2: not one of above, below",
        ),
        (
            lambda f: f.with_columns(emissions=pl.lit(float("inf"))),
            "column emissions: enterprise 1, 2: infinite value",
        ),
        (
            lambda f: f.with_columns(founded_year=pl.lit(2023)),
            "column founded_year: enterprise 1, 2: after 2022",
        ),
        (
            lambda f: f.with_columns(industry=pl.lit(None, pl.String)),
            "column industry: enterprise 1, 2: missing",
        ),
        (
            lambda f: f.with_columns(industry=pl.lit("3421")),
            "column industry: enterprise 1, 2: not a GB/T 4754-2017 code",
        ),
        (
            lambda f: f.with_columns(flag_under_construction=pl.lit(0.5)),
            "column flag_under_construction: true/false or a count",
        ),
        (lambda f: f.drop("population"), "column population: missing"),
    ],
)
def test_bad_inputs_are_refused_with_the_column_and_the_enterprises(huangyan, change, message):
    with pytest.raises(EvaluationInputError) as error:
        evaluate(change(frame({}, {})), huangyan)
    assert any(e.startswith(message) for e in error.value.errors), error.value.errors


def test_nan_is_read_as_missing_and_plain_columns_are_accepted(huangyan):
    columns = {name: [ABOVE[name], ABOVE[name]] for name in ABOVE}
    columns |= {
        "enterprise_id": ["91330482MA2B000001", "91330482MA2B000002"],
        "emissions": [float("nan"), 0.5],
    }
    result = evaluate(columns, huangyan)
    rows = by_id(result.results)
    assert rows["91330482MA2B000001"]["va_per_emission_basis"] == "missing:mean_score"
    # the same figures otherwise, so the same total (the average of one is the other's score): the id decides
    assert rows["91330482MA2B000001"]["rank"] == 1
    assert_no_nan_or_inf(result.results)


def test_checked_inputs_serve_several_methods(huangyan, pinghu):
    checked = check_inputs(_ladder(6))
    assert evaluate(checked, huangyan).results.height == evaluate(checked, pinghu).results.height == 6


def test_empty_inputs(huangyan):
    result = evaluate(frame({}).clear(), huangyan)
    assert result.results.height == 0 and result.populations == {}


def test_a_population_with_nobody_in_scope_needs_no_benchmark(pinghu):
    # No 规下 enterprise uses 3 亩: the population's mean benchmark is undefined, and needed by no one.
    small = {k: v for k, v in BELOW.items() if k != "population"} | {"population": "below", "land_mu": 2.0}
    result = evaluate(frame({}, {"tax": 800}, small), pinghu)
    rows = by_id(result.results)
    assert (rows[3]["status"], rows[3]["reason"], rows[3]["total"]) == (
        "excluded",
        "land_below_minimum",
        None,
    )
    assert result.populations["below"].scored == 0
    assert result.populations["below"].reasons == {"land_below_minimum": 1}
    assert rows[2]["class"] is not None
    assert_no_nan_or_inf(result.results)


def test_the_core_is_framework_free():
    # The app wraps the engine later; the engine itself must import without Django (nor any settings).
    import subprocess
    import sys

    code = (
        "import sys, jingkai.evaluation as e; from jingkai.evaluation.methods import load; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": "/usr/bin:/bin"})


def test_parts_hold_each_populations_own_columns(huangyan):
    below = {k: v for k, v in BELOW.items() if k != "population"} | {"population": "below"}
    result = evaluate(frame({}, below, {"tax": 900}), huangyan)
    assert set(result.parts) == {"above", "below"}
    assert "tax_per_kwh_points" in result.parts["below"].columns
    assert "rd_share_points" not in result.parts["below"].columns
    assert result.results.height == 3
    assert result.results["enterprise_id"].to_list() == [1, 3, 2]  # above, then below; by id within each
    assert result.results.filter(pl.col("population") == "below")["rd_share_points"].to_list() == [None]
