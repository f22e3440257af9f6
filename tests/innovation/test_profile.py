"""The profile refuses bad input with the field at fault, and normalises what it accepts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.innovation.profile import Award, InnovationProfile, ProfileError, StandardLed, Violation
from tests.innovation.conftest import ON, make


def test_amounts_are_exact_decimals_and_read_as_staff_type_them():
    profile = make(revenue={2022: "１２,０００"}, debt_ratio=0.65, rnd_total={2022: 12})
    assert profile.revenue[2022] == Decimal(12000)
    assert profile.debt_ratio == Decimal("0.65")
    assert profile.rnd_total[2022] == Decimal(12)
    assert profile.latest_year == 2022
    with pytest.raises(TypeError):
        profile.revenue[2023] = Decimal(1)  # read-only


@pytest.mark.parametrize(
    ("fields", "where", "problem"),
    [
        ({"evaluated_on": dt.datetime(2023, 1, 1)}, "evaluated_on", "is not a date"),
        ({"registered_on": dt.date(2024, 1, 1)}, "registered_on", "after the evaluation date"),
        ({"employees": -1}, "employees", "below 0"),
        ({"employees": 10.0}, "employees", "not a whole number"),
        ({"employees": True}, "employees", "not a whole number"),
        ({"employees": 10, "st_staff": 11}, "st_staff", "exceeds employees"),
        ({"revenue": {2022: -5}}, "revenue[2022]", "negative"),
        ({"revenue": {"2022": 5}}, "revenue['2022']", "not a year"),
        ({"revenue": {2024: 5}}, "revenue[2024]", "after the evaluation date"),
        ({"revenue": {2022: "abc"}}, "revenue[2022]", "not a number"),
        (
            {"registered_on": dt.date(2021, 5, 1), "net_assets": {2020: 5}},
            "net_assets[2020]",
            "before the registration",
        ),
        ({"revenue": {2022: "NaN"}}, "revenue[2022]", "not a number"),
        ({"revenue": [1, 2]}, "revenue", "must map fiscal years"),
        (
            {"rnd_total": {2022: 5}, "rnd_in_china": {2022: 6}},
            "rnd_in_china[2022]",
            "exceeds rnd_total[2022]",
        ),
        (
            {"revenue": {2022: 5}, "main_business_revenue": {2022: 6}},
            "main_business_revenue[2022]",
            "exceeds revenue",
        ),
        ({"high_tech_income": 7, "total_income": 6}, "high_tech_income", "exceeds total_income"),
        ({"national_market_share": 12}, "national_market_share", "above 1"),
        ({"rnd_institution": "ministerial"}, "rnd_institution", "not one of"),
        ({"awards": (StandardLed("national", 2020),)}, "awards[0]", "is not a Award"),
        ({"awards": (Award("science", "national", 2024),)}, "awards[0]", "after the evaluation date"),
        ({"violations": "safety"}, "violations", "sequence of records"),
        ({"valid_certificates": "high_tech"}, "valid_certificates", "set of non-empty codes"),
        ({"judgements": {"high_tech.field": "yes"}}, "judgements['high_tech.field']", "not true or false"),
        ({"judgements": {"field": True}}, "judgements['field']", "<tier>.<condition"),
        ({"assessed_scores": {"high_tech.ip": -1}}, "assessed_scores['high_tech.ip']", "negative"),
    ],
)
def test_bad_input_is_refused_with_its_field(fields, where, problem):
    with pytest.raises(ProfileError) as error:
        make(**fields)
    assert error.value.where == where
    assert problem in error.value.problem


@pytest.mark.parametrize(
    ("make_record", "problem"),
    [
        (lambda: Award("prize", "national", 2020), "not one of"),
        (lambda: Award("science", "galactic", 2020), "not one of"),
        (lambda: Award("science", "national", 2020, 0), "below 1"),
        (lambda: StandardLed("national", 1800), "plausible year"),
        (lambda: Violation("parking", ON), "not one of"),
        (lambda: Violation("safety", "2023-01-01"), "not a date"),
    ],
)
def test_records_validate_themselves(make_record, problem):
    with pytest.raises(ProfileError, match=problem):
        make_record()


def test_the_evaluation_date_is_the_only_required_field():
    profile = InnovationProfile(evaluated_on=ON)
    assert profile.awards is None and profile.revenue == {}
