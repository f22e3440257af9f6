"""Helpers for the criteria checkers: amounts as officials write them, and a profile builder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation import criteria
from jingkai.innovation.eligibility import Status
from jingkai.innovation.profile import InnovationProfile

ON = dt.date(2023, 6, 1)  # the last complete fiscal year is 2022
YEARS = (2020, 2021, 2022)
WAN = Decimal(10_000)
YI = Decimal(100_000_000)


def wan(x) -> Decimal:
    return Decimal(str(x)) * WAN


def yi(x) -> Decimal:
    return Decimal(str(x)) * YI


def pct(x) -> Decimal:
    """pct("4") == Decimal("0.04")"""
    return Decimal(str(x)) / 100


def each(value, years=YEARS) -> dict[int, Decimal]:
    return {y: Decimal(value) for y in years}


def make(**fields) -> InnovationProfile:
    fields.setdefault("evaluated_on", ON)
    return InnovationProfile(**fields)


def status(eligibility, code) -> Status:
    return eligibility.find(code).status


@pytest.fixture
def thresholds():
    """thresholds("high_tech") → the version in force on ON."""
    return lambda tier: criteria.thresholds_for(tier, ON)
