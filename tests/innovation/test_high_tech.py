"""高新技术企业 (RULES.md §4): every condition at its bounds, missing years, the years of actual operation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from jingkai.innovation import criteria
from jingkai.innovation.criteria.high_tech import growth_points
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import ProfileError, Violation
from jingkai.innovation.thresholds import Interval
from tests.innovation.conftest import ON, YEARS, each, make, pct, status, wan, yi


def eligible(**changes):
    """An enterprise that meets every 高企 condition (sales 1.2亿元, R&D 5%, scores 25 + 25 + 15 + growth)."""
    fields = {
        "registered_on": dt.date(2015, 3, 1),
        "employees": 100,
        "st_staff": 20,
        "revenue": {2020: yi(1), 2021: yi("1.1"), 2022: yi("1.2")},
        "rnd_total": {2020: wan(500), 2021: wan(550), 2022: wan(600)},
        "rnd_in_china": {2020: wan(450), 2021: wan(500), 2022: wan(540)},
        "net_assets": {2020: wan(5000), 2021: wan(6000), 2022: wan(7000)},
        "high_tech_income": yi("0.8"),
        "total_income": yi("1.2"),
        "ip_class_1": 1,
        "ip_class_2": 3,
        "violations": (),
        "judgements": {"high_tech.high_tech_field": True},
        "assessed_scores": {"high_tech.ip": 25, "high_tech.conversion": 25, "high_tech.rnd_management": 15},
    }
    fields.update(changes)
    return make(**fields)


def check(profile):
    return criteria.check("high_tech", profile)


def test_the_eligible_enterprise_meets_every_condition():
    result = check(eligible())
    assert [c.code for c in result.conditions] == [
        "registered",
        "ip_owned",
        "high_tech_field",
        "st_staff",
        "rnd_ratio",
        "rnd_in_china",
        "high_tech_income",
        "innovation_score",
        "no_violation",
    ]
    assert {c.code: c.status for c in result.conditions} == {c.code: Status.PASS for c in result.conditions}
    assert result.verdict is Verdict.ELIGIBLE
    assert (result.failed, result.distance, result.validity_years) == (0, 0, 3)


# --- R&D ratio by the latest year's sales band (国科发火〔2016〕32号 第十一条（五）) ---------------------------
# 最近一年销售收入小于5,000万元（含）→ 5%; 5,000万元至2亿元（含）→ 4%; 2亿元以上 → 3%: each bound belongs to the
# band below it (5,000万 exactly needs 5%, 2亿 exactly needs 4%).
BANDS = [
    (wan(1000), "5"),
    (wan(5000) - Decimal("0.01"), "5"),
    (wan(5000), "5"),
    (wan(5000) + Decimal("0.01"), "4"),
    (yi(1), "4"),
    (yi(2), "4"),
    (yi(2) + Decimal("0.01"), "3"),
    (yi(10), "3"),
]


def at_ratio(sales, ratio):
    return eligible(revenue=each(sales), rnd_total=each(sales * ratio), rnd_in_china=each(sales * ratio))


@pytest.mark.parametrize(("sales", "needed"), BANDS)
def test_rnd_ratio_band_and_its_inclusive_minimum(sales, needed):
    exactly = check(at_ratio(sales, pct(needed))).find("rnd_ratio")
    assert exactly.figures["needed"] == pct(needed)
    assert exactly.status is Status.PASS
    below = check(at_ratio(sales, pct(needed) - Decimal("0.0001"))).find("rnd_ratio")
    assert below.status is Status.FAIL
    assert below.shortfall == Decimal("0.0001") / pct(needed)


def test_the_band_follows_the_latest_year_not_the_three_year_total():
    profile = eligible(revenue={2020: yi(3), 2021: yi(3), 2022: wan(4000)}, rnd_total=each(wan(1000)))
    condition = check(profile).find("rnd_ratio")
    assert condition.figures["needed"] == pct(5)
    assert condition.figures["ratio"] == wan(3000) / (yi(6) + wan(4000))


def test_the_brief_example_reads_as_officials_write_it():
    # R&D 3.4% of sales over three years at 1.2亿元 of sales: the 4% band, failed.
    profile = eligible(revenue=each(yi("1.2")), rnd_total=each(yi("1.2") * pct("3.4")), rnd_in_china={})
    condition = check(profile).find("rnd_ratio")
    assert condition.status is Status.FAIL
    with translation.override("en"):
        assert condition.message == "R&D in 2020–2022: 3.4% of sales, needs ≥ 4% at sales of 1.2亿元 in 2022"
    with translation.override("zh-hans"):
        assert condition.message == "2020–2022年研发费用占销售收入3.4%，2022年销售收入1.2亿元时须≥4%"
        assert condition.label == "研究开发费用占销售收入比例"


def test_a_ratio_just_below_a_bound_never_reads_as_reaching_it():
    condition = check(at_ratio(yi(1), pct("3.9999"))).find("rnd_ratio")
    assert condition.status is Status.FAIL
    with translation.override("en"):
        assert "3.99% of sales" in condition.message


@pytest.mark.parametrize("field", ["rnd_total", "revenue"])
def test_a_missing_year_makes_the_ratio_unknown_not_failed(field):
    profile = eligible(**{field: {y: v for y, v in getattr(eligible(), field).items() if y != 2021}})
    result = check(profile)
    condition = result.find("rnd_ratio")
    assert condition.status is Status.UNKNOWN
    assert f"{field}:2021" in condition.missing
    assert result.verdict is Verdict.UNDETERMINED


def test_missing_latest_sales_is_unknown():
    profile = eligible(revenue={2020: yi(1), 2021: yi(1)}, rnd_in_china={})
    assert status(check(profile), "rnd_ratio") is Status.UNKNOWN


# --- fewer than three years: the years of actual operation (实际经营期不满三年的按实际经营时间计算) ------------


def test_two_years_of_operation_count_the_two_years():
    profile = eligible(
        registered_on=dt.date(2021, 7, 1),
        revenue={2021: wan(2000), 2022: wan(6000)},
        rnd_total={2021: wan(100), 2022: wan(220)},
        rnd_in_china={},
        net_assets={2021: wan(1000), 2022: wan(1500)},
    )
    condition = check(profile).find("rnd_ratio")
    assert condition.figures["years"] == [2021, 2022]
    assert condition.figures["ratio"] == Decimal(320) / Decimal(8000)  # 4%, the 4% band (6000万 latest)
    assert condition.status is Status.PASS


def test_one_year_of_operation_counts_that_year():
    profile = eligible(
        registered_on=dt.date(2022, 5, 20),
        revenue={2022: wan(3000)},
        rnd_total={2022: wan(149)},
        rnd_in_china={2022: wan(149)},
        net_assets={2022: wan(1000)},
    )
    result = check(profile)
    assert result.find("rnd_ratio").figures["years"] == [2022]
    assert result.find("rnd_ratio").status is Status.FAIL  # 4.97% < 5%
    assert result.find("registered").status is Status.PASS  # 377 days


def test_a_year_before_registration_is_not_asked_for():
    # Registered in 2021: 2020 is not a year of operation, so its absence is not "missing".
    profile = eligible(
        registered_on=dt.date(2021, 1, 4),
        revenue=each(yi(1), (2021, 2022)),
        rnd_total=each(wan(500), (2021, 2022)),
        rnd_in_china={},
        net_assets={},
    )
    assert status(check(profile), "rnd_ratio") is Status.PASS


def test_without_a_registration_date_all_three_years_are_needed():
    profile = eligible(
        registered_on=None,
        revenue=each(yi(1), (2021, 2022)),
        rnd_total=each(wan(500), (2021, 2022)),
        rnd_in_china={},
        net_assets={},
    )
    result = check(profile)
    assert result.find("rnd_ratio").status is Status.UNKNOWN
    assert "revenue:2020" in result.find("rnd_ratio").missing
    assert result.find("registered").status is Status.UNKNOWN


def test_no_complete_fiscal_year_is_unknown_and_the_registration_fails():
    profile = make(registered_on=dt.date(2023, 1, 10), revenue={}, violations=())
    result = check(profile)
    assert result.find("rnd_ratio").status is Status.UNKNOWN
    assert result.find("rnd_in_china").status is Status.UNKNOWN
    with translation.override("en"):
        assert (
            result.find("rnd_in_china").message == "No complete fiscal year since registration on 2023-01-10"
        )
    assert result.find("registered").status is Status.FAIL
    assert result.verdict is Verdict.NOT_ELIGIBLE


# --- the other figures ---------------------------------------------------------------------------------------


def test_registered_365_calendar_days_is_enough_364_is_not():
    assert status(check(make(registered_on=ON - dt.timedelta(days=365))), "registered") is Status.PASS
    short = check(make(registered_on=ON - dt.timedelta(days=364))).find("registered")
    assert short.status is Status.FAIL
    assert short.figures["value"] == 364


@pytest.mark.parametrize(
    ("st_staff", "expected"), [(10, Status.PASS), (9, Status.FAIL), (None, Status.UNKNOWN)]
)
def test_st_staff_at_ten_per_cent(st_staff, expected):
    assert status(check(eligible(st_staff=st_staff)), "st_staff") is expected


def test_st_staff_unknown_without_employees():
    condition = check(eligible(employees=None)).find("st_staff")
    assert (condition.status, condition.missing) == (Status.UNKNOWN, ("employees",))


@pytest.mark.parametrize(
    ("china", "expected"),
    [(Decimal("0.6"), Status.PASS), (Decimal("0.5999"), Status.FAIL), (Decimal(1), Status.PASS)],
)
def test_rnd_in_china_at_sixty_per_cent(china, expected):
    profile = eligible(rnd_total=each(wan(600)), rnd_in_china=each(wan(600) * china))
    assert status(check(profile), "rnd_in_china") is expected


def test_no_rnd_at_all_fails_both_rnd_conditions():
    result = check(eligible(rnd_total=each(0), rnd_in_china=each(0)))
    assert result.find("rnd_ratio").status is Status.FAIL
    assert result.find("rnd_in_china").status is Status.FAIL


def test_rnd_in_china_missing_a_year_is_unknown():
    profile = eligible(rnd_in_china={2020: wan(450), 2022: wan(540)})
    assert status(check(profile), "rnd_in_china") is Status.UNKNOWN


@pytest.mark.parametrize(
    ("income", "expected"), [(wan(6000), Status.PASS), (wan(6000) - 1, Status.FAIL), (None, Status.UNKNOWN)]
)
def test_high_tech_income_at_sixty_per_cent(income, expected):
    assert (
        status(check(eligible(high_tech_income=income, total_income=yi(1))), "high_tech_income") is expected
    )


@pytest.mark.parametrize(
    ("class_1", "class_2", "expected"),
    [
        (1, 0, Status.PASS),
        (0, 1, Status.PASS),
        (0, 0, Status.FAIL),
        (None, 2, Status.PASS),
        (None, 0, Status.UNKNOWN),
    ],
)
def test_owns_ip(class_1, class_2, expected):
    assert status(check(eligible(ip_class_1=class_1, ip_class_2=class_2)), "ip_owned") is expected


@pytest.mark.parametrize(
    ("value", "expected"), [(True, Status.PASS), (False, Status.FAIL), (None, Status.UNKNOWN)]
)
def test_high_tech_field_is_a_recorded_judgement(value, expected):
    judgements = {} if value is None else {"high_tech.high_tech_field": value}
    assert status(check(eligible(judgements=judgements)), "high_tech_field") is expected


def test_a_violation_in_the_365_days_before_fails_one_a_day_earlier_does_not():
    inside = (Violation("environment", ON - dt.timedelta(days=365)),)
    outside = (Violation("safety", ON - dt.timedelta(days=366)),)
    assert status(check(eligible(violations=inside)), "no_violation") is Status.FAIL
    assert status(check(eligible(violations=outside)), "no_violation") is Status.PASS
    # A kind the 高企 rule does not name does not count; no record at all is unknown.
    assert status(check(eligible(violations=(Violation("tax", ON),))), "no_violation") is Status.PASS
    assert status(check(eligible(violations=None)), "no_violation") is Status.UNKNOWN


# --- the innovation score (above 70, 70 excluded; RULES.md: ≥ 71) ---------------------------------------------


def scores(ip, conversion, management, net=5, sales=3):
    # The eligible profile's growth: net assets 18.3% (5–6 points), sales 9.5% (3–4 points).
    return {
        "high_tech.ip": ip,
        "high_tech.conversion": conversion,
        "high_tech.rnd_management": management,
        "high_tech.net_asset_growth": net,
        "high_tech.sales_growth": sales,
    }


@pytest.mark.parametrize(
    ("ip", "expected"), [(22, Status.FAIL), ("22.5", Status.PASS), (23, Status.PASS)]
)  # + 25 + 15 + 8 = 70, 70.5, 71
def test_innovation_score_above_seventy(ip, expected):
    condition = check(eligible(assessed_scores=scores(ip, 25, 15))).find("innovation_score")
    assert condition.status is expected


def test_innovation_score_with_unknown_parts():
    # Nothing assessed: 8 to 90 possible, undecided.
    condition = check(eligible(assessed_scores={})).find("innovation_score")
    assert condition.status is Status.UNKNOWN
    assert condition.figures["score"] == [8, 90]
    # Low assessed parts: even the best R&D management cannot reach 71.
    assert (
        status(
            check(eligible(assessed_scores={"high_tech.ip": 10, "high_tech.conversion": 10})),
            "innovation_score",
        )
        is Status.FAIL
    )
    # High assessed parts and fast growth: passes whatever R&D management scores.
    fast = eligible(
        assessed_scores={"high_tech.ip": 30, "high_tech.conversion": 30},
        revenue={2020: yi(1), 2021: yi("1.4"), 2022: yi("1.96")},
        rnd_total={2020: wan(500), 2021: wan(700), 2022: wan(980)},
        rnd_in_china={},
        net_assets={2020: wan(1000), 2021: wan(1400), 2022: wan(1960)},
    )
    condition = check(fast).find("innovation_score")
    assert condition.figures["growth"]["sales_growth"]["points"] == [9, 10]
    assert condition.status is Status.PASS


def test_an_assessed_score_outside_what_the_figures_allow_is_refused():
    with pytest.raises(
        ProfileError, match=r"assessed_scores\['high_tech.sales_growth'\]: 9 is outside the 3–4"
    ):
        check(eligible(assessed_scores=scores(25, 25, 15, sales=9)))
    with pytest.raises(ProfileError, match=r"exceeds the indicator's maximum 30"):
        check(eligible(assessed_scores={"high_tech.ip": 31}))


# Growth ½(Y2/Y1 + Y3/Y2) − 1 with Y1 = Y2 = 100: Y3 = 100·(1 + 2r) gives the rate r exactly.
GROWTH = [
    ("0.35", (9, 10)),
    ("0.3499", (7, 8)),
    ("0.25", (7, 8)),
    ("0.2499", (5, 6)),
    ("0.15", (5, 6)),
    ("0.1499", (3, 4)),
    ("0.05", (3, 4)),
    ("0.0499", (1, 2)),
    ("0.0001", (1, 2)),
    ("0", (0, 0)),
    ("-0.2", (0, 0)),
]


@pytest.mark.parametrize(("rate", "expected"), GROWTH)
def test_growth_score_bands(thresholds, rate, expected):
    indicator = thresholds("high_tech")["innovation_score"]["sales_growth"]
    values = [Decimal(100), Decimal(100), 100 * (1 + 2 * Decimal(rate))]
    points, computed, rule = growth_points(values, indicator)
    assert (computed, rule) == (Decimal(rate), "three_years")
    assert (points.lo, points.hi) == expected


def test_growth_special_cases(thresholds):
    indicator = thresholds("high_tech")["innovation_score"]["net_asset_growth"]
    # Y2 = 0 scores 0; Y1 = 0 uses the last two years; a negative base is left to the experts.
    assert growth_points([Decimal(0), Decimal(0), Decimal(50)], indicator)[0] == Interval.exact(0)
    points, rate, rule = growth_points([Decimal(0), Decimal(100), Decimal(140)], indicator)
    assert (points, rate, rule) == (Interval(Decimal(9), Decimal(10)), Decimal("0.4"), "first_year_zero")
    assert growth_points([Decimal(-10), Decimal(100), Decimal(140)], indicator)[0] == Interval(
        Decimal(0), Decimal(10)
    )
    # Two years: between ½·Y2/Y1 − 1 (−40%: 0) and Y2/Y1 − 1 (20%: 5–6).
    points, rate, rule = growth_points([Decimal(100), Decimal(120)], indicator)
    assert (points, rate, rule) == (Interval(Decimal(0), Decimal(6)), Decimal("0.2"), "two_years")
    # One year: nothing to measure.
    assert growth_points([Decimal(100)], indicator)[0] == Interval(Decimal(0), Decimal(10))


def test_verdict_and_distance_for_ranking():
    near = check(eligible(rnd_total=each(wan(400)), rnd_in_china=each(wan(400))))  # 3.64% of 3.3亿, needs 4%
    far = check(eligible(rnd_total=each(wan(100)), rnd_in_china=each(wan(100)), st_staff=5))
    assert near.verdict is far.verdict is Verdict.NOT_ELIGIBLE
    assert (near.failed, far.failed) == (1, 2)
    assert near.shortfalls["rnd_ratio"] == (pct(4) - wan(1200) / yi("3.3")) / pct(4)
    assert far.shortfalls["st_staff"] == Decimal("0.5")
    assert set(far.shortfalls) == {"rnd_ratio", "st_staff"}
    assert near.rank_key() < far.rank_key()
    assert check(eligible(judgements={})).verdict is Verdict.UNDETERMINED


def test_every_year_of_the_profile_is_named_in_the_figures():
    condition = check(eligible()).find("rnd_ratio")
    assert condition.figures["years"] == list(YEARS)
    assert condition.figures["latest_sales"] == yi("1.2")
