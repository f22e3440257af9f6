"""科技型中小企业 (RULES.md §5): size limits, the 20/50/30 tables at every band edge, direct routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import Award, StandardLed, Violation
from tests.innovation.conftest import make, pct, status, wan, yi


def eligible(**changes):
    """Staff 30% (20) + R&D 6% of sales (50) + one class-I IP (30) = 100; no direct route."""
    fields = {
        "registered_on": dt.date(2018, 1, 1),
        "employees": 100,
        "st_staff": 30,
        "revenue": {2022: wan(5000)},
        "rnd_total": {2022: wan(300)},
        "total_costs": {2022: wan(4000)},
        "total_assets": yi(1),
        "ip_class_1": 1,
        "ip_class_2": 0,
        "violations": (),
        "judgements": {"tech_sme.permitted_products": True},
        "valid_certificates": frozenset(),
        "awards": (),
        "standards_led": (),
        "rnd_institution": "none",
    }
    fields.update(changes)
    return make(**fields)


def check(profile):
    return criteria.check("tech_sme", profile)


def points(profile, name):
    return tuple(check(profile).find("score_total").figures["points"][name])


def test_the_eligible_enterprise():
    result = check(eligible())
    assert result.verdict is Verdict.ELIGIBLE
    assert result.find("score_total").figures["score"] == [100, 100]
    assert result.find("score_or_direct").status is Status.PASS
    assert {c.code: c.status for c in result.find("score_or_direct").parts} == {
        "score": Status.PASS,
        "direct_high_tech": Status.FAIL,
        "direct_award": Status.FAIL,
        "direct_institution": Status.FAIL,
        "direct_standard": Status.FAIL,
    }


# --- size limits (不超过: the bound itself is allowed) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "at", "over", "code"),
    [
        ("employees", 500, 501, "staff_limit"),
        ("revenue", {2022: yi(2)}, {2022: yi(2) + Decimal("0.01")}, "sales_limit"),
        ("total_assets", yi(2), yi(2) + Decimal("0.01"), "assets_limit"),
    ],
)
def test_size_limits_are_inclusive(field, at, over, code):
    changes_at, changes_over = {field: at}, {field: over}
    if field == "employees":
        changes_at["st_staff"] = changes_over["st_staff"] = 150
    assert status(check(eligible(**changes_at)), code) is Status.PASS
    failed = check(eligible(**changes_over)).find(code)
    assert failed.status is Status.FAIL
    assert failed.shortfall > 0


@pytest.mark.parametrize(
    ("field", "code"),
    [("employees", "staff_limit"), ("revenue", "sales_limit"), ("total_assets", "assets_limit")],
)
def test_missing_size_figures_are_unknown(field, code):
    empty = {} if field == "revenue" else None
    assert status(check(eligible(**{field: empty})), code) is Status.UNKNOWN


# --- the scoring tables, lower bounds inclusive ---------------------------------------------------------------

STAFF = [
    (3000, 20),
    (2999, 16),
    (2500, 16),
    (2499, 12),
    (2000, 12),
    (1999, 8),
    (1500, 8),
    (1499, 4),
    (1000, 4),
    (999, 0),
]


@pytest.mark.parametrize(("st_staff", "expected"), STAFF)
def test_st_staff_table(st_staff, expected):
    # Out of 10,000 employees: 30%, 29.99%, 25%, …
    assert points(eligible(employees=10_000, st_staff=st_staff), "st_staff") == (expected, expected)


TO_SALES = [
    ("6", 50),
    ("5.99", 40),
    ("5", 40),
    ("4.99", 30),
    ("4", 30),
    ("3.99", 20),
    ("3", 20),
    ("2.99", 10),
    ("2", 10),
    ("1.99", 0),
    ("0", 0),
]


@pytest.mark.parametrize(("ratio", "expected"), TO_SALES)
def test_rnd_to_sales_table(ratio, expected):
    profile = eligible(revenue={2022: yi(1)}, rnd_total={2022: yi(1) * pct(ratio)}, total_costs={})
    assert points(profile, "rnd_to_sales") == (expected, expected)


TO_COSTS = [
    ("30", 50),
    ("29.99", 40),
    ("25", 40),
    ("20", 30),
    ("19.99", 20),
    ("15", 20),
    ("10", 10),
    ("9.99", 0),
]


@pytest.mark.parametrize(("ratio", "expected"), TO_COSTS)
def test_rnd_to_costs_table(ratio, expected):
    profile = eligible(
        total_costs={2022: yi(1)}, rnd_total={2022: yi(1) * pct(ratio)}, revenue={2022: yi(10)}
    )
    assert points(profile, "rnd_to_costs") == (expected, expected)


def test_the_better_of_the_two_rnd_measures_counts():
    # 2% of sales (10) but 25% of costs (40): 40.
    profile = eligible(revenue={2022: wan(5000)}, rnd_total={2022: wan(100)}, total_costs={2022: wan(400)})
    assert points(profile, "rnd") == (40, 40)
    # One measure unknown: at least the known one, at most the table's top.
    assert points(eligible(total_costs={}, rnd_total={2022: wan(100)}), "rnd") == (10, 50)


RESULTS = [
    (1, 0, (30, 30)),
    (2, 7, (30, 30)),
    (0, 5, (24, 24)),
    (0, 4, (24, 24)),
    (0, 3, (18, 18)),
    (0, 2, (12, 12)),
    (0, 1, (6, 6)),
    (0, 0, (0, 0)),
    (None, 2, (12, 30)),
    (0, None, (0, 24)),
    (None, None, (0, 30)),
]


@pytest.mark.parametrize(("class_1", "class_2", "expected"), RESULTS)
def test_results_table(class_1, class_2, expected):
    assert points(eligible(ip_class_1=class_1, ip_class_2=class_2), "results") == expected


def test_score_sixty_passes_and_below_fails():
    # Staff 30% (20) + R&D 2% of sales (10; 2.5% of costs scores 0) + 1 class-I IP (30) = 60; staff 25% (16)
    # makes 56.
    at = eligible(rnd_total={2022: wan(100)})
    assert check(at).find("score_total").figures["score"][0] == 60
    assert status(check(at), "score_total") is Status.PASS
    below = check(eligible(rnd_total={2022: wan(100)}, st_staff=25)).find("score_total")
    assert below.status is Status.FAIL
    assert below.shortfall == Decimal(4) / 60


def test_a_zero_staff_score_fails_the_score_whatever_the_total():
    # 9% S&T staff scores 0; R&D 50 + results 30 = 80 ≥ 60, yet the score fails.
    result = check(eligible(st_staff=9))
    assert result.find("score_total").status is Status.PASS
    assert result.find("staff_score_nonzero").status is Status.FAIL
    assert result.find("score").status is Status.FAIL
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert result.find("staff_score_nonzero").shortfall == Decimal("0.1")  # 9% against the 10% that scores


def test_unknown_inputs_leave_the_score_open():
    result = check(eligible(st_staff=None, ip_class_1=None, ip_class_2=None))
    assert result.find("score_total").status is Status.UNKNOWN
    assert result.find("score_total").figures["score"] == [50, 100]
    assert result.find("staff_score_nonzero").status is Status.UNKNOWN
    assert "st_staff" in result.find("score_total").missing
    # Far too little to reach 60 even at the best: fail, although the staff share is unknown.
    poor = check(
        eligible(st_staff=None, rnd_total={2022: 0}, total_costs={2022: wan(10)}, ip_class_1=0, ip_class_2=1)
    )
    assert poor.find("score_total").status is Status.FAIL


# --- direct routes (conditions (一)–(四) still apply) ---------------------------------------------------------


def test_a_valid_high_tech_certificate_replaces_the_score_only():
    low = {"st_staff": 5, "rnd_total": {2022: 0}, "ip_class_1": 0}
    assert check(eligible(**low)).verdict is Verdict.NOT_ELIGIBLE
    certified = check(eligible(**low, valid_certificates=frozenset({"high_tech"})))
    assert certified.find("score").status is Status.FAIL
    assert certified.find("score_or_direct").status is Status.PASS
    assert certified.verdict is Verdict.ELIGIBLE
    # The size limits still apply.
    big = check(eligible(**low, valid_certificates=frozenset({"high_tech"}), employees=600))
    assert big.find("score_or_direct").status is Status.PASS
    assert big.verdict is Verdict.NOT_ELIGIBLE
    assert big.failed == 1


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        (Award("science", "national", 2018, 3), Status.PASS),
        (Award("science", "national", 2023, 1), Status.PASS),
        (Award("science", "national", 2018, 4), Status.FAIL),
        (Award("science", "national", 2017, 1), Status.FAIL),
        (Award("science", "provincial", 2022, 1), Status.FAIL),
        (Award("maker_china", "national", 2022, 1), Status.FAIL),
        (Award("science", "national", 2020, None), Status.UNKNOWN),
    ],
)
def test_direct_route_national_award(award, expected):
    assert status(check(eligible(awards=(award,))), "direct_award") is expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [("national", Status.PASS), ("provincial", Status.PASS), ("city", Status.FAIL), (None, Status.UNKNOWN)],
)
def test_direct_route_institution(level, expected):
    assert status(check(eligible(rnd_institution=level)), "direct_institution") is expected


@pytest.mark.parametrize(
    ("standards", "expected"),
    [
        ((StandardLed("industry", 2018),), Status.PASS),
        ((StandardLed("international", 2023),), Status.PASS),
        ((StandardLed("group", 2022), StandardLed("local", 2022)), Status.FAIL),
        ((StandardLed("national", 2017),), Status.FAIL),
        ((), Status.FAIL),
        (None, Status.UNKNOWN),
    ],
)
def test_direct_route_standard(standards, expected):
    assert status(check(eligible(standards_led=standards)), "direct_standard") is expected


def test_violations_in_the_filing_year_and_the_year_before():
    # 填报上一年及当年内: from 1 January of the year before the evaluation year.
    assert (
        status(
            check(eligible(violations=(Violation("abnormal_operation", dt.date(2022, 1, 1)),))),
            "no_violation",
        )
        is Status.FAIL
    )
    assert (
        status(check(eligible(violations=(Violation("safety", dt.date(2021, 12, 31)),))), "no_violation")
        is Status.PASS
    )
    assert (
        status(
            check(eligible(violations=(Violation("research_misconduct", dt.date(2023, 3, 1)),))),
            "no_violation",
        )
        is Status.FAIL
    )


def test_products_not_prohibited_is_a_recorded_judgement():
    assert status(check(eligible(judgements={})), "permitted_products") is Status.UNKNOWN
    assert check(eligible(judgements={"tech_sme.permitted_products": False})).verdict is Verdict.NOT_ELIGIBLE
