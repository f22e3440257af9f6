"""高新技术企业 (RULES.md §4; 国科发火〔2016〕32号 第十一条, guide 国科发火〔2016〕195号).

All eight conditions of 第十一条, the 60% of R&D spent in China (part of (五)) as its own line:
registered, ip_owned, high_tech_field, st_staff, rnd_ratio, rnd_in_china, high_tech_income, innovation_score,
no_violation.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_noop as _

from jingkai.innovation.criteria.common import (
    ZERO,
    assessed,
    band_points,
    growth_average,
    judgement,
    leaf,
    minimum,
    operating_years,
    ratio,
    score,
    share,
    total,
    unknown,
    violations,
    years_text,
)
from jingkai.innovation.eligibility import Eligibility, Status, Text, money, number, pct, shortfall_min
from jingkai.innovation.profile import InnovationProfile
from jingkai.innovation.thresholds import (
    Interval,
    Thresholds,
    amount,
    bands,
    codes,
    indicator,
    integer,
    lookback,
    points,
    positive,
)
from jingkai.innovation.thresholds import match as match_band
from jingkai.innovation.thresholds import number as a_number
from jingkai.innovation.thresholds import ratio as a_ratio

TIER = "high_tech"
TITLE = _("High-tech enterprise")

_growth = indicator({"bands": bands(a_ratio, {"points": points})})
SCHEMA = {
    "registered": {"min_days": integer},
    "ip_owned": {"min_items": positive},
    "high_tech_field": {},
    "st_staff": {"min_share": a_ratio},
    "rnd_ratio": {"years": positive, "bands": bands(amount, {"min_ratio": a_ratio})},
    "rnd_in_china": {"min_share": a_ratio},
    "high_tech_income": {"min_share": a_ratio},
    "innovation_score": {
        "above": a_number,
        "ip": indicator({}),
        "conversion": indicator({}),
        "rnd_management": indicator({}),
        "growth_years": positive,
        "net_asset_growth": _growth,
        "sales_growth": _growth,
    },
    "no_violation": {"kinds": codes, "lookback": lookback},
}


def check(p: InnovationProfile, t: Thresholds) -> Eligibility:
    if t.tier != TIER:
        raise ValueError(f"{t.source}: thresholds of {t.tier}, not {TIER}")
    conditions = (
        registered(p, t),
        ip_owned(p, t),
        judgement(
            t,
            p,
            TIER,
            "high_tech_field",
            _("Core technology in a state-supported high-tech field"),
            _("Assessed as within the state-supported high-tech fields"),
            _("Assessed as outside the state-supported high-tech fields"),
        ),
        st_staff(p, t),
        rnd_ratio(p, t),
        rnd_in_china(p, t),
        high_tech_income(p, t),
        innovation_score(p, t),
        violations(t, p, title=_("No major safety, quality or environmental violation")),
    )
    return Eligibility(TIER, t.version, p.evaluated_on, conditions, t.validity_years, t.open)


def registered(p, t):
    code, title = "registered", _("Registered for at least one year")
    needed = t[code]["min_days"]
    if p.registered_on is None:
        return unknown(t, code, title, ["registered_on"])
    days = (p.evaluated_on - p.registered_on).days
    text = Text(
        _("Registered on %(registered)s, %(days)s days before %(on)s; needs at least %(needed)s days"),
        {
            "registered": p.registered_on.isoformat(),
            "days": str(days),
            "on": p.evaluated_on.isoformat(),
            "needed": str(needed),
        },
    )
    return minimum(t, code, title, Decimal(days), Decimal(needed), text, {"registered_on": p.registered_on})


def ip_owned(p, t):
    code, title = "ip_owned", _("Owns intellectual property supporting its main products")
    needed = t[code]["min_items"]
    known = (p.ip_class_1 or 0) + (p.ip_class_2 or 0)
    figures = {"class_1": p.ip_class_1, "class_2": p.ip_class_2, "needed": needed}
    text = Text(
        _("%(class_1)s class I and %(class_2)s class II IP items; needs at least %(needed)s"),
        {"class_1": number(p.ip_class_1), "class_2": number(p.ip_class_2), "needed": str(needed)},
    )
    if known >= needed:
        return leaf(t, code, title, Status.PASS, text, figures)
    missing = [name for name in ("ip_class_1", "ip_class_2") if getattr(p, name) is None]
    if missing:
        return unknown(t, code, title, missing, figures=figures)
    return leaf(t, code, title, Status.FAIL, text, figures, shortfall_min(Decimal(known), Decimal(needed)))


def st_staff(p, t):
    code, title = "st_staff", _("Share of S&T staff")
    needed = t[code]["min_share"]
    value = share(p.st_staff, p.employees)
    missing = [name for name in ("st_staff", "employees") if getattr(p, name) is None]
    text = Text(
        _("S&T staff %(share)s of employees (%(st_staff)s of %(employees)s), needs ≥ %(needed)s"),
        {
            "share": pct(value),
            "st_staff": number(p.st_staff),
            "employees": number(p.employees),
            "needed": pct(needed),
        },
    )
    return minimum(t, code, title, value, needed, text, missing=missing)


def rnd_ratio(p, t):
    """R&D / sales over the last 3 fiscal years (or the years of actual operation), by the latest year's sales."""
    code, title = "rnd_ratio", _("R&D spending relative to sales")
    entry = t[code]
    years = operating_years(p, entry["years"])
    if not years:
        return _no_fiscal_year(p, t, code, title)
    rnd, missing_rnd = total(p, "rnd_total", years)
    sales, missing_sales = total(p, "revenue", years)
    latest = p.revenue.get(p.latest_year)
    figures = {"years": list(years), "rnd_total": rnd, "sales_total": sales, "latest_sales": latest}
    if rnd is None or sales is None:
        return unknown(t, code, title, missing_rnd + missing_sales, figures=figures)
    band_index, band = match_band(entry["bands"], latest)
    needed = band["min_ratio"]
    value = ratio(rnd, sales)
    figures |= {"band": band_index, "ratio": value}
    text = Text(
        _("R&D in %(years)s: %(ratio)s of sales, needs ≥ %(needed)s at sales of %(sales)s in %(latest)s"),
        {
            "years": years_text(years),
            "ratio": pct(value),
            "needed": pct(needed),
            "sales": money(latest),
            "latest": str(p.latest_year),
        },
    )
    return minimum(t, code, title, value, needed, text, figures)


