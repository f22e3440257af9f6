"""专精特新"小巨人" (RULES.md §6): the revenue bands of the R&D rule at each bound, the yearly ratios, the small
band's three requirements, the other thresholds, the innovation direct routes and the prerequisite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import Award
from tests.innovation.conftest import make, pct, status, wan, yi

JUDGED = {"little_giant.brand": True, "little_giant.supply_chain": True, "little_giant.product_field": True}


def eligible(**changes):
    fields = {
        "registered_on": dt.date(2012, 1, 1),
        "valid_certificates": frozenset({"specialised"}),
        "employees": 300,
        "rnd_staff": 60,
        "revenue": {2020: yi(1), 2021: yi("1.1"), 2022: yi("1.2")},
        "rnd_total": {2021: wan(330), 2022: wan(360)},
        "main_business_revenue": {2020: wan(8000), 2021: wan(8800), 2022: wan(9680)},
        "debt_ratio": Decimal("0.6"),
        "national_market_share": Decimal("0.15"),
        "niche_years": Decimal(4),
        "rnd_institution": "enterprise",
        "ip_class_1": 2,
        "violations": (),
        "judgements": JUDGED,
        "awards": (),
    }
    fields.update(changes)
    return make(**fields)


def check(profile):
    return criteria.check("little_giant", profile)


def test_the_eligible_enterprise():
    result = check(eligible())
    assert result.verdict is Verdict.ELIGIBLE, [(c.code, c.status) for c in result.walk()]
    assert result.find("main_business_growth").figures["value"] == Decimal("0.1")


def at_revenue(latest, ratio):
    return eligible(
        revenue={2020: latest, 2021: latest, 2022: latest},
        rnd_total={2021: latest * ratio, 2022: latest * ratio},
        main_business_revenue={
            2020: latest * Decimal("0.8"),
            2021: latest * Decimal("0.84"),
            2022: latest * Decimal("0.882"),
        },
    )


# 上年度营业收入 1亿元以上 → 3% in each year; 5000万元—1亿元 → 6%; 5000万元以下 → equity, R&D total and R&D staff.
# 以上 includes the bound: 1亿 exactly is in the 3% band, 5000万 exactly in the 6% band.
@pytest.mark.parametrize(
    ("revenue", "needed"),
    [(yi(5), "3"), (yi(1), "3"), (yi(1) - Decimal("0.01"), "6"), (wan(5000), "6")],
)
def test_rnd_ratio_bands(revenue, needed):
    exactly = check(at_revenue(revenue, pct(needed))).find("rnd_by_band")
    assert (exactly.status, exactly.figures["needed"]) == (Status.PASS, pct(needed))
    below = check(at_revenue(revenue, pct(needed) - Decimal("0.0001"))).find("rnd_by_band")
    assert below.status is Status.FAIL


def test_below_five_thousand_wan_the_small_band_applies():
    condition = check(at_revenue(wan(5000) - Decimal("0.01"), pct(50))).find("rnd_by_band")
    assert condition.combine == "all"
    assert [p.code for p in condition.parts] == ["rnd_small_equity", "rnd_small_total", "rnd_small_staff"]


def small(**changes):
    fields = {
        "revenue": {2020: wan(3000), 2021: wan(4000), 2022: wan(4500)},
        "rnd_total": {2021: wan(1500), 2022: wan(1500)},
        "main_business_revenue": {2020: wan(2400), 2021: wan(2600), 2022: wan(2900)},
        "new_equity": {2021: wan(4000), 2022: wan(4000)},
        "rnd_staff": 150,
    }
    fields.update(changes)
    return eligible(**fields)


def test_small_band_at_its_bounds():
    assert status(check(small()), "rnd_by_band") is Status.PASS
    assert (
        status(check(small(new_equity={2021: wan(4000), 2022: wan("3999.99")})), "rnd_small_equity")
        is Status.FAIL
    )
    assert (
        status(check(small(rnd_total={2021: wan(1500), 2022: wan("1499.99")})), "rnd_small_total")
        is Status.FAIL
    )
    assert status(check(small(rnd_staff=149)), "rnd_small_staff") is Status.FAIL
    assert status(check(small(new_equity={})), "rnd_by_band") is Status.UNKNOWN


def test_each_year_must_reach_the_ratio():
    # 2021 below 3% fails though 2022 is well above; a missing year is unknown unless a known year fails.
    assert status(check(eligible(rnd_total={2021: wan(329), 2022: wan(1000)})), "rnd_by_band") is Status.FAIL
    assert status(check(eligible(rnd_total={2022: wan(1000)})), "rnd_by_band") is Status.UNKNOWN
    assert status(check(eligible(rnd_total={2022: wan(100)})), "rnd_by_band") is Status.FAIL


@pytest.mark.parametrize(
    ("changes", "code", "expected"),
    [
        ({"niche_years": Decimal(3)}, "niche_years", Status.PASS),
        ({"niche_years": Decimal("2.9")}, "niche_years", Status.FAIL),
        ({"debt_ratio": pct(70)}, "debt_ratio", Status.PASS),
        ({"debt_ratio": pct("70.01")}, "debt_ratio", Status.FAIL),
        ({"national_market_share": pct(10)}, "market_share", Status.PASS),
        ({"national_market_share": pct("9.99")}, "market_share", Status.FAIL),
        ({"national_market_share": None}, "market_share", Status.UNKNOWN),
        ({"ip_class_1": 1}, "ip_class_1", Status.FAIL),
        ({"rnd_institution": "none"}, "rnd_institution", Status.FAIL),
        ({"valid_certificates": frozenset()}, "prerequisite", Status.FAIL),
        ({"valid_certificates": None}, "prerequisite", Status.UNKNOWN),
        ({"judgements": {}}, "brand", Status.UNKNOWN),
    ],
)
def test_thresholds(changes, code, expected):
    assert status(check(eligible(**changes)), code) is expected


def test_main_business_share_at_seventy_per_cent():
    at = {2020: wan(8000), 2021: wan(8400), 2022: wan(8400)}  # 8,400万 of 1.2亿 = 70%
    assert status(check(eligible(main_business_revenue=at)), "main_business_share") is Status.PASS
    below = {2020: wan(8000), 2021: wan(8400), 2022: wan(8400) - 1}
    assert status(check(eligible(main_business_revenue=below)), "main_business_share") is Status.FAIL


def test_two_year_average_growth_at_five_per_cent():
    # ½(M2/M1 + M3/M2) − 1 = ½(1.04 + 1.06) − 1 = 5%.
    at = {2020: wan(8000), 2021: wan(8320), 2022: wan(8320) * Decimal("1.06")}
    assert status(check(eligible(main_business_revenue=at)), "main_business_growth") is Status.PASS
    below = {2020: wan(8000), 2021: wan(8320), 2022: wan(8320) * Decimal("1.0599")}
    assert status(check(eligible(main_business_revenue=below)), "main_business_growth") is Status.FAIL
    missing = {2021: wan(8320), 2022: wan(9000)}
    condition = check(eligible(main_business_revenue=missing)).find("main_business_growth")
    assert (condition.status, condition.missing) == (Status.UNKNOWN, ("main_business_revenue:2020",))


@pytest.mark.parametrize(
    ("award", "expected"),
    [
        (Award("science", "national", 2021, 3), Status.PASS),
        (Award("science", "national", 2021, 4), Status.FAIL),
        (Award("maker_china", "national", 2022, 50), Status.PASS),
        (Award("maker_china", "national", 2022, 51), Status.FAIL),
    ],
)
def test_innovation_direct_routes(award, expected):
    # Only one class-I IP: the general conditions fail, so the innovation line rests on the route.
    result = check(eligible(ip_class_1=1, awards=(award,)))
    assert result.find("general").status is Status.FAIL
    assert result.find("innovation").status is expected
