"""专精特新中小企业 (RULES.md §6): the thresholds at their bounds, the revenue-or-equity rule, the score from
assessed parts, and the direct routes (which replace the score only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import Award
from tests.innovation.conftest import make, status, wan

SCORE_60 = {
    "specialised.professional": 20,
    "specialised.refinement": 20,
    "specialised.characteristic": 10,
    "specialised.innovation": 10,
}


def eligible(**changes):
    fields = {
        "registered_on": dt.date(2017, 1, 1),
        "employees": 80,
        "niche_years": Decimal(2),
        "revenue": {2021: wan(1800), 2022: wan(2000)},
        "rnd_total": {2021: wan(90), 2022: wan(100)},
        "violations": (),
        "assessed_scores": SCORE_60,
        "awards": (),
        "new_equity": {2021: 0, 2022: 0},
    }
    fields.update(changes)
    return make(**fields)


def check(profile):
    return criteria.check("specialised", profile)


def test_the_eligible_enterprise():
    result = check(eligible())
    assert result.verdict is Verdict.ELIGIBLE
    assert "prerequisite" not in [c.code for c in result.conditions]  # none applied in the 2022 thresholds


@pytest.mark.parametrize(
    ("years", "expected"), [(2, Status.PASS), ("1.9", Status.FAIL), (None, Status.UNKNOWN)]
)
def test_niche_two_years(years, expected):
    value = None if years is None else Decimal(years)
    assert status(check(eligible(niche_years=value)), "niche_years") is expected


def test_rnd_amount_and_ratio_of_the_last_year():
    assert status(check(eligible()), "rnd_amount") is Status.PASS  # exactly 100万
    assert status(check(eligible(rnd_total={2022: wan("99.99")})), "rnd_amount") is Status.FAIL
    assert (
        status(check(eligible(rnd_total={2022: wan(60)}, revenue={2022: wan(2000)})), "rnd_ratio")
        is Status.PASS
    )
    assert (
        status(check(eligible(rnd_total={2022: wan("59.99")}, revenue={2022: wan(2000)})), "rnd_ratio")
        is Status.FAIL
    )
    assert status(check(eligible(rnd_total={})), "rnd_ratio") is Status.UNKNOWN


@pytest.mark.parametrize(
    ("revenue", "equity", "expected"),
    [
        (wan(1000), {}, Status.PASS),
        (wan("999.99"), {2021: wan(1000), 2022: wan(1000)}, Status.PASS),
        (wan("999.99"), {2021: wan(1000), 2022: wan("999.99")}, Status.FAIL),
        (wan("999.99"), {}, Status.UNKNOWN),
        (wan("999.99"), {2022: wan(2500)}, Status.PASS),
    ],
)
def test_revenue_or_new_equity(revenue, equity, expected):
    profile = eligible(revenue={2022: revenue}, rnd_total={2022: wan(100)}, new_equity=equity)
    assert status(check(profile), "revenue_or_equity") is expected


def test_score_from_assessed_parts():
    assert (
        status(check(eligible(assessed_scores={**SCORE_60, "specialised.innovation": "9.5"})), "score")
        is Status.FAIL
    )
    # Three parts known (50), the 创新能力 part unrecorded (0–35): open.
    partial = {k: v for k, v in SCORE_60.items() if k != "specialised.innovation"}
    assert status(check(eligible(assessed_scores=partial)), "score") is Status.UNKNOWN
    # 24 known + at most 35 = 59: cannot reach 60.
    low = {"specialised.professional": 10, "specialised.refinement": 10, "specialised.characteristic": 4}
    assert status(check(eligible(assessed_scores=low)), "score") is Status.FAIL


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        (Award("science", "provincial", 2020, 3), Status.PASS),
        (Award("science", "provincial", 2020, 4), Status.FAIL),
        (Award("science", "national", 2022, 5), Status.PASS),
        (Award("science", "national", 2022, 6), Status.FAIL),
        (Award("science", "national", 2019, 1), Status.FAIL),
    ],
)
def test_award_route(award, expected):
    assert status(check(eligible(awards=(award,))), "direct_award") is expected


@pytest.mark.parametrize(
    ("rnd", "expected"),
    [
        ({2021: wan(1000), 2022: wan(1000)}, Status.PASS),
        ({2021: wan(800), 2022: wan(1200)}, Status.PASS),
        ({2021: wan("999.99"), 2022: wan(1000)}, Status.FAIL),
        ({2022: wan(2000)}, Status.PASS),  # the average reaches 1,000万 whatever 2021 holds
        ({2022: wan(1500)}, Status.UNKNOWN),
    ],
)
def test_rnd_average_route(rnd, expected):
    profile = eligible(rnd_total=rnd, revenue={2021: wan(30000), 2022: wan(30000)})
    assert status(check(profile), "direct_rnd_average") is expected


@pytest.mark.parametrize(("rank", "expected"), [(500, Status.PASS), (501, Status.FAIL)])
def test_maker_china_route(rank, expected):
    assert (
        status(check(eligible(awards=(Award("maker_china", "national", 2021, rank),))), "direct_maker")
        is expected
    )


def test_equity_route_six_thousand_wan():
    assert (
        status(check(eligible(new_equity={2021: wan(3000), 2022: wan(3000)})), "direct_equity") is Status.PASS
    )
    assert (
        status(check(eligible(new_equity={2021: wan(3000), 2022: wan(2999)})), "direct_equity") is Status.FAIL
    )


def test_a_direct_route_does_not_lift_the_other_conditions():
    route = {"assessed_scores": {}, "awards": (Award("science", "national", 2022, 1),)}
    assert check(eligible(**route)).verdict is Verdict.ELIGIBLE
    short = check(eligible(**route, niche_years=Decimal(1)))
    assert short.find("score_or_direct").status is Status.PASS
    assert short.verdict is Verdict.NOT_ELIGIBLE
    assert list(short.shortfalls) == ["niche_years"]