def _no_fiscal_year(p, t, code, title):
    """Registered in the evaluation year: no fiscal year to measure yet (the registration condition fails)."""
    text = Text(
        _("No complete fiscal year since registration on %(registered)s"),
        {"registered": p.registered_on.isoformat()},
    )
    return unknown(t, code, title, text=text)


def rnd_in_china(p, t):
    code, title = "rnd_in_china", _("R&D spent in China")
    needed = t[code]["min_share"]
    years = operating_years(p, t["rnd_ratio"]["years"])
    if not years:
        return _no_fiscal_year(p, t, code, title)
    china, missing_china = total(p, "rnd_in_china", years)
    rnd, missing_rnd = total(p, "rnd_total", years)
    figures = {"years": list(years), "rnd_in_china": china, "rnd_total": rnd}
    if china is None or rnd is None:
        return unknown(t, code, title, missing_china + missing_rnd, figures=figures)
    if rnd == ZERO:
        text = Text(_("No R&D spending in %(years)s"), {"years": years_text(years)})
        return leaf(t, code, title, Status.FAIL, text, figures | {"needed": needed}, Decimal(1))
    value = china / rnd
    text = Text(
        _("R&D in China in %(years)s: %(share)s of all R&D, needs ≥ %(needed)s"),
        {"years": years_text(years), "share": pct(value), "needed": pct(needed)},
    )
    return minimum(t, code, title, value, needed, text, figures)


def high_tech_income(p, t):
    code, title = "high_tech_income", _("High-tech product and service income")
    needed = t[code]["min_share"]
    value = share(p.high_tech_income, p.total_income)
    missing = [name for name in ("high_tech_income", "total_income") if getattr(p, name) is None]
    text = Text(
        _(
            "High-tech income %(share)s of total income in %(year)s (%(income)s of %(total)s), needs ≥ %(needed)s"
        ),
        {
            "share": pct(value),
            "year": str(p.latest_year),
            "income": money(p.high_tech_income),
            "total": money(p.total_income),
            "needed": pct(needed),
        },
    )
    return minimum(t, code, title, value, needed, text, missing=missing)


