"""专精特新"小巨人" (RULES.md §6; 工信部企业〔2022〕63号 附件3《专精特新"小巨人"企业认定标准》).

Conditions: prerequisite (a valid 专精特新中小企业 certificate, when the thresholds name one), sme, no_violation,
niche_years, main_business_share, main_business_growth, debt_ratio, market_share, brand, supply_chain,
product_field, and innovation: the general conditions (rnd_by_band, rnd_institution, ip_class_1) or a direct
route (direct_award, direct_maker).

rnd_by_band by the last year's revenue: ≥ 1亿 → R&D ≥ 3% of revenue in each of the 2 years; 5,000万 to 1亿 →
≥ 6% in each; below 5,000万 → new equity, R&D total and R&D staff share together.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as _

from jingkai.innovation.criteria.common import (
    award,
    certificate,
    growth_average,
    institution,
    judgement,
    last_years,
    leaf,
    maximum,
    minimum,
    ratio,
    share,
    sme,
    sum_at_least,
    unknown,
    violations,
    years_text,
)
from jingkai.innovation.criteria.specialised import niche_years
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
    Invalid,
    Thresholds,
    amount,
    bands,
    choice,
    codes,
    institution_level,
    lookback,
    positive,
    ranks,
)
from jingkai.innovation.thresholds import match as match_band
from jingkai.innovation.thresholds import number as a_number
from jingkai.innovation.thresholds import ratio as a_ratio

TIER = "little_giant"
TITLE = _('Specialised and innovative "little giant"')

_SMALL = ("min_new_equity", "min_rnd_total", "min_rnd_staff_share")
_band_table = bands(
    amount,
    {
        "min_ratio_each_year?": a_ratio,
        "min_new_equity?": amount,
        "min_rnd_total?": amount,
        "min_rnd_staff_share?": a_ratio,
    },
)


def _rnd_bands(value, where):
    """Each revenue band needs either a ratio in each year, or the three requirements of the small band."""
    table = _band_table(value, where)
    for index, band in enumerate(table):
        keys = set(band.result)
        if keys != {"min_ratio_each_year"} and keys != set(_SMALL):
            raise Invalid(
                f"{where}[{index}]",
                f"needs either min_ratio_each_year or all of {', '.join(_SMALL)} (has {', '.join(sorted(keys)) or 'none'})",
            )
    return table


_award = {"kind": choice(*AWARD_KINDS), "within_years": positive, "ranks": ranks}
SCHEMA = {
    "prerequisite?": {"certificates": codes},
    "sme": {"employees_below": positive, "revenue_below": amount},
    "no_violation": {"kinds": codes, "lookback": lookback},
    "niche_years": {"min_years": a_number},
    "main_business_share": {"min_share": a_ratio},
    "main_business_growth": {"years": positive, "min_growth": a_ratio},
    "debt_ratio": {"max_ratio": a_ratio},
    "market_share": {"min_share": a_ratio},
    "brand": {},
    "supply_chain": {},
    "product_field": {},
    "innovation": {},
    "general": {},
    "rnd_by_band": {"years": positive, "bands": _rnd_bands},
    "rnd_institution": {"min_level": institution_level},
    "ip_class_1": {"min_items": positive},
    "direct_award": _award,
    "direct_maker": _award,
}


def check(p: InnovationProfile, t: Thresholds) -> Eligibility:
    if t.tier != TIER:
        raise ValueError(f"{t.source}: thresholds of {t.tier}, not {TIER}")
    year = p.latest_year
    revenue = p.revenue.get(year)
    main = p.main_business_revenue.get(year)
    conditions = []
    if "prerequisite" in t:
        conditions.append(certificate(t, p, "prerequisite", _("Holds the tier below")))
    conditions += [
        sme(t, p),
        violations(t, p),
        niche_years(t, p),
        minimum(
            t,
            "main_business_share",
            _("Main-business share of revenue"),
            share(main, revenue),
            t["main_business_share"]["min_share"],
            Text(
                _("Main business %(share)s of revenue in %(year)s, needs ≥ %(needed)s"),
                {
                    "share": pct(share(main, revenue)),
                    "year": str(year),
                    "needed": pct(t["main_business_share"]["min_share"]),
                },
            ),
            missing=[
                f"{n}:{year}" for n, v in (("main_business_revenue", main), ("revenue", revenue)) if v is None
            ],
        ),
        main_business_growth(p, t),
        maximum(
            t,
            "debt_ratio",
            _("Debt ratio"),
            p.debt_ratio,
            t["debt_ratio"]["max_ratio"],
            Text(
                _("Debt ratio %(ratio)s at the end of %(year)s, at most %(limit)s"),
                {"ratio": pct(p.debt_ratio), "year": str(year), "limit": pct(t["debt_ratio"]["max_ratio"])},
            ),
            missing=["debt_ratio"],
        ),
        minimum(
            t,
            "market_share",
            _("National niche-market share"),
            p.national_market_share,
            t["market_share"]["min_share"],
            Text(
                _("National niche-market share %(share)s, needs ≥ %(needed)s"),
                {"share": pct(p.national_market_share), "needed": pct(t["market_share"]["min_share"])},
            ),
            missing=["national_market_share"],
        ),
        judgement(
            t,
            p,
            TIER,
            "brand",
            _("Own brand with a competitive edge"),
            _("Assessed as having its own competitive brand"),
            _("Assessed as having no competitive brand of its own"),
        ),
        judgement(
            t,
            p,
            TIER,
            "supply_chain",
            _("Key link of an industrial chain"),
            _("Assessed as a key link of an industrial chain"),
            _("Assessed as not a key link of an industrial chain"),
        ),
        judgement(
            t,
            p,
            TIER,
            "product_field",
            _("Main products in a priority field"),
            _("Assessed as in a priority field"),
            _("Assessed as outside the priority fields"),
        ),
        combine(
            "innovation",
            _("Innovation capability: general conditions or a direct route"),
            t.citation("innovation"),
            "any",
            (
                combine(
                    "general",
                    _("R&D by revenue band, an R&D institution and class I IP"),
                    t.citation("general"),
                    "all",
                    (
                        rnd_by_band(p, t),
                        institution(t, p, "rnd_institution", _("Has an R&D institution")),
                        ip_class_1(p, t),
                    ),
                ),
                award(t, p, "direct_award", _("Direct route: national S&T award")),
                award(t, p, "direct_maker", _("Direct route: Maker China contest, national ranking")),
            ),
        ),
    ]
    return Eligibility(TIER, t.version, p.evaluated_on, tuple(conditions), t.validity_years, t.open)


def main_business_growth(p, t):
    """The average of the last 2 years' main-business growth rates: ½(M2/M1 + M3/M2) − 1."""
    code, title = "main_business_growth", _("Average main-business growth")
    entry = t[code]
    years = last_years(p, entry["years"])
    missing = [f"main_business_revenue:{y}" for y in years if y not in p.main_business_revenue]
    value = None if missing else growth_average([p.main_business_revenue[y] for y in years])
    text = Text(
        _("Average main-business growth %(growth)s over %(years)s, needs ≥ %(needed)s"),
        {"growth": pct(value), "years": years_text(years), "needed": pct(entry["min_growth"])},
    )
    return minimum(t, code, title, value, entry["min_growth"], text, {"years": list(years)}, missing=missing)


