"""Properties of every checker over generated enterprises (hypothesis).

- Adding data never changes a settled condition: a pass stays a pass (never unknown, never fail) and a fail stays
  a fail.
- Raising an R&D figure (spent in China) never turns a pass into a fail.
- Every condition carries a citation; every message renders in Chinese and English; the result is JSON-ready.

The generated enterprises are consistent the way real records are: no figure for a year before the year of
registration, no part larger than its whole.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status, Verdict
from jingkai.innovation.profile import (
    AWARD_KINDS,
    AWARD_LEVELS,
    INSTITUTION_LEVELS,
    STANDARD_LEVELS,
    VIOLATION_KINDS,
    Award,
    InnovationProfile,
    StandardLed,
    Violation,
)

WAN = 10_000
# Amounts near every bound the thresholds use, and anything else.
BOUNDS = [0, 100, 500, 1000, 2000, 3000, 5000, 6000, 8000, 10_000, 20_000, 40_000]
NEAR = sorted({b * WAN + d for b in BOUNDS for d in (-1, 0, 1) if b * WAN + d >= 0})
amounts = st.one_of(st.sampled_from(NEAR), st.integers(0, 6 * 10**8)).map(Decimal)
fractions = st.one_of(
    st.sampled_from(["0", "0.03", "0.05", "0.1", "0.5", "0.6", "0.7", "1"]),
    st.decimals(0, 1, places=4).map(str),
).map(Decimal)
SCALARS = (
    "registered_on",
    "employees",
    "st_staff",
    "rnd_staff",
    "high_tech_income",
    "total_income",
    "total_assets",
    "debt_ratio",
    "ip_class_1",
    "ip_class_2",
    "niche_years",
    "national_market_share",
    "rnd_institution",
    "standards_led",
    "awards",
    "violations",
    "valid_certificates",
)
BY_YEAR = (
    "rnd_total",
    "rnd_in_china",
    "revenue",
    "total_costs",
    "main_business_revenue",
    "net_assets",
    "new_equity",
)
JUDGEMENTS = [
    "high_tech.high_tech_field",
    "tech_sme.permitted_products",
    "innovative_sme.strategic_emerging",
    "little_giant.brand",
    "little_giant.supply_chain",
    "little_giant.product_field",
]
# Expert scores for indicators no figure computes (a score for a computed one must fit the figures).
ASSESSED = {
    "high_tech.ip": 30,
    "high_tech.conversion": 30,
    "high_tech.rnd_management": 20,
    "specialised.professional": 25,
    "specialised.refinement": 25,
    "specialised.characteristic": 15,
    "specialised.innovation": 35,
}
CERTIFICATES = [
    "high_tech",
    "tech_sme",
    "innovative_sme",
    "specialised",
    "tech_innovation_demo",
    "ip_advantage",
]


def maybe(strategy, p_none=0.15):
    return st.one_of(st.just(None), strategy) if p_none else strategy


@st.composite
def enterprises(draw) -> InnovationProfile:
    on = draw(st.dates(dt.date(2022, 8, 1), dt.date(2027, 12, 31)))
    latest = on.year - 1
    registered = draw(st.one_of(st.none(), st.dates(dt.date(latest - 8, 1, 1), on)))
    first = registered.year if registered else latest - 3
    years = [y for y in range(latest - 3, latest + 1) if y >= first]

    def some_years():
        return [y for y in years if draw(st.integers(0, 9)) > 0]

    revenue = {y: draw(amounts) for y in some_years()}
    rnd = {y: draw(amounts) for y in some_years()}
    employees = draw(
        maybe(st.one_of(st.sampled_from([0, 10, 100, 499, 500, 501, 999, 1000]), st.integers(0, 3000)))
    )

    def part_of(whole, strategy=fractions):
        return None if whole is None else draw(strategy) * whole

    def head_count(whole):
        return None if whole is None else draw(st.integers(0, whole))

    total_income = draw(maybe(amounts))
    fields = {
        "evaluated_on": on,
        "registered_on": registered,
        "employees": employees,
        "st_staff": head_count(employees),
        "rnd_staff": head_count(employees),
        "revenue": revenue,
        "rnd_total": rnd,
        "rnd_in_china": {y: part_of(v) for y, v in rnd.items() if draw(st.booleans())},
        "main_business_revenue": {y: part_of(v) for y, v in revenue.items() if draw(st.integers(0, 9))},
        "total_costs": {y: draw(amounts) for y in some_years()},
        "net_assets": {y: draw(st.integers(-(10**8), 10**9).map(Decimal)) for y in some_years()},
        "new_equity": {y: draw(amounts) for y in some_years()},
        "total_income": total_income,
        "high_tech_income": part_of(total_income),
        "total_assets": draw(maybe(amounts)),
        "debt_ratio": draw(maybe(st.decimals(0, "1.5", places=4))),
        "ip_class_1": draw(maybe(st.integers(0, 4))),
        "ip_class_2": draw(maybe(st.integers(0, 6))),
        "niche_years": draw(maybe(st.decimals(0, 10, places=1))),
        "national_market_share": draw(maybe(fractions)),
        "rnd_institution": draw(maybe(st.sampled_from(INSTITUTION_LEVELS))),
        "standards_led": draw(
            maybe(
                st.lists(
                    st.builds(
                        StandardLed, st.sampled_from(STANDARD_LEVELS), st.integers(latest - 7, on.year)
                    ),
                    max_size=3,
                )
            )
        ),
        "awards": draw(
            maybe(
                st.lists(
                    st.builds(
                        Award,
                        st.sampled_from(AWARD_KINDS),
                        st.sampled_from(AWARD_LEVELS),
                        st.integers(latest - 7, on.year),
                        st.one_of(st.none(), st.sampled_from([1, 3, 4, 5, 6, 50, 51, 500, 501])),
                    ),
                    max_size=3,
                )
            )
        ),
        "violations": draw(
            maybe(
                st.lists(
                    st.builds(
                        Violation,
                        st.sampled_from(VIOLATION_KINDS),
                        st.dates(on - dt.timedelta(days=1500), on),
                    ),
                    max_size=2,
                )
            )
        ),
        "valid_certificates": draw(maybe(st.frozensets(st.sampled_from(CERTIFICATES)))),
        "judgements": draw(st.dictionaries(st.sampled_from(JUDGEMENTS), st.booleans())),
        "assessed_scores": {
            key: draw(st.one_of(st.sampled_from([0, top]), st.integers(0, top)).map(Decimal))
            for key, top in ASSESSED.items()
            if draw(st.booleans())
        },
    }
    for name in ("standards_led", "awards", "violations"):
        if fields[name] is not None:
            fields[name] = tuple(fields[name])
    return InnovationProfile(**fields)


@st.composite
def with_less_data(draw, profile: InnovationProfile) -> InnovationProfile:
    """The same enterprise with some of what is known forgotten."""
    changes = {}
    for name in SCALARS:
        if getattr(profile, name) is not None and draw(st.integers(0, 3)) == 0:
            changes[name] = None
    for name in (*BY_YEAR, "judgements", "assessed_scores"):
        mapping = getattr(profile, name)
        if mapping:
            dropped = draw(st.sets(st.sampled_from(sorted(mapping))))
            changes[name] = {k: v for k, v in mapping.items() if k not in dropped}
    return replace(profile, **changes)


def statuses(eligibility) -> dict[tuple[str, ...], Status]:
    out = {}

    def visit(condition, path):
        path = (*path, condition.code)
        out[path] = condition.status
        for part in condition.parts:
            visit(part, path)

    for condition in eligibility.conditions:
        visit(condition, ())
    return out


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.data())
def test_adding_data_never_unsettles_a_condition(data):
    full = data.draw(enterprises())
    less = data.draw(with_less_data(full))
    for tier in criteria.TIERS:
        before, after = statuses(criteria.check(tier, less)), statuses(criteria.check(tier, full))
        for path, status in before.items():
            if status is not Status.UNKNOWN:
                assert after.get(path) is status, (tier, path, status, after.get(path))


@PROPERTY
@given(st.data())
def test_more_rnd_never_turns_a_pass_into_a_fail(data):
    profile = data.draw(enterprises())
    if not profile.rnd_total:
        return
    year = data.draw(st.sampled_from(sorted(profile.rnd_total)))
    extra = data.draw(amounts.filter(lambda a: a > 0))
    more = replace(
        profile,
        rnd_total={**profile.rnd_total, year: profile.rnd_total[year] + extra},
        rnd_in_china={
            **profile.rnd_in_china,
            **({year: profile.rnd_in_china[year] + extra} if year in profile.rnd_in_china else {}),
        },
    )
    for tier in criteria.TIERS:
        before, after = statuses(criteria.check(tier, profile)), statuses(criteria.check(tier, more))
        for path, status in before.items():
            if status is Status.PASS:
                assert after[path] is Status.PASS, (tier, path)


@PROPERTY
def _figures_under(condition) -> int:
    """How many single figures a condition's shortfall can add up: 1 for a leaf, its parts' for a combined one."""
    return max(1, sum(_figures_under(part) for part in condition.parts))


@given(enterprises())
def test_every_condition_is_cited_explained_and_serialisable(profile):
    for tier, result in criteria.check_all(profile).items():
        for condition in result.walk():
            citation = condition.citation
            assert citation.rules.startswith("RULES.md §") and citation.document and citation.article, (
                condition.code
            )
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    assert condition.message and condition.label, (tier, condition.code)
            if condition.status is Status.FAIL and condition.shortfall is not None:
                # Normalised: within 0–1 for a single figure; a combined condition adds up its parts', which may
                # be combined themselves (little giant: "general" holds the R&D-by-band condition, itself combined).
                assert 0 <= condition.shortfall <= _figures_under(condition), condition.code
        top = [c.status for c in result.conditions]
        assert result.failed == top.count(Status.FAIL)
        assert (result.verdict is Verdict.ELIGIBLE) == all(s is Status.PASS for s in top)
        assert (result.verdict is Verdict.NOT_ELIGIBLE) == (Status.FAIL in top)
        json.dumps(result.as_dict(), ensure_ascii=False)
