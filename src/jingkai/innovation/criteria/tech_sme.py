"""科技型中小企业 (RULES.md §5; 国科发政〔2017〕115号《科技型中小企业评价办法》as revised in 2022).

Conditions: staff_limit, sales_limit, assets_limit, permitted_products, no_violation, and score_or_direct: the
score (score_total ≥ 60 with staff_score_nonzero) or one of the direct routes (direct_high_tech, direct_award,
direct_institution, direct_standard). A direct route replaces the score only: the other conditions still apply.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext_noop as _

from jingkai.innovation.criteria.common import (
    award,
    band_points,
    certificate,
    institution,
    ip_ladder_tech_sme,
    judgement,
    leaf,
    maximum,
    operating_years,
    ratio,
    score,
    share,
    standard,
    total,
    violations,
)
from jingkai.innovation.eligibility import (
    Eligibility,
    Status,
    Text,
    combine,
    money,
    number,
    pct,
    shortfall_min,
)
from jingkai.innovation.profile import AWARD_KINDS, InnovationProfile
from jingkai.innovation.thresholds import (
    Interval,
    Thresholds,
    amount,
    bands,
    choice,
    codes,
    indicator,
    institution_level,
    integer,
    lookback,
    points,
    positive,
    ranks,
)
from jingkai.innovation.thresholds import number as a_number
from jingkai.innovation.thresholds import ratio as a_ratio

TIER = "tech_sme"
TITLE = _("Technology-based SME")

_ratio_bands = bands(a_ratio, {"points": points})
SCHEMA = {
    "staff_limit": {"max_employees": integer},
    "sales_limit": {"max_revenue": amount},
    "assets_limit": {"max_total_assets": amount},
    "permitted_products": {},
    "no_violation": {"kinds": codes, "lookback": lookback},
    "score_or_direct": {},
    "score": {
        "min_total": a_number,
        "rnd_years": positive,
        "st_staff": indicator({"bands": _ratio_bands}),
        "rnd_to_sales": indicator({"bands": _ratio_bands}),
        "rnd_to_costs": indicator({"bands": _ratio_bands}),
        "results": indicator(
            {
                "class_1_min": positive,
                "class_1_points": points,
                "class_2_bands": bands(a_number, {"points": points}),
            }
        ),
    },
    "direct_high_tech": {"certificates": codes},
    "direct_award": {"kind": choice(*AWARD_KINDS), "within_years": positive, "ranks": ranks},
    "direct_institution": {"min_level": institution_level},
    "direct_standard": {"levels": codes, "within_years": positive},
}


def check(p: InnovationProfile, t: Thresholds) -> Eligibility:
    if t.tier != TIER:
        raise ValueError(f"{t.source}: thresholds of {t.tier}, not {TIER}")
    latest = p.revenue.get(p.latest_year)
    conditions = (
        maximum(
            t,
            "staff_limit",
            _("Number of employees within the limit"),
            None if p.employees is None else Decimal(p.employees),
            Decimal(t["staff_limit"]["max_employees"]),
            Text(
                _("%(employees)s employees, at most %(limit)s"),
                {"employees": number(p.employees), "limit": str(t["staff_limit"]["max_employees"])},
            ),
            missing=["employees"],
        ),
        maximum(
            t,
            "sales_limit",
            _("Annual sales within the limit"),
            latest,
            t["sales_limit"]["max_revenue"],
            Text(
                _("Sales of %(sales)s in %(year)s, at most %(limit)s"),
                {
                    "sales": money(latest),
                    "year": str(p.latest_year),
                    "limit": money(t["sales_limit"]["max_revenue"]),
                },
            ),
            missing=[f"revenue:{p.latest_year}"],
        ),
        maximum(
            t,
            "assets_limit",
            _("Total assets within the limit"),
            p.total_assets,
            t["assets_limit"]["max_total_assets"],
            Text(
                _("Total assets of %(assets)s, at most %(limit)s"),
                {"assets": money(p.total_assets), "limit": money(t["assets_limit"]["max_total_assets"])},
            ),
            missing=["total_assets"],
        ),
        judgement(
            t,
            p,
            TIER,
            "permitted_products",
            _("Products and services not prohibited, restricted or obsolete"),
            _("Assessed as not in a prohibited, restricted or obsolete category"),
            _("Assessed as in a prohibited, restricted or obsolete category"),
        ),
        violations(t, p),
        combine(
            "score_or_direct",
            _("Evaluation score or a direct route"),
            t.citation("score_or_direct"),
            "any",
            (
                scored(p, t),
                certificate(
                    t, p, "direct_high_tech", _("Direct route: valid high-tech enterprise certificate")
                ),
                award(t, p, "direct_award", _("Direct route: national S&T award")),
                institution(
                    t, p, "direct_institution", _("Direct route: provincial or higher R&D institution")
                ),
                standard(
                    t,
                    p,
                    "direct_standard",
                    _("Direct route: led an international, national or industry standard"),
                ),
            ),
        ),
    )
    return Eligibility(TIER, t.version, p.evaluated_on, conditions, t.validity_years, t.open)


def scored(p, t):
    """The 20 / 50 / 30 score: S&T staff share, the better of the two R&D measures, IP results."""
    entry = t["score"]
    staff_share = share(p.st_staff, p.employees)
    staff = band_points(entry["st_staff"]["bands"], staff_share)
    years = operating_years(p, entry["rnd_years"])
    rnd, _missing = total(p, "rnd_total", years)
    sales, _missing = total(p, "revenue", years)
    costs, _missing = total(p, "total_costs", years)
    to_sales = ratio(rnd, sales) if years and rnd is not None and sales is not None else None
    to_costs = ratio(rnd, costs) if years and rnd is not None and costs is not None else None
    by_sales = band_points(entry["rnd_to_sales"]["bands"], to_sales)
    by_costs = band_points(entry["rnd_to_costs"]["bands"], to_costs)
    rnd_points = by_sales.best(by_costs)
    results = ip_ladder_tech_sme(entry["results"], p.ip_class_1, p.ip_class_2)
    value = staff + rnd_points + results
    figures = {
        "st_staff_share": staff_share,
        "rnd_to_sales": to_sales,
        "rnd_to_costs": to_costs,
        "years": list(years),
        "points": {
            "st_staff": [staff.lo, staff.hi],
            "rnd_to_sales": [by_sales.lo, by_sales.hi],
            "rnd_to_costs": [by_costs.lo, by_costs.hi],
            "rnd": [rnd_points.lo, rnd_points.hi],
            "results": [results.lo, results.hi],
        },
    }
    text = Text(
        _(
            "Score %(score)s (S&T staff %(staff)s at %(staff_share)s, R&D %(rnd)s at %(to_sales)s of sales "
            "or %(to_costs)s of costs, results %(results)s), needs ≥ %(needed)s"
        ),
        {
            "score": str(value),
            "staff": str(staff),
            "staff_share": pct(staff_share),
            "rnd": str(rnd_points),
            "to_sales": pct(to_sales),
            "to_costs": pct(to_costs),
            "results": str(results),
            "needed": number(entry["min_total"]),
        },
    )
    missing = _missing_inputs(p, years)
    total_condition = score(
        t, "score_total", _("Evaluation score"), value, entry["min_total"], text, figures, entry="score"
    )
    if total_condition.status is Status.UNKNOWN:
        total_condition = _with_missing(total_condition, missing)
    return combine(
        "score",
        _("Evaluation score with a non-zero S&T staff score"),
        t.citation("score"),
        "all",
        (total_condition, staff_nonzero(p, t, staff, staff_share)),
    )


def staff_nonzero(p, t, staff: Interval, staff_share):
    code, title = "staff_score_nonzero", _("Non-zero S&T staff score")
    table = t["score"]["st_staff"]["bands"]
    # The lowest share that scores anything: the bound of the last band that gives points.
    scoring = [band.bound for band in table if band.op and band["points"].lo > 0]
    needed = scoring[-1] if scoring else None
    text = Text(
        _(
            "S&T staff %(share)s of employees gives %(points)s points; the score needs a non-zero S&T staff score"
        ),
        {"share": pct(staff_share), "points": str(staff)},
    )
    figures = {"share": staff_share, "points": [staff.lo, staff.hi], "needed": needed}
    if staff.lo > 0:
        return leaf(t, code, title, Status.PASS, text, figures, entry="score")
    if staff.hi == 0:
        gap = shortfall_min(staff_share, needed) if needed is not None and staff_share is not None else None
        return leaf(t, code, title, Status.FAIL, text, figures, gap, entry="score")
    missing = [name for name in ("st_staff", "employees") if getattr(p, name) is None]
    return leaf(t, code, title, Status.UNKNOWN, None, figures, missing=missing, entry="score")


def _missing_inputs(p, years):
    missing = [
        name for name in ("st_staff", "employees", "ip_class_1", "ip_class_2") if getattr(p, name) is None
    ]
    for name in ("rnd_total", "revenue", "total_costs"):
        missing += [f"{name}:{y}" for y in years if y not in getattr(p, name)]
    return missing


def _with_missing(condition, missing):
    return replace(condition, missing=tuple(missing))
