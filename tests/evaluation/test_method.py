"""The evaluation method as versioned data: the shipped methods, JSON round trips, validation with located messages."""

from __future__ import annotations

import copy
import json

import pytest

from jingkai.evaluation.method import Method, MethodError, PercentileRule
from jingkai.evaluation.methods import SHIPPED, huangyan_2022, load


def test_huangyan_2022_is_the_published_formula():
    # RULES.md §3: 亩均税收, 亩均增加值, 单位能耗增加值, 单位排放增加值, 全员劳动生产率, R&D 经费占比;
    # weights 30/20/20/10/10/10 (energy 20); 2022 benchmarks 24.097, 136.16, 2.694, 4929.81, 18.14, 0.0302.
    above = load("huangyan-2022").populations["above"]
    assert [(i.name, i.weight, i.benchmark.value) for i in above.indicators] == [
        ("亩均税收", 30, 24.097),
        ("亩均增加值", 20, 136.16),
        ("单位能耗增加值", 20, 2.694),
        ("单位排放增加值", 10, 4929.81),
        ("全员劳动生产率", 10, 18.14),
        ("R&D经费占主营业务收入比重", 10, 0.0302),
    ]
    assert [(i.numerator, i.denominator) for i in above.indicators] == [
        ("tax", "land_mu"),
        ("value_added", "land_mu"),
        ("value_added", "energy_tce"),
        ("value_added", "emissions"),
        ("value_added", "employees"),
        ("rd", "revenue"),
    ]
    emission = above.indicators[3]
    assert (emission.missing, emission.on_zero) == ("mean_score", "mean_score")  # 无排放数据的按平均得分赋分
    below = load("huangyan-2022").populations["below"]
    assert [(i.code, i.weight, i.benchmark.value) for i in below.indicators] == [
        ("tax_per_mu", 50, 11.5932),
        ("tax_per_kwh", 50, 0.2352),
    ]
    assert any(rule.rule == "min_land" and rule.mu == 3 for rule in below.exclude)


def test_pinghu_method_takes_its_benchmarks_from_the_population():
    method = load("pinghu-2022")
    above, below = method.populations["above"], method.populations["below"]
    assert [i.weight for i in above.indicators] == [30, 20, 20, 10, 10, 10]
    assert all(i.benchmark.rule == "mean" and i.benchmark.of == "ratio_of_sums" for i in above.indicators)
    assert [(i.name, i.weight) for i in below.indicators] == [("亩均税收", 50), ("单位电耗税收", 50)]
    assert [(c.code, c.share) for c in above.class_rule.classes] == [
        ("A", 20),
        ("B", 60),
        ("C", 15),
        ("D", 5),
    ]
    assert any(rule.rule == "min_land" and rule.mu == 3 for rule in below.exclude)
    assert {a.kind for a in above.adjustments} == {"bonus", "penalty"}


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_json_round_trip_is_exact_and_the_digest_is_stable(code):
    method = load(code)
    again = Method.from_json(method.to_json())
    assert again == method
    assert again.digest == method.digest
    assert json.loads(method.to_json()) == method.to_dict()
    assert method.version_label == f"{code}@1:{method.digest[:12]}"


def test_any_edit_changes_the_digest():
    method = load("huangyan-2022")
    data = method.to_dict()
    data["populations"]["above"]["indicators"][0]["benchmark"]["value"] = 24.098
    assert Method.from_dict(data).digest != method.digest


def test_copy_for_year_starts_a_new_version_one():
    method = load("pinghu-2022").copy_for_year(2023, "pinghu-2023")
    assert (method.code, method.year, method.version) == ("pinghu-2023", 2023, 1)
    assert method.populations == load("pinghu-2022").populations


def _broken(change) -> list[str]:
    data = copy.deepcopy(huangyan_2022.METHOD)
    change(data)
    with pytest.raises(MethodError) as error:
        Method.from_dict(data)
    return error.value.errors


