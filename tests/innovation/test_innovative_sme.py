"""创新型中小企业 (RULES.md §6, 2022 method, open: to be confirmed): the six indicators, the part minima, the
direct routes and the SME size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import Award, ProfileError
from tests.innovation.conftest import make, pct, status, wan, yi


def eligible(**changes):
    """IP 10–20, R&D 5% (20), main-business growth 15% (20), debt 50% (10), strategic field (10), main share 92%
    (20): 90 to 100."""
    fields = {
        "registered_on": dt.date(2016, 1, 1),
        "employees": 200,
        "revenue": {2021: wan(9000), 2022: yi(1)},
        "rnd_total": {2022: wan(500)},
        "main_business_revenue": {2021: wan(8000), 2022: wan(9200)},
        "debt_ratio": Decimal("0.5"),
        "ip_class_1": 1,
        "ip_class_2": 0,
        "violations": (),
        "judgements": {"innovative_sme.strategic_emerging": True},
        "awards": (),
        "valid_certificates": frozenset(),
        "rnd_institution": "none",
        "new_equity": {2020: 0, 2021: 0, 2022: 0},
    }
    fields.update(changes)
    return make(**fields)


def check(profile):
    return criteria.check("innovative_sme", profile)


def indicator(profile, name):
    return tuple(check(profile).find("score_total").figures["indicators"][name])


def test_the_eligible_enterprise_and_the_open_marks():
    result = check(eligible())
    assert result.verdict is Verdict.ELIGIBLE
    assert result.find("score_total").figures["score"] == [90, 100]
    assert any("RULES.md gives no thresholds" in note for note in result.open)
    assert all(
        c.citation.open for c in result.walk() if c.code.startswith("direct_") or c.code == "score_or_direct"
    )


RND = [("5", 20), ("4.99", 15), ("3", 15), ("2.99", 10), ("2", 10), ("1", 5), ("0.99", 0)]


@pytest.mark.parametrize(("ratio", "expected"), RND)
def test_rnd_ratio_table(ratio, expected):
    assert indicator(eligible(rnd_total={2022: yi(1) * pct(ratio)}), "rnd_ratio") == (expected, expected)


GROWTH = [("15", 20), ("14.99", 15), ("10", 15), ("9.99", 10), ("5", 10), ("4.99", 5), ("0", 5), ("-0.01", 0)]


@pytest.mark.parametrize(("rate", "expected"), GROWTH)
def test_main_business_growth_table(rate, expected):
    main = {2021: wan(8000), 2022: wan(8000) * (1 + pct(rate))}
    assert indicator(eligible(main_business_revenue=main), "main_growth") == (expected, expected)


DEBT = [("55", 10), ("55.01", 5), ("74.99", 5), ("75", 0), ("120", 0)]


@pytest.mark.parametrize(("ratio", "expected"), DEBT)
def test_debt_ratio_table(ratio, expected):
    assert indicator(eligible(debt_ratio=pct(ratio)), "debt_ratio") == (expected, expected)


SHARE = [("70", 20), ("69.99", 15), ("60", 15), ("59.99", 10), ("55", 10), ("50", 5), ("49.99", 0)]


@pytest.mark.parametrize(("share", "expected"), SHARE)
def test_main_business_share_table(share, expected):
    main = {2021: yi(1) * pct(share), 2022: yi(1) * pct(share)}
    assert indicator(eligible(main_business_revenue=main), "main_share") == (expected, expected)


@pytest.mark.parametrize(
    ("class_1", "class_2", "expected"),
    [
        (1, 0, (10, 20)),
        (0, 3, (5, 5)),
        (0, 0, (0, 0)),
        (None, 1, (5, 20)),
        (0, None, (0, 5)),
        (None, None, (0, 20)),
    ],
)
def test_ip_indicator(class_1, class_2, expected):
    assert indicator(eligible(ip_class_1=class_1, ip_class_2=class_2), "ip") == expected


def test_an_expert_pins_what_a_figure_cannot_tell():
    profile = eligible(assessed_scores={"innovative_sme.ip": 15})
    assert indicator(profile, "ip") == (15, 15)
    with pytest.raises(ProfileError, match="outside the 10–20"):
        check(eligible(assessed_scores={"innovative_sme.ip": 5}))
    assert indicator(eligible(judgements={}), "product_field") == (5, 10)
    assert indicator(eligible(judgements={"innovative_sme.strategic_emerging": False}), "product_field") == (
        5,
        5,
    )


def test_each_part_has_its_own_minimum():
    # No IP (0) + R&D 3% (15) = 15 < 20, though the total (15 + 30 + 30 = 75) is over 60.
    weak = check(eligible(ip_class_1=0, ip_class_2=0, rnd_total={2022: wan(300)}))
    assert weak.find("score_total").status is Status.PASS
    assert weak.find("innovation_part").status is Status.FAIL
    assert weak.find("score").status is Status.FAIL
    assert weak.verdict is Verdict.NOT_ELIGIBLE
    # Growth exactly 15 (10% growth, debt 75%) passes; 5% growth (10) with debt 80% (0) does not.
    at = eligible(main_business_revenue={2021: wan(8000), 2022: wan(8800)}, debt_ratio=pct(75))
    assert status(check(at), "growth_part") is Status.PASS
    below = eligible(main_business_revenue={2021: wan(8000), 2022: wan(8400)}, debt_ratio=pct(80))
    assert status(check(below), "growth_part") is Status.FAIL


def test_direct_routes_replace_the_score_only():
    weak = {"ip_class_1": 0, "ip_class_2": 0, "rnd_total": {2022: wan(300)}}
    assert check(eligible(**weak)).verdict is Verdict.NOT_ELIGIBLE
    for route in (
        {"awards": (Award("science", "provincial", 2020),)},
        {"valid_certificates": frozenset({"tech_innovation_demo"})},
        {"rnd_institution": "provincial"},
        {"new_equity": {2020: wan(200), 2021: wan(200), 2022: wan(100)}},
    ):
        result = check(eligible(**weak, **route))
        assert result.find("score_or_direct").status is Status.PASS, route
        assert result.verdict is Verdict.ELIGIBLE, route
    # The other conditions still apply.
    large = check(
        eligible(**weak, rnd_institution="national", employees=1000, revenue={2021: yi(5), 2022: yi(5)})
    )
    assert large.find("score_or_direct").status is Status.PASS
    assert large.find("sme").status is Status.FAIL


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        (Award("science", "national", 2020), Status.PASS),
        (Award("science", "provincial", 2023, 9), Status.PASS),
        (Award("science", "provincial", 2019), Status.FAIL),
        (Award("science", "city", 2022), Status.FAIL),
    ],
)
def test_award_route_any_place_in_three_years(award, expected):
    assert status(check(eligible(awards=(award,))), "direct_award") is expected


@pytest.mark.parametrize(
    ("equity", "expected"),
    [
        ({2020: wan(200), 2021: wan(200), 2022: wan(100)}, Status.PASS),
        ({2020: wan(200), 2021: wan(200), 2022: wan("99.99")}, Status.FAIL),
        ({2022: wan(600)}, Status.PASS),  # already 500万 whatever 2020 and 2021 hold
        ({2022: wan(100)}, Status.UNKNOWN),
    ],
)
def test_equity_route_over_three_years(equity, expected):
    assert status(check(eligible(new_equity=equity)), "direct_equity") is expected


@pytest.mark.parametrize(
    ("employees", "revenue", "expected"),
    [
        (999, yi(9), Status.PASS),
        (1000, yi("3.99"), Status.PASS),
        (1000, yi(4), Status.FAIL),
        (None, yi(5), Status.UNKNOWN),
        (None, yi(1), Status.PASS),
    ],
)
def test_sme_size(employees, revenue, expected):
    profile = eligible(employees=employees, revenue={2022: revenue}, main_business_revenue={}, rnd_total={})
    assert status(check(profile), "sme") is expected


def test_violations_in_three_years():
    from jingkai.innovation.profile import Violation

    recent = eligible(violations=(Violation("tax", dt.date(2020, 6, 1)),))
    assert status(check(recent), "no_violation") is Status.FAIL
    old = eligible(violations=(Violation("tax", dt.date(2020, 5, 30)),))
    assert status(check(old), "no_violation") is Status.PASS