def innovation_score(p, t):
    """IP, conversion of results and R&D management are scored by experts (assessed_scores); growth comes from the
    net assets and sales, within the band an expert then narrows (9–10, 7–8, …)."""
    code, title = "innovation_score", _("Innovation capability score")
    entry = t[code]
    parts = {}
    for name in ("ip", "conversion", "rnd_management"):
        top = entry[name]["max"]
        parts[name] = assessed(p, f"{TIER}.{name}", Interval(ZERO, top), top)
    years = operating_years(p, entry["growth_years"])
    growth_figures = {}
    rates = {}
    missing = []
    for name, field in (("net_asset_growth", "net_assets"), ("sales_growth", "revenue")):
        ind = entry[name]
        mapping = getattr(p, field)
        absent = [f"{field}:{y}" for y in years if y not in mapping]
        if absent or not years:
            computed, rate, note = Interval(ZERO, ind["max"]), None, "missing"
            missing += absent
        else:
            computed, rate, note = growth_points([mapping[y] for y in years], ind)
        parts[name] = assessed(p, f"{TIER}.{name}", computed, ind["max"])
        rates[name] = rate
        growth_figures[name] = {"rate": rate, "rule": note, "points": [parts[name].lo, parts[name].hi]}
    value = sum(parts.values(), Interval.exact(0))
    growth = parts["net_asset_growth"] + parts["sales_growth"]
    text = Text(
        _(
            "Score %(score)s (IP %(ip)s, conversion of results %(conversion)s, R&D management %(management)s, "
            "growth %(growth)s: net assets %(net_assets_rate)s, sales %(sales_rate)s), needs above %(needed)s"
        ),
        {
            "score": str(value),
            "ip": str(parts["ip"]),
            "conversion": str(parts["conversion"]),
            "management": str(parts["rnd_management"]),
            "growth": str(growth),
            "net_assets_rate": pct(rates["net_asset_growth"]),
            "sales_rate": pct(rates["sales_growth"]),
            "needed": number(entry["above"]),
        },
    )
    figures = {
        "parts": {name: [part.lo, part.hi] for name, part in parts.items()},
        "growth": growth_figures,
        "years": list(years),
        "missing": missing,
    }
    return score(t, code, title, value, entry["above"], text, figures, strict=True)


def growth_points(values: list[Decimal], ind) -> tuple[Interval, Decimal | None, str]:
    """The points of a growth indicator from year-end values (oldest first), with the guide's special cases.

    Three years: ½(Y2/Y1 + Y3/Y2) − 1; Y2 = 0 scores 0; Y1 = 0 uses Y3/Y2 − 1 (the last two years). A negative
    base makes the ratio meaningless: left to the experts (unknown within the indicator's range). Two years of
    operation: the guide does not say whether the ½ stays, so the points lie between those of ½·Y2/Y1 − 1 and of
    Y2/Y1 − 1 (open: to be confirmed). One year: no growth to measure (unknown within the range)."""
    top, table = ind["max"], ind["bands"]
    if len(values) >= 3:
        y1, y2, y3 = values[-3:]
        if y2 == 0:
            return Interval.exact(0), None, "second_year_zero"
        if y1 == 0 and y2 > 0:
            rate = ratio(y3, y2) - 1
            return band_points(table, rate), rate, "first_year_zero"
        if y1 <= 0 or y2 < 0:
            return Interval(ZERO, top), None, "negative_base"
        rate = growth_average([y1, y2, y3])
        return band_points(table, rate), rate, "three_years"
    if len(values) == 2:
        y1, y2 = values
        if y1 <= 0:
            return Interval(ZERO, top), None, "negative_base"
        full, halved = ratio(y2, y1) - 1, y2 / (2 * y1) - 1
        low, high = band_points(table, halved), band_points(table, full)
        return Interval(min(low.lo, high.lo), max(low.hi, high.hi)), full, "two_years"
    return Interval(ZERO, top), None, "one_year"