def ip_class_1(p, t):
    code, title = "ip_class_1", _("Class I IP supporting the main products")
    needed = t[code]["min_items"]
    text = Text(
        _("%(count)s class I IP items, needs at least %(needed)s"),
        {"count": number(p.ip_class_1), "needed": str(needed)},
    )
    value = None if p.ip_class_1 is None else Decimal(p.ip_class_1)
    return minimum(t, code, title, value, Decimal(needed), text, missing=["ip_class_1"])


def rnd_by_band(p, t):
    code, title = "rnd_by_band", _("R&D by revenue band")
    entry = t[code]
    year = p.latest_year
    revenue = p.revenue.get(year)
    if revenue is None:
        return unknown(t, code, title, [f"revenue:{year}"])
    index, band = match_band(entry["bands"], revenue)
    years = last_years(p, entry["years"])
    if "min_ratio_each_year" in band.result:
        return _each_year(p, t, code, title, band["min_ratio_each_year"], years, revenue, index)
    parts = (
        sum_at_least(
            t,
            "rnd_small_equity",
            _("New equity financing"),
            p,
            "new_equity",
            entry["years"],
            band["min_new_equity"],
            _("New equity financing in %(years)s: %(value)s, needs at least %(needed)s"),
            entry=code,
        ),
        sum_at_least(
            t,
            "rnd_small_total",
            _("Total R&D spending"),
            p,
            "rnd_total",
            entry["years"],
            band["min_rnd_total"],
            _("R&D in %(years)s: %(value)s, needs at least %(needed)s"),
            entry=code,
        ),
        minimum(
            t,
            "rnd_small_staff",
            _("Share of R&D staff"),
            share(p.rnd_staff, p.employees),
            band["min_rnd_staff_share"],
            Text(
                _("R&D staff %(share)s of employees, needs ≥ %(needed)s"),
                {"share": pct(share(p.rnd_staff, p.employees)), "needed": pct(band["min_rnd_staff_share"])},
            ),
            missing=[n for n in ("rnd_staff", "employees") if getattr(p, n) is None],
            entry=code,
        ),
    )
    text = Text(
        _("Revenue of %(revenue)s in %(year)s: equity, R&D total and R&D staff needed together"),
        {"revenue": money(revenue), "year": str(year)},
    )
    return combine(
        code, title, t.citation(code), "all", parts, text=text, figures={"band": index, "revenue": revenue}
    )


def _each_year(p, t, code, title, needed, years, revenue, band_index):
    """R&D ≥ needed × revenue in each year: one known year below fails whatever the others hold."""
    ratios = {}
    missing = []
    for y in years:
        rnd, sales = p.rnd_total.get(y), p.revenue.get(y)
        if rnd is None or sales is None:
            missing += [f"{n}:{y}" for n, v in (("rnd_total", rnd), ("revenue", sales)) if v is None]
        else:
            ratios[y] = ratio(rnd, sales)
    figures = {"band": band_index, "revenue": revenue, "ratios": ratios, "needed": needed}
    below = {y: r for y, r in ratios.items() if r < needed}
    text = Text(
        _("R&D %(ratios)s of revenue, needs ≥ %(needed)s in each year at revenue of %(revenue)s"),
        {
            "ratios": tuple(
                Text(_("%(year)s: %(ratio)s"), {"year": str(y), "ratio": pct(r)}) for y, r in ratios.items()
            ),
            "needed": pct(needed),
            "revenue": money(revenue),
        },
    )
    if below:
        gap = shortfall_min(min(below.values()), needed)
        return leaf(t, code, title, Status.FAIL, text, figures, gap)
    if missing:
        return unknown(t, code, title, missing, figures=figures)
    return leaf(t, code, title, Status.PASS, text, figures)
