"""专精特新中小企业 (RULES.md §6; 工信部企业〔2022〕63号 附件2《专精特新中小企业认定标准》).

Conditions: prerequisite (only when the thresholds name one), sme, no_violation, niche_years, rnd_amount,
rnd_ratio, revenue_or_equity (revenue, or equity when revenue is below the bound), and score_or_direct: the
score (score_total ≥ 60 over 专业化 25 / 精细化 25 / 特色化 15 / 创新能力 35, scored by experts and recorded as
assessed_scores "specialised.<part>") or a direct route (direct_award, direct_rnd_average, direct_equity,
direct_maker). A direct route replaces the score only.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

from jingkai.innovation.criteria.common import (
    ZERO,
    assessed,
    award,
    certificate,
    minimum,
    score,
    share,
    sme,
    sum_at_least,
    violations,
)
from jingkai.innovation.eligibility import Eligibility, Text, combine, money, number, pct
from jingkai.innovation.profile import AWARD_KINDS, InnovationProfile
from jingkai.innovation.thresholds import (
    Interval,
    Thresholds,
    amount,
    choice,
    codes,
    indicator,
    lookback,
    positive,
    ranks,
)
from jingkai.innovation.thresholds import number as a_number
from jingkai.innovation.thresholds import ratio as a_ratio

TIER = "specialised"
TITLE = _("Specialised and innovative SME")

_award = {"kind": choice(*AWARD_KINDS), "within_years": positive, "ranks": ranks}
SCHEMA = {
    "prerequisite?": {"certificates": codes},
    "sme": {"employees_below": positive, "revenue_below": amount},
    "no_violation": {"kinds": codes, "lookback": lookback},
    "niche_years": {"min_years": a_number},
    "rnd_amount": {"min_amount": amount},
    "rnd_ratio": {"min_ratio": a_ratio},
    "revenue_or_equity": {},
    "revenue": {"min_revenue": amount},
    "equity": {"years": positive, "min_total": amount},
    "score_or_direct": {},
    "score": {
        "min_total": a_number,
        "professional": indicator({}),
        "refinement": indicator({}),
        "characteristic": indicator({}),
        "innovation": indicator({}),
    },
    "direct_award": _award,
    "direct_rnd_average": {"years": positive, "min_average": amount},
    "direct_equity": {"years": positive, "min_total": amount},
    "direct_maker": _award,
}


def check(p: InnovationProfile, t: Thresholds) -> Eligibility:
    if t.tier != TIER:
        raise ValueError(f"{t.source}: thresholds of {t.tier}, not {TIER}")
    year = p.latest_year
    revenue = p.revenue.get(year)
    rnd = p.rnd_total.get(year)
    conditions = []
    if "prerequisite" in t:
        conditions.append(certificate(t, p, "prerequisite", _("Holds the tier below")))
    conditions += [
        sme(t, p),
        violations(t, p),
        niche_years(t, p),
        minimum(
            t,
            "rnd_amount",
            _("R&D spending of the last year"),
            rnd,
            t["rnd_amount"]["min_amount"],
            Text(
                _("R&D of %(rnd)s in %(year)s, needs at least %(needed)s"),
                {"rnd": money(rnd), "year": str(year), "needed": money(t["rnd_amount"]["min_amount"])},
            ),
            missing=[f"rnd_total:{year}"],
        ),
        minimum(
            t,
            "rnd_ratio",
            _("R&D spending relative to revenue"),
            share(rnd, revenue),
            t["rnd_ratio"]["min_ratio"],
            Text(
                _("R&D in %(year)s: %(ratio)s of revenue, needs ≥ %(needed)s"),
                {
                    "year": str(year),
                    "ratio": pct(share(rnd, revenue)),
                    "needed": pct(t["rnd_ratio"]["min_ratio"]),
                },
            ),
            missing=[
                f"{name}:{year}"
                for name, value in (("rnd_total", rnd), ("revenue", revenue))
                if value is None
            ],
        ),
        combine(
            "revenue_or_equity",
            _("Revenue, or new equity financing when revenue is below the bound"),
            t.citation("revenue_or_equity"),
            "any",
            (
                minimum(
                    t,
                    "revenue",
                    _("Revenue of the last year"),
                    revenue,
                    t["revenue"]["min_revenue"],
                    Text(
                        _("Revenue of %(revenue)s in %(year)s, needs at least %(needed)s"),
                        {
                            "revenue": money(revenue),
                            "year": str(year),
                            "needed": money(t["revenue"]["min_revenue"]),
                        },
                    ),
                    missing=[f"revenue:{year}"],
                ),
                sum_at_least(
                    t,
                    "equity",
                    _("New equity financing"),
                    p,
                    "new_equity",
                    t["equity"]["years"],
                    t["equity"]["min_total"],
                    _("New equity financing in %(years)s: %(value)s, needs at least %(needed)s"),
                ),
            ),
        ),
        combine(
            "score_or_direct",
            _("Evaluation score or a direct route"),
            t.citation("score_or_direct"),
            "any",
            (
                scored(p, t),
                award(
                    t,
                    p,
                    "direct_award",
                    _("Direct route: provincial or national S&T award"),
                ),
                sum_at_least(
                    t,
                    "direct_rnd_average",
                    _("Direct route: average R&D spending"),
                    p,
                    "rnd_total",
                    t["direct_rnd_average"]["years"],
                    t["direct_rnd_average"]["min_average"],
                    _("Average R&D in %(years)s: %(value)s, needs at least %(needed)s"),
                    average=True,
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
                award(t, p, "direct_maker", _("Direct route: Maker China contest, national ranking")),
            ),
        ),
    ]
    return Eligibility(TIER, t.version, p.evaluated_on, tuple(conditions), t.validity_years, t.open)


def niche_years(t, p, code="niche_years"):
    needed = t[code]["min_years"]
    text = Text(
        _("%(years)s years in its niche market by the end of %(year)s, needs at least %(needed)s"),
        {"years": number(p.niche_years), "year": str(p.latest_year), "needed": number(needed)},
    )
    return minimum(
        t, code, _("Years in its niche market"), p.niche_years, needed, text, missing=["niche_years"]
    )


PARTS = ("professional", "refinement", "characteristic", "innovation")  # 专业化, 精细化, 特色化, 创新能力


def scored(p, t):
    """The four parts are scored by experts (the 特色化 part by the province); an unrecorded part counts from 0
    to its maximum."""
    entry = t["score"]
    parts = {
        name: assessed(p, f"{TIER}.{name}", Interval(ZERO, entry[name]["max"]), entry[name]["max"])
        for name in PARTS
    }
    value = sum(parts.values(), Interval.exact(0))
    text = Text(
        _(
            "Score %(score)s (specialisation %(professional)s, refinement %(refinement)s, characteristics "
            "%(characteristic)s, innovation %(innovation)s), needs ≥ %(needed)s"
        ),
        {
            "score": str(value),
            **{name: str(part) for name, part in parts.items()},
            "needed": number(entry["min_total"]),
        },
    )
    figures = {"parts": {name: [part.lo, part.hi] for name, part in parts.items()}}
    return score(t, "score", _("Evaluation score"), value, entry["min_total"], text, figures)
