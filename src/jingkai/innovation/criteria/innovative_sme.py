"""创新型中小企业 (RULES.md §6; 工信部企业〔2022〕63号 附件1《创新型中小企业评价标准》).

RULES.md gives no thresholds for this tier: the 2022 method is implemented from the official text as we know it
and every number is marked "open: to be confirmed" in its thresholds file.

Conditions: sme, no_violation, and score_or_direct: the score (score_total ≥ 60 with innovation_part ≥ 20,
growth_part ≥ 15, specialisation_part ≥ 15) or a direct route (direct_award, direct_certificate,
direct_institution, direct_equity). The six indicators are computed from the profile where it can (R&D ratio,
main-business growth and share, debt ratio); what it cannot tell (whether class-I IP is high-value or
self-developed, whether the product field is a strategic emerging industry) stays a range unless an expert's
score or a judgement is recorded.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as _

from jingkai.innovation.criteria.common import (
    ZERO,
    assessed,
    award,
    band_points,
    certificate,
    institution,
    score,
    share,
    sme,
    sum_at_least,
    violations,
)
from jingkai.innovation.eligibility import Eligibility, Text, combine, number, pct
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
    lookback,
    points,
    positive,
    ranks,
)
from jingkai.innovation.thresholds import number as a_number
from jingkai.innovation.thresholds import ratio as a_ratio

TIER = "innovative_sme"
TITLE = _("Innovative SME")

_ratio_bands = bands(a_ratio, {"points": points})
SCHEMA = {
    "sme": {"employees_below": positive, "revenue_below": amount},
    "no_violation": {"kinds": codes, "lookback": lookback},
    "score_or_direct": {},
    "score": {
        "min_total": a_number,
        "min_innovation": a_number,
        "min_growth": a_number,
        "min_specialisation": a_number,
        "ip": indicator({"class_1_points": points, "class_2_points": points}),
        "rnd_ratio": indicator({"bands": _ratio_bands}),
        "main_growth": indicator({"bands": _ratio_bands}),
        "debt_ratio": indicator({"bands": _ratio_bands}),
        "product_field": indicator({"if_true": points, "if_false": points}),
        "main_share": indicator({"bands": _ratio_bands}),
    },
    "direct_award": {"kind": choice(*AWARD_KINDS), "within_years": positive, "ranks": ranks},
    "direct_certificate": {"certificates": codes},
    "direct_institution": {"min_level": institution_level},
    "direct_equity": {"years": positive, "min_total": amount},
}


def check(p: InnovationProfile, t: Thresholds) -> Eligibility:
    if t.tier != TIER:
        raise ValueError(f"{t.source}: thresholds of {t.tier}, not {TIER}")
    conditions = (
        sme(t, p),
        violations(t, p),
        combine(
            "score_or_direct",
            _("Evaluation score with each part's minimum, or a direct route"),
            t.citation("score_or_direct"),
            "any",
            (
                scored(p, t),
                award(t, p, "direct_award", _("Direct route: national or provincial S&T award")),
                certificate(
                    t,
                    p,
                    "direct_certificate",
                    _("Direct route: valid high-tech, technology-innovation or IP honour"),
                ),
                institution(
                    t, p, "direct_institution", _("Direct route: provincial or higher R&D institution")
                ),
                sum_at_least(
                    t,
                    "direct_equity",
                    _("Direct route: new equity financing"),
                    p,
                    "new_equity",
                    t["direct_equity"]["years"],
                    t["direct_equity"]["min_total"],
                    _("New equity financing in %(years)s: %(value)s, needs at least %(needed)s"),
                ),
            ),
        ),
    )
    return Eligibility(TIER, t.version, p.evaluated_on, conditions, t.validity_years, t.open)


def indicators(p: InnovationProfile, entry) -> tuple[dict[str, Interval], dict[str, Decimal | None]]:
    latest, before = p.latest_year, p.latest_year - 1
    revenue = p.revenue.get(latest)
    main = p.main_business_revenue.get(latest)
    main_before = p.main_business_revenue.get(before)
    rnd = p.rnd_total.get(latest)
    figures = {
        "rnd_ratio": share(rnd, revenue),
        "main_growth": None if main is None or main_before is None else share(main, main_before) - 1,
        "debt_ratio": p.debt_ratio,
        "main_share": share(main, revenue),
    }
    out = {"ip": _ip(entry["ip"], p.ip_class_1, p.ip_class_2)}
    for name in ("rnd_ratio", "main_growth", "debt_ratio", "main_share"):
        out[name] = band_points(entry[name]["bands"], figures[name])
    field = p.judgements.get(f"{TIER}.strategic_emerging")
    yes, no = entry["product_field"]["if_true"], entry["product_field"]["if_false"]
    out["product_field"] = (
        yes if field is True else no if field is False else Interval(min(yes.lo, no.lo), max(yes.hi, no.hi))
    )
    figures["strategic_emerging"] = field
    for name, value in out.items():
        out[name] = assessed(p, f"{TIER}.{name}", value, entry[name]["max"])
    return out, figures


def _ip(entry, class_1, class_2) -> Interval:
    """Class-I IP scores within class_1_points (high-value, self-developed or other: a figure cannot tell),
    else class-II IP scores class_2_points, else nothing."""
    one, two = entry["class_1_points"], entry["class_2_points"]
    from_two = two if class_2 else Interval(ZERO, ZERO) if class_2 == 0 else Interval(ZERO, two.hi)
    if class_1:
        return one
    if class_1 == 0:
        return from_two
    return Interval(from_two.lo, max(from_two.hi, one.hi))


def scored(p, t):
    entry = t["score"]
    parts, figures = indicators(p, entry)
    innovation = parts["ip"] + parts["rnd_ratio"]
    growth = parts["main_growth"] + parts["debt_ratio"]
    specialisation = parts["product_field"] + parts["main_share"]
    value = innovation + growth + specialisation
    shared = {"indicators": {k: [v.lo, v.hi] for k, v in parts.items()}, "figures": figures}
    year = str(p.latest_year)
    return combine(
        "score",
        _("Evaluation score with each part's minimum"),
        t.citation("score"),
        "all",
        (
            score(
                t,
                "score_total",
                _("Evaluation score"),
                value,
                entry["min_total"],
                Text(
                    _(
                        "Score %(score)s (innovation %(innovation)s, growth %(growth)s, specialisation "
                        "%(specialisation)s), needs ≥ %(needed)s"
                    ),
                    {
                        "score": str(value),
                        "innovation": str(innovation),
                        "growth": str(growth),
                        "specialisation": str(specialisation),
                        "needed": number(entry["min_total"]),
                    },
                ),
                shared,
                entry="score",
            ),
            score(
                t,
                "innovation_part",
                _("Innovation capability part"),
                innovation,
                entry["min_innovation"],
                Text(
                    _(
                        "Innovation capability %(points)s (IP %(ip)s, R&D %(rnd)s at %(ratio)s of revenue in %(year)s), needs ≥ %(needed)s"
                    ),
                    {
                        "points": str(innovation),
                        "ip": str(parts["ip"]),
                        "rnd": str(parts["rnd_ratio"]),
                        "ratio": pct(figures["rnd_ratio"]),
                        "year": year,
                        "needed": number(entry["min_innovation"]),
                    },
                ),
                shared,
                entry="score",
            ),
            score(
                t,
                "growth_part",
                _("Growth part"),
                growth,
                entry["min_growth"],
                Text(
                    _(
                        "Growth %(points)s (main-business growth %(growth_points)s at %(growth)s in %(year)s, "
                        "debt ratio %(debt_points)s at %(debt)s), needs ≥ %(needed)s"
                    ),
                    {
                        "points": str(growth),
                        "growth_points": str(parts["main_growth"]),
                        "growth": pct(figures["main_growth"]),
                        "year": year,
                        "debt_points": str(parts["debt_ratio"]),
                        "debt": pct(figures["debt_ratio"]),
                        "needed": number(entry["min_growth"]),
                    },
                ),
                shared,
                entry="score",
            ),
            score(
                t,
                "specialisation_part",
                _("Specialisation part"),
                specialisation,
                entry["min_specialisation"],
                Text(
                    _(
                        "Specialisation %(points)s (product field %(field)s, main-business share %(share_points)s "
                        "at %(share)s in %(year)s), needs ≥ %(needed)s"
                    ),
                    {
                        "points": str(specialisation),
                        "field": str(parts["product_field"]),
                        "share_points": str(parts["main_share"]),
                        "share": pct(figures["main_share"]),
                        "year": year,
                        "needed": number(entry["min_specialisation"]),
                    },
                ),
                shared,
                entry="score",
            ),
        ),
    )
