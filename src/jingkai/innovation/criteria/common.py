"""Pieces every tier's checker is built from: fiscal-year windows, ratios, comparisons, scores, records.

Conventions (docs/decisions/0013-innovation-criteria.md):
- A missing figure gives "unknown"; a known figure that settles the condition anyway gives pass or fail (a sum of
  non-negative amounts that already reaches a minimum passes whatever the missing years hold; one known year below
  a "each year" bound fails). So adding data never turns a pass into unknown.
- A ratio whose denominator is zero is infinite when its numerator is positive and zero when both are.
- Scores are intervals: an indicator whose inputs are missing counts from its lowest to its highest points, and the
  score passes when its lowest possible total reaches the bound, fails when its highest cannot.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# Sentences are marked here, not translated: Condition.message translates them when read (see eligibility.Text).
from django.utils.translation import gettext_noop as _

from jingkai.innovation.eligibility import (
    INFINITY,
    Condition,
    Status,
    Text,
    money,
    number,
    shortfall_max,
    shortfall_min,
)
from jingkai.innovation.profile import INSTITUTION_LEVELS, InnovationProfile, ProfileError
from jingkai.innovation.thresholds import Band, Interval, Thresholds, match

ZERO = Decimal(0)


# --- building conditions -------------------------------------------------------------------------------


def leaf(t: Thresholds, code, title, status, text=None, figures=None, shortfall=None, missing=(), entry=None):
    """A condition read against the thresholds entry `entry` (by default its own code) and cited from it."""
    return Condition(
        code=code,
        title=title,
        status=status,
        citation=t.citation(entry or code),
        text=text,
        figures=figures or {},
        shortfall=shortfall if status is Status.FAIL else None,
        missing=tuple(missing),
    )


def unknown(t, code, title, missing=(), text=None, figures=None, entry=None):
    return leaf(t, code, title, Status.UNKNOWN, text=text, figures=figures, missing=missing, entry=entry)


def minimum(t, code, title, value, needed, text, figures=None, missing=(), strict=False, entry=None):
    """value ≥ needed (> when strict); unknown when value is None."""
    if value is None:
        return unknown(t, code, title, missing, figures=figures, entry=entry)
    ok = value > needed if strict else value >= needed
    figures = {"value": value, "needed": needed, **(figures or {})}
    status = Status.PASS if ok else Status.FAIL
    return leaf(t, code, title, status, text, figures, shortfall_min(value, needed), entry=entry)


def maximum(t, code, title, value, limit, text, figures=None, missing=(), strict=False, entry=None):
    """value ≤ limit (< when strict); unknown when value is None."""
    if value is None:
        return unknown(t, code, title, missing, figures=figures, entry=entry)
    ok = value < limit if strict else value <= limit
    figures = {"value": value, "limit": limit, **(figures or {})}
    status = Status.PASS if ok else Status.FAIL
    return leaf(t, code, title, status, text, figures, shortfall_max(value, limit), entry=entry)


# --- figures ---------------------------------------------------------------------------------------------


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    if denominator == 0:
        return INFINITY if numerator > 0 else ZERO
    return numerator / denominator


def share(part, whole) -> Decimal | None:
    if part is None or whole is None:
        return None
    return ratio(Decimal(part), Decimal(whole))


def last_years(p: InnovationProfile, count: int) -> tuple[int, ...]:
    """The last `count` fiscal years before the evaluation date, oldest first."""
    return tuple(range(p.latest_year - count + 1, p.latest_year + 1))


def operating_years(p: InnovationProfile, count: int) -> tuple[int, ...]:
    """The last `count` fiscal years, without those before the year of registration ("实际经营期不满三年的按实际
    经营时间计算": a year in which the enterprise was registered counts as a year of operation). With the
    registration date unknown, all `count` years are needed."""
    years = last_years(p, count)
    if p.registered_on is None:
        return years
    return tuple(y for y in years if y >= p.registered_on.year)


def by_year(p: InnovationProfile, name: str, years) -> tuple[list[Decimal] | None, list[str]]:
    """The values of a by-year field over the years, or None with what is missing."""
    mapping = getattr(p, name)
    missing = [f"{name}:{y}" for y in years if y not in mapping]
    return (None if missing else [mapping[y] for y in years]), missing


def total(p, name, years):
    values, missing = by_year(p, name, years)
    return (sum(values, ZERO) if values is not None else None), missing


def partial_total(p: InnovationProfile, name: str, count: int) -> tuple[Decimal, list[str], tuple[int, ...]]:
    """The sum over the last `count` years of what is known, the years missing, and the years counted.

    Years before registration count as zero (nothing can have been spent or raised then)."""
    years = last_years(p, count)
    counted = operating_years(p, count)
    mapping = getattr(p, name)
    known = sum((mapping[y] for y in counted if y in mapping), ZERO)
    missing = [f"{name}:{y}" for y in counted if y not in mapping]
    return known, missing, years


def years_text(years) -> str:
    if not years:
        return "—"
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def sum_at_least(t, code, title, p, name, count, needed, text_msgid, entry=None, average=False):
    """The sum (or the average over `count` years) of a non-negative by-year amount reaches a minimum."""
    known, missing, years = partial_total(p, name, count)
    value = known / count if average else known
    figures = {"years": list(years), "known": known, "value": value, "needed": needed, "missing": missing}
    text = Text(text_msgid, {"years": years_text(years), "value": money(value), "needed": money(needed)})
    if value >= needed:
        return leaf(t, code, title, Status.PASS, text, figures, entry=entry)
    if missing:
        return unknown(t, code, title, missing, figures=figures, entry=entry)
    return leaf(t, code, title, Status.FAIL, text, figures, shortfall_min(value, needed), entry=entry)


def growth_average(values: list[Decimal]) -> Decimal:
    """½(Y2/Y1 + Y3/Y2) − 1 for three years, Y2/Y1 − 1 for two: the mean of the yearly growth ratios."""
    ratios = [ratio(b, a) for a, b in zip(values, values[1:], strict=False)]
    if any(r == INFINITY for r in ratios):
        return INFINITY
    return sum(ratios, ZERO) / len(ratios) - 1


# --- scores ----------------------------------------------------------------------------------------------


def band_points(bands: tuple[Band, ...], value: Decimal | None) -> Interval:
    """The points of the band a value falls in; for an unknown value, anything the table can give."""
    if value is None:
        return Interval(min(b["points"].lo for b in bands), max(b["points"].hi for b in bands))
    return match(bands, value)[1]["points"]


def assessed(p: InnovationProfile, key: str, computed: Interval, top: Decimal) -> Interval:
    """An indicator's points: what the figures allow, narrowed to the score an expert recorded, if any.

    A recorded score outside what the figures allow is an input error, refused with its key."""
    value = p.assessed_scores.get(key)
    if value is None:
        return computed
    where = f"assessed_scores[{key!r}]"
    if value > top:
        raise ProfileError(where, f"{number(value)} exceeds the indicator's maximum {number(top)}")
    if not computed.lo <= value <= computed.hi:
        raise ProfileError(where, f"{number(value)} is outside the {computed} the recorded figures allow")
    return Interval.exact(value)


def score(t, code, title, value: Interval, needed: Decimal, text, figures=None, strict=False, entry=None):
    """A score known within an interval against a minimum: pass when even its lowest reaches it."""
    figures = {"score": [value.lo, value.hi], "needed": needed, **(figures or {})}

    def reaches(x):
        return x > needed if strict else x >= needed

    if reaches(value.lo):
        status = Status.PASS
    elif not reaches(value.hi):
        status = Status.FAIL
    else:
        status = Status.UNKNOWN
    return leaf(t, code, title, status, text, figures, shortfall_min(value.hi, needed), entry=entry)


def ip_ladder_tech_sme(entry, class_1: int | None, class_2: int | None) -> Interval:
    """科技型中小企业 results score: ≥ 1 class-I item gives the top points, else class-II items by count."""
    class_2_points = band_points(entry["class_2_bands"], None if class_2 is None else Decimal(class_2))
    if class_1 is not None and class_1 >= entry["class_1_min"]:
        return entry["class_1_points"]
    if class_1 is not None:
        return class_2_points
    # Class I unknown: at least what the class-II items give, at most the class-I points.
    return Interval(class_2_points.lo, max(class_2_points.hi, entry["class_1_points"].hi))


# --- records ---------------------------------------------------------------------------------------------


VIOLATION_TITLE = _("No disqualifying violation or listing")
SME_TITLE = _("Small or medium-sized enterprise")


def violations(t, p: InnovationProfile, code="no_violation", title=VIOLATION_TITLE):
    entry = t[code]
    since = lookback_start(p.evaluated_on, entry["lookback"])
    figures = {"since": since, "kinds": list(entry["kinds"])}
    if p.violations is None:
        return unknown(t, code, title, ["violations"], figures=figures)
    found = sorted(v.on for v in p.violations if v.kind in entry["kinds"] and since <= v.on <= p.evaluated_on)
    figures["found"] = found
    if found:
        text = Text(
            _("%(count)s violations since %(since)s, the latest on %(latest)s"),
            {"count": str(len(found)), "since": since.isoformat(), "latest": found[-1].isoformat()},
        )
        return leaf(t, code, title, Status.FAIL, text, figures)
    text = Text(_("No recorded violation since %(since)s"), {"since": since.isoformat()})
    return leaf(t, code, title, Status.PASS, text, figures)


def lookback_start(on: dt.date, lookback) -> dt.date:
    if "days" in lookback:
        return on - dt.timedelta(days=lookback["days"])
    return dt.date(on.year - lookback["calendar_years"] + 1, 1, 1)


def judgement(t, p: InnovationProfile, tier: str, code: str, title, yes_msgid, no_msgid):
    """A determination no figure gives (a field, a brand, a role in a chain), recorded as true or false."""
    key = f"{tier}.{code}"
    value = p.judgements.get(key)
    if value is None:
        return unknown(t, code, title, [f"judgements:{key}"], text=Text(_("Not assessed yet")))
    status = Status.PASS if value else Status.FAIL
    return leaf(t, code, title, status, Text(yes_msgid if value else no_msgid), {"judgement": value})


def certificate(t, p: InnovationProfile, code: str, title):
    """Holds a valid certificate of one of the listed tiers or honours on the evaluation date."""
    wanted = t[code]["certificates"]
    figures = {"certificates": list(wanted)}
    if p.valid_certificates is None:
        return unknown(t, code, title, ["valid_certificates"], figures=figures)
    held = sorted(set(wanted) & p.valid_certificates)
    figures["held"] = held
    if held:
        labels = tuple(Text(CERTIFICATE_LABELS[c]) if c in CERTIFICATE_LABELS else c for c in held)
        return leaf(
            t,
            code,
            title,
            Status.PASS,
            Text(_("Holds a valid certificate: %(held)s"), {"held": labels}),
            figures,
        )
    return leaf(t, code, title, Status.FAIL, Text(_("Holds none of the certificates that count")), figures)


def institution(t, p: InnovationProfile, code: str, title):
    """Its R&D institution is of the required level or higher."""
    needed = t[code]["min_level"]
    figures = {"level": p.rnd_institution, "needed": needed}
    if p.rnd_institution is None:
        return unknown(t, code, title, ["rnd_institution"], figures=figures)
    ok = INSTITUTION_LEVELS.index(p.rnd_institution) >= INSTITUTION_LEVELS.index(needed)
    text = Text(
        _("R&D institution: %(level)s; needs %(needed)s or higher"),
        {"level": Text(LEVEL_LABELS[p.rnd_institution]), "needed": Text(LEVEL_LABELS[needed])},
    )
    return leaf(t, code, title, Status.PASS if ok else Status.FAIL, text, figures)


CERTIFICATE_LABELS = {
    "tech_sme": _("Technology-based SME"),
    "high_tech": _("High-tech enterprise"),
    "innovative_sme": _("Innovative SME"),
    "specialised": _("Specialised and innovative SME"),
    "little_giant": _('Specialised and innovative "little giant"'),
    "tech_innovation_demo": _("National technology-innovation demonstration enterprise"),
    "ip_advantage": _("IP advantage enterprise"),
    "ip_demonstration": _("IP demonstration enterprise"),
}

LEVEL_LABELS = {
    "none": _("none"),
    "enterprise": _("the enterprise's own"),
    "county": _("county level"),
    "city": _("city level"),
    "provincial": _("provincial level"),
    "national": _("national level"),
}


def award(t, p: InnovationProfile, code: str, title):
    """An award of the kind, at a level whose place counts, within the last years (the evaluation year and the
    `within_years` before it)."""
    entry = t[code]
    first = p.evaluated_on.year - entry["within_years"]
    figures = {"kind": entry["kind"], "since": first, "ranks": dict(entry["ranks"])}
    if p.awards is None:
        return unknown(t, code, title, ["awards"], figures=figures)
    candidates = [
        a
        for a in p.awards
        if a.kind == entry["kind"] and a.level in entry["ranks"] and first <= a.year <= p.evaluated_on.year
    ]

    def counts(a):
        lowest = entry["ranks"][a.level]
        return lowest is None or (a.rank is not None and a.rank <= lowest)

    counting = [a for a in candidates if counts(a)]
    figures["counting"] = [{"level": a.level, "year": a.year, "rank": a.rank} for a in counting]
    if counting:
        best = counting[0]
        text = Text(
            _("%(level)s award in %(year)s, place %(rank)s"),
            {"level": Text(LEVEL_LABELS[best.level]), "year": str(best.year), "rank": number(best.rank)},
        )
        return leaf(t, code, title, Status.PASS, text, figures)
    if any(a.rank is None for a in candidates):
        return unknown(t, code, title, ["awards:rank"], figures=figures)
    return leaf(
        t,
        code,
        title,
        Status.FAIL,
        Text(_("No award that counts since %(since)s"), {"since": str(first)}),
        figures,
    )


def standard(t, p: InnovationProfile, code: str, title):
    entry = t[code]
    first = p.evaluated_on.year - entry["within_years"]
    figures = {"levels": list(entry["levels"]), "since": first}
    if p.standards_led is None:
        return unknown(t, code, title, ["standards_led"], figures=figures)
    led = [
        s for s in p.standards_led if s.level in entry["levels"] and first <= s.year <= p.evaluated_on.year
    ]
    figures["led"] = [{"level": s.level, "year": s.year} for s in led]
    if led:
        return leaf(
            t,
            code,
            title,
            Status.PASS,
            Text(
                _("Led %(count)s standards that count since %(since)s"),
                {"count": str(len(led)), "since": str(first)},
            ),
            figures,
        )
    return leaf(
        t,
        code,
        title,
        Status.FAIL,
        Text(_("Led no standard that counts since %(since)s"), {"since": str(first)}),
        figures,
    )


def sme(t, p: InnovationProfile, code="sme", title=SME_TITLE):
    """中小企业划型 (industry): fewer employees than the bound, or revenue below the bound, makes an SME."""
    entry = t[code]
    revenue = p.revenue.get(p.latest_year)
    small_staff = None if p.employees is None else p.employees < entry["employees_below"]
    small_revenue = None if revenue is None else revenue < entry["revenue_below"]
    figures = {
        "employees": p.employees,
        "revenue": revenue,
        "employees_below": entry["employees_below"],
        "revenue_below": entry["revenue_below"],
    }
    text = Text(
        _(
            "%(employees)s employees and revenue of %(revenue)s; an SME has fewer than %(staff_bound)s employees or revenue below %(revenue_bound)s"
        ),
        {
            "employees": number(p.employees),
            "revenue": money(revenue),
            "staff_bound": number(entry["employees_below"]),
            "revenue_bound": money(entry["revenue_below"]),
        },
    )
    if small_staff or small_revenue:
        return leaf(t, code, title, Status.PASS, text, figures)
    if small_staff is False and small_revenue is False:
        over = min(
            shortfall_max(Decimal(p.employees), Decimal(entry["employees_below"])),
            shortfall_max(revenue, entry["revenue_below"]),
        )
        return leaf(t, code, title, Status.FAIL, text, figures, over)
    missing = (["employees"] if p.employees is None else []) + (
        [f"revenue:{p.latest_year}"] if revenue is None else []
    )
    return unknown(t, code, title, missing, figures=figures)
