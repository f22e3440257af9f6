"""The tiers of the innovation ladder and their checkers (RULES.md §4–§6).

Each checker is a pure function `check(profile, thresholds) -> Eligibility`; the numbers come from the versioned
thresholds files (`jingkai.innovation.thresholds`), never from the code. The registry maps a tier code (the same
codes as `enterprises.HonourKind`) to its checker, its thresholds schema and its versions:

    check("high_tech", profile)            # thresholds in force on profile.evaluated_on
    check("high_tech", profile, thresholds)
    thresholds_for("tech_sme", date(2023, 5, 1))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from jingkai.innovation import thresholds as _thresholds
from jingkai.innovation.criteria import high_tech, innovative_sme, little_giant, specialised, tech_sme
from jingkai.innovation.eligibility import Eligibility
from jingkai.innovation.profile import InnovationProfile


@dataclass(frozen=True)
class Tier:
    code: str
    title: str  # msgid
    check: Callable[[InnovationProfile, _thresholds.Thresholds], Eligibility]
    schema: Mapping[str, Any]


# Lowest rung first, in the order the ladder pages list them.
TIERS: Mapping[str, Tier] = MappingProxyType(
    {
        module.TIER: Tier(module.TIER, module.TITLE, module.check, module.SCHEMA)
        for module in (tech_sme, high_tech, innovative_sme, specialised, little_giant)
    }
)


def schemas() -> dict[str, Mapping[str, Any]]:
    return {code: tier.schema for code, tier in TIERS.items()}


@cache
def versions() -> Mapping[str, tuple[_thresholds.Thresholds, ...]]:
    """Every thresholds version of every tier, oldest first (loaded once; a bad file refuses to load)."""
    return MappingProxyType(_thresholds.load_directory(schemas()))


def tier(code: str) -> Tier:
    try:
        return TIERS[code]
    except KeyError:
        raise LookupError(f"{code!r} is not a tier ({', '.join(TIERS)})") from None


def thresholds_for(code: str, on: dt.date) -> _thresholds.Thresholds:
    """The thresholds of a tier in force on a date."""
    tier(code)
    return _thresholds.current(versions()[code], on)


def check(
    code: str, profile: InnovationProfile, thresholds: _thresholds.Thresholds | None = None
) -> Eligibility:
    """Check a profile against a tier, with the thresholds in force on its evaluation date unless given."""
    if thresholds is None:
        thresholds = thresholds_for(code, profile.evaluated_on)
    return tier(code).check(profile, thresholds)


def check_all(profile: InnovationProfile) -> dict[str, Eligibility]:
    """Every tier whose thresholds are in force on the evaluation date."""
    out = {}
    for code in TIERS:
        try:
            thresholds = thresholds_for(code, profile.evaluated_on)
        except LookupError:
            continue
        out[code] = tier(code).check(profile, thresholds)
    return out
