"""The thresholds files: they load, a bad one is refused with its file and key path, the version in force on a
date is chosen, and the checkers hold no number of their own."""

from __future__ import annotations

import ast
import copy
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from jingkai.enterprises.choices import HonourKind
from jingkai.innovation import criteria
from jingkai.innovation import thresholds as th
from jingkai.innovation.thresholds import ThresholdsError

CRITERIA_DIR = Path(criteria.__file__).parent


def test_every_shipped_file_loads_and_names_its_sources():
    versions = criteria.versions()
    assert set(versions) == set(criteria.TIERS)
    for tier, loaded in versions.items():
        assert loaded, tier
        for t in loaded:
            assert t.document and t.rules.startswith("RULES.md §")
            for code in t.conditions:
                citation = t.citation(code)
                assert citation.article and citation.document and citation.rules


def test_tier_codes_are_the_registry_honour_kinds():
    assert set(criteria.TIERS) <= set(HonourKind.values)


def test_validity_years():
    on = dt.date(2023, 6, 1)
    assert criteria.thresholds_for("high_tech", on).validity_years == 3
    for tier in ("innovative_sme", "specialised", "little_giant", "tech_sme"):
        t = criteria.thresholds_for(tier, on)
        assert any("validity_years" in note for note in t.open), tier


def test_amounts_and_ratios_are_read_as_officials_write_them():
    t = criteria.thresholds_for("high_tech", dt.date(2023, 1, 1))
    bands = t["rnd_ratio"]["bands"]
    assert [(b.op, b.bound, b["min_ratio"]) for b in bands] == [
        ("upto", Decimal(50_000_000), Decimal("0.05")),
        ("upto", Decimal(200_000_000), Decimal("0.04")),
        (None, None, Decimal("0.03")),
    ]
    assert th.amount("100万元", "x") == Decimal(1_000_000)
    assert th.amount(1500, "x") == Decimal(1500)
    assert th.ratio("4.5%", "x") == Decimal("0.045")


