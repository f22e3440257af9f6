"""Helpers for the evaluation tests: input frames built from a few named figures (engine tests, no database), and
an evaluated zone for the app's tests: the shared `zone` (tests/conftest.py) with industry codes, 2022 inputs and
the demo zone's method (pinghu-2022) saved (`evaluation_zone`); `evaluated` has the run done (a draft)."""

from __future__ import annotations

import math
from decimal import Decimal

import polars as pl
import pytest

from jingkai.evaluation import services
from jingkai.evaluation.method import Method
from jingkai.evaluation.methods import SHIPPED, load
from jingkai.evaluation.models import EvaluationInput

# A plain 规上 enterprise in the units of the inputs (万元, 亩, 吨标准煤, 吨, 人).
ABOVE = {
    "population": "above",
    "land_mu": 20.0,
    "tax": 500.0,
    "value_added": 3000.0,
    "energy_tce": 1000.0,
    "emissions": 0.6,
    "employees": 150.0,
    "rd": 90.0,
    "revenue": 3000.0,
    "electricity": None,
    "industry": "C3421",
    "founded_year": 2010,
    "flag_under_construction": False,
    # the 平湖 demo method's bonus and penalty evidence (counts)
    "flag_high_tech": 0,
    "flag_specialised": 0,
    "flag_rd_institutions": 0,
    "flag_safety_accidents": 0,
    "flag_environmental_penalties": 0,
}
BELOW = ABOVE | {
    "population": "below",
    "land_mu": 5.0,
    "tax": 40.0,
    "value_added": 200.0,
    "energy_tce": None,
    "emissions": None,
    "rd": 0.0,
    "revenue": 800.0,
    "electricity": 150.0,
}
SCHEMA = {
    "enterprise_id": pl.Int64,
    "population": pl.String,
    "land_mu": pl.Float64,
    "tax": pl.Float64,
    "value_added": pl.Float64,
    "energy_tce": pl.Float64,
    "emissions": pl.Float64,
    "employees": pl.Float64,
    "rd": pl.Float64,
    "revenue": pl.Float64,
    "electricity": pl.Float64,
    "industry": pl.String,
    "founded_year": pl.Int64,
    "flag_under_construction": pl.Boolean,
    "flag_high_tech": pl.Int64,
    "flag_specialised": pl.Int64,
    "flag_rd_institutions": pl.Int64,
    "flag_safety_accidents": pl.Int64,
    "flag_environmental_penalties": pl.Int64,
}


def frame(*rows: dict, base: dict = ABOVE, extra: dict | None = None) -> pl.DataFrame:
    """Rows given as changes to ``base``; ids 1, 2, 3 … unless given."""
    records = [base | {"enterprise_id": i} | row for i, row in enumerate(rows, start=1)]
    schema = SCHEMA | (extra or {})
    for record in records:
        for name in record:
            if name not in schema:
                schema[name] = pl.Int64 if name.startswith("flag_") else pl.Float64
    return pl.DataFrame(records, schema=schema)


def by_id(results: pl.DataFrame) -> dict:
    return {row["enterprise_id"]: row for row in results.iter_rows(named=True)}


def assert_no_nan_or_inf(results: pl.DataFrame) -> None:
    for name, dtype in results.schema.items():
        if dtype.is_float():
            values = results[name].drop_nulls()
            assert values.is_finite().all(), (
                f"{name} holds NaN or infinity: {values.filter(~values.is_finite())}"
            )


def close(a: float | None, b: float | None, rel: float = 1e-12) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


@pytest.fixture
def huangyan() -> Method:
    return load("huangyan-2022")


@pytest.fixture
def pinghu() -> Method:
    return load("pinghu-2022")


def edited(method: Method, population: str = "above", **changes) -> Method:
    """The method with some of one population's keys replaced (validated again)."""
    data = method.to_dict()
    data["populations"][population] |= changes
    return Method.from_dict(data)


# --- the app's tests (database) ---------------------------------------------------------------------

YEAR = 2022
# enterprise key -> inputs (万元, 亩, 吨标准煤, 万千瓦时, 吨, 人)
INPUTS = {
    "above1": {"tax": 900, "value_added": 5200, "revenue": 21000, "rd": 800, "output": 20000, "energy_tce": 1200,
                   "emissions": 30, "employees": 400, "land_own_mu": 60},
    "above2": {"tax": 300, "value_added": 2100, "revenue": 9000, "rd": 150, "output": 8800, "energy_tce": 900,
                   "emissions": 25, "employees": 260, "land_own_mu": 55},
    "below1": {"tax": 40, "electricity": 120, "land_own_mu": 8},
    "below2": {"tax": 12, "electricity": 90, "land_own_mu": 5},
}  # fmt: skip


@pytest.fixture
def evaluation_zone(zone):
    """The zone with the pinghu-2022 method saved and 2022 inputs for its four enterprises."""
    for key in ("above1", "above2", "below1", "below2"):
        ent = getattr(zone, key)
        ent.industry_code = "C3421" if key.startswith("above") else "C3399"
        ent.save()
        values = {k: Decimal(v) for k, v in INPUTS[key].items()}
        EvaluationInput.objects.create(
            enterprise=ent,
            year=YEAR,
            population="above" if key.startswith("above") else "below",
            industry=ent.industry_code,
            founded_year=2010,
            sources=dict.fromkeys(values, "import:0"),
            **values,
        )
    zone.method = services.save_method(SHIPPED["pinghu-2022"], zone["zone_admin"])
    return zone


@pytest.fixture
def evaluated(evaluation_zone):
    evaluation_zone.run = services.run(YEAR, evaluation_zone["zone_admin"])
    return evaluation_zone