def _above(data) -> dict:
    return data["populations"]["above"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: _above(d)["indicators"][2].update(weight=25),
            "populations.above: indicator weights add up to 105, not 100",
        ),
        (
            lambda d: _above(d).update(
                class_rule={
                    "rule": "percentile",
                    "classes": [{"code": "A", "share": 30}, {"code": "B", "share": 60}],
                }
            ),
            "populations.above.class_rule: class shares add up to 90, not 100",
        ),
        (
            lambda d: _above(d)["indicators"][1].update(numerator="taxes"),
            "populations.above.indicators[1].numerator: 'taxes' is not a known numeric input column",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(wieght=30),
            "populations.above.indicators[0].wieght: Extra inputs are not permitted",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(benchmark={"rule": "value", "value": 0}),
            "populations.above.indicators[0].benchmark.value: Input should be greater than 0",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(benchmark={"rule": "median"}),
            "populations.above.indicators[0].benchmark: Input tag 'median' found using 'rule' does not match",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(missing="cap"),
            "populations.above.indicators[0]: missing is 'cap' but the indicator has no cap",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(cap=10, floor=10),
            "populations.above.indicators[0]: floor 10.0 is not below cap 10.0",
        ),
        (
            lambda d: _above(d)["indicators"][0].update(weight="30"),
            "populations.above.indicators[0].weight: Input should be a valid number",
        ),
        (
            lambda d: _above(d).update(tie_break=["tax"]),
            "populations.above: tie_break names unknown indicators ['tax']",
        ),
        (
            lambda d: _above(d)["exclude"][0].update(prefixes=["45"]),
            "populations.above.exclude[0].prefixes: not GB/T 4754-2017 prefixes",
        ),
        (
            lambda d: _above(d)["not_classed"][1].update(column="under_construction"),
            "populations.above.not_classed[1].column: 'under_construction' is not a flag column",
        ),
        (
            lambda d: _above(d).update(
                class_rule={
                    "rule": "threshold",
                    "classes": [
                        {"code": "A", "min_score": 80},
                        {"code": "B", "min_score": 90},
                        {"code": "C"},
                    ],
                }
            ),
            "populations.above.class_rule: min_score must decrease from class to class",
        ),
        (
            lambda d: d["populations"].update(middle=d["populations"]["above"]),
            "populations.middle.[key]: Input should be 'above' or 'below'",
        ),
        (lambda d: d.update(version=0), "version: Input should be greater than or equal to 1"),
    ],
)
def test_a_bad_method_is_refused_with_a_located_message(change, expected):
    errors = _broken(change)
    assert any(message.startswith(expected) for message in errors), errors


def test_every_problem_is_listed_not_only_the_first():
    def change(data):
        _above(data)["indicators"][0]["numerator"] = "taxes"
        _above(data)["indicators"][3]["missing"] = "average"
        data["year"] = 1999

    errors = _broken(change)
    assert len(errors) == 3
    assert [e.split(":")[0] for e in errors] == [
        "year",
        "populations.above.indicators[0].numerator",
        "populations.above.indicators[3].missing",
    ]


def test_bad_json_is_located():
    with pytest.raises(MethodError, match=r"line 1, column 14: not JSON"):
        Method.from_json('{"code": "x",, }')


@pytest.mark.parametrize(
    ("rounding", "n", "expected"),
    [
        # 20/60/15/5 of 10: 2, 8, 9.5, 10 cumulative
        ("floor", 10, [2, 8, 9, 10]),
        ("ceil", 10, [2, 8, 10, 10]),
        ("round", 10, [2, 8, 10, 10]),  # 9.5 rounds half up
        ("floor", 100, [20, 80, 95, 100]),
        ("ceil", 100, [20, 80, 95, 100]),
        ("floor", 1, [0, 0, 0, 1]),
        ("ceil", 1, [1, 1, 1, 1]),
        ("floor", 0, [0, 0, 0, 0]),
        ("floor", 254, [50, 203, 241, 254]),  # the demo zone's 254 规上: 50.8, 203.2, 241.3
        ("ceil", 254, [51, 204, 242, 254]),
    ],
)
def test_class_limits_are_exact(rounding, n, expected):
    rule = PercentileRule(
        rule="percentile",
        rounding=rounding,
        classes=[
            {"code": "A", "share": 20},
            {"code": "B", "share": 60},
            {"code": "C", "share": 15},
            {"code": "D", "share": 5},
        ],
    )
    assert rule.cumulative_counts(n) == expected


def test_decimal_shares_add_up_exactly():
    # 33.3 + 33.3 + 33.4 is 100 as written, although the floats add up to 99.99999999999999.
    rule = PercentileRule(
        rule="percentile",
        classes=[{"code": "A", "share": 33.3}, {"code": "B", "share": 33.3}, {"code": "C", "share": 33.4}],
    )
    assert rule.cumulative_counts(1000) == [333, 666, 1000]