def test_the_version_in_force_on_a_date(tmp_path):
    source = th.ROOT / "high_tech" / "2016.json"
    folder = tmp_path / "high_tech"
    folder.mkdir()
    (folder / "2016.json").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    newer = json.loads(source.read_text(encoding="utf-8"))
    newer["version"] = "2030"
    newer["valid_from"] = "2030-01-01"
    newer["conditions"]["st_staff"]["min_share"] = "12%"
    (folder / "2030.json").write_text(json.dumps(newer, ensure_ascii=False), encoding="utf-8")
    versions = th.load_directory({"high_tech": criteria.TIERS["high_tech"].schema}, tmp_path)["high_tech"]
    assert th.current(versions, dt.date(2029, 12, 31))["st_staff"]["min_share"] == Decimal("0.10")
    assert th.current(versions, dt.date(2030, 1, 1))["st_staff"]["min_share"] == Decimal("0.12")
    with pytest.raises(LookupError, match="no thresholds of high_tech in force on 2015-12-31"):
        th.current(versions, dt.date(2015, 12, 31))
    # The same start date twice is refused.
    newer["version"] = "2016b"
    newer["valid_from"] = "2016-01-01"
    (folder / "2016b.json").write_text(json.dumps(newer, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ThresholdsError, match="2016-01-01 is also the start of"):
        th.load_directory({"high_tech": criteria.TIERS["high_tech"].schema}, tmp_path)


def test_a_checker_refuses_another_tiers_thresholds():
    from tests.innovation.conftest import make

    with pytest.raises(ValueError, match="thresholds of tech_sme, not high_tech"):
        criteria.TIERS["high_tech"].check(make(), criteria.thresholds_for("tech_sme", dt.date(2023, 1, 1)))
    with pytest.raises(LookupError, match="'gazelle' is not a tier"):
        criteria.check("gazelle", make())


# --- bad files, each refused with where the problem is --------------------------------------------------------


def shipped(tier):
    path = next((th.ROOT / tier).glob("*.json"))
    return path.name, json.loads(path.read_text(encoding="utf-8"))


def load(tmp_path, tier, data, name=None):
    folder = tmp_path / tier
    folder.mkdir(exist_ok=True)
    path = folder / (name or f"{data.get('version', 'x')}.json")
    path.write_text(
        json.dumps(data, ensure_ascii=False) if not isinstance(data, str) else data, encoding="utf-8"
    )
    return th.load_file(path, criteria.schemas())


def mutate(tier, change):
    _name, data = shipped(tier)
    data = copy.deepcopy(data)
    change(data)
    return data


BAD = [
    (
        "high_tech",
        lambda d: d["conditions"]["st_staff"].update(min_share="10"),
        "conditions.st_staff.min_share",
        "not a percentage",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["st_staff"].update(min_share=0.1),
        "conditions.st_staff.min_share",
        "not a percentage",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["st_staff"].pop("cite"),
        "conditions.st_staff",
        "missing key 'cite'",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["st_staff"].update(min_shar="10%"),
        "conditions.st_staff",
        "unknown key 'min_shar'",
    ),
    (
        "high_tech",
        lambda d: d["conditions"].pop("rnd_in_china"),
        "conditions",
        "missing condition 'rnd_in_china'",
    ),
    (
        "high_tech",
        lambda d: d["conditions"].update(gazelle={"cite": "x"}),
        "conditions.gazelle",
        "is not a condition of high_tech",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["rnd_ratio"]["bands"].reverse(),
        "conditions.rnd_ratio.bands[0]",
        "only the last row may have no bound",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["rnd_ratio"]["bands"][1].update(upto="4000万"),
        "conditions.rnd_ratio.bands[1]",
        "out of order",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["rnd_ratio"]["bands"][0].update(upto="5000千"),
        "conditions.rnd_ratio.bands[0].upto",
        "not an amount",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["rnd_ratio"]["bands"].pop(),
        "conditions.rnd_ratio.bands[1]",
        "the last row is the catch-all",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["innovation_score"]["sales_growth"]["bands"][0].update(points=[9, 11]),
        "conditions.innovation_score.sales_growth.bands",
        "11 points exceed the maximum 10",
    ),
    (
        "high_tech",
        lambda d: d["conditions"]["innovation_score"]["sales_growth"]["bands"][0].update(points=[10, 9]),
        "conditions.innovation_score.sales_growth.bands[0].points",
        "10 is above 9",
    ),
    ("high_tech", lambda d: d.update(valid_from="2016-13-01"), "valid_from", "not a date"),
    ("high_tech", lambda d: d.update(level="county"), "level", "not one of national, provincial"),
    ("high_tech", lambda d: d.update(validity_years=0), "validity_years", "whole number ≥ 1"),
    (
        "high_tech",
        lambda d: d["conditions"]["no_violation"].update(lookback={"weeks": 52}),
        "conditions.no_violation.lookback",
        "days",
    ),
    (
        "tech_sme",
        lambda d: d["conditions"]["score"]["results"].update(class_1_points=35),
        "conditions.score.results.class_1_points",
        "35 points exceed the maximum 30",
    ),
    (
        "tech_sme",
        lambda d: d["conditions"]["direct_institution"].update(min_level="ministerial"),
        "conditions.direct_institution.min_level",
        "not one of",
    ),
    (
        "little_giant",
        lambda d: d["conditions"]["rnd_by_band"]["bands"][2].pop("min_rnd_total"),
        "conditions.rnd_by_band.bands[2]",
        "needs either min_ratio_each_year or all of",
    ),
    (
        "innovative_sme",
        lambda d: d["conditions"]["score"]["debt_ratio"]["bands"][1].update(**{"below": None, "from": "60%"}),
        "conditions.score.debt_ratio.bands[1]",
        "has both",
    ),
]


@pytest.mark.parametrize(("tier", "change", "where", "problem"), BAD)
def test_a_bad_file_is_refused_with_its_location(tmp_path, tier, change, where, problem):
    data = mutate(tier, change)
    with pytest.raises(ThresholdsError) as error:
        load(tmp_path, tier, data)
    assert error.value.where.startswith(where), error.value
    assert problem in error.value.problem, error.value
    assert str(error.value).startswith(str(tmp_path / tier)), "the message names the file"


def test_a_mixed_direction_table_is_refused(tmp_path):
    def change(d):
        d["conditions"]["score"]["debt_ratio"]["bands"][1] = {"from": "60%", "points": 5}

    with pytest.raises(ThresholdsError, match="mixes lower bounds"):
        load(tmp_path, "innovative_sme", mutate("innovative_sme", change))


def test_file_level_problems(tmp_path):
    with pytest.raises(ThresholdsError, match=r"line 1 column 2"):
        load(tmp_path, "high_tech", "{oops", name="2016.json")
    name, data = shipped("high_tech")
    with pytest.raises(ThresholdsError, match="does not match the folder 'tech_sme'"):
        load(tmp_path, "tech_sme", data, name=name)
    with pytest.raises(ThresholdsError, match="does not match the file name"):
        load(tmp_path, "high_tech", data, name="2017.json")
    with pytest.raises(ThresholdsError, match="'gazelle' is not a tier"):
        load(tmp_path, "high_tech", {**data, "tier": "gazelle"})
    (tmp_path / "gazelle").mkdir()
    with pytest.raises(ThresholdsError, match="'gazelle' is not a tier"):
        th.load_directory(criteria.schemas(), tmp_path)


def test_an_optional_condition_may_be_left_out(tmp_path):
    _name, data = shipped("little_giant")
    del data["conditions"]["prerequisite"]
    t = load(tmp_path, "little_giant", data)
    assert "prerequisite" not in t
    from tests.innovation.conftest import make

    result = criteria.TIERS["little_giant"].check(make(), t)
    assert "prerequisite" not in [c.code for c in result.conditions]


# --- no number in the checkers ---------------------------------------------------------------------------------

# The numbers a checker may write: the structure of a formula (the ½ and the three years of the 高企 growth
# rate, "one year" windows), never a threshold.
STRUCTURAL = {0, 1, 2, 3}


@pytest.mark.parametrize("path", sorted(CRITERIA_DIR.glob("*.py")), ids=lambda p: p.name)
def test_checkers_hold_no_threshold(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    numbers = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }
    assert numbers <= STRUCTURAL, (
        f"{path.name} writes {sorted(numbers - STRUCTURAL)}: put thresholds in thresholds/"
    )
