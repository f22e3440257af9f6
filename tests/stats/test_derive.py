"""Month / cumulative derivation and the inconsistency flags (no database)."""

from __future__ import annotations

import json

import polars as pl

from jingkai.stats.services import derive


def frame(**columns):
    return pl.DataFrame({"enterprise_id": [1], **{k: [v] for k, v in columns.items()}})


def previous(**cums):
    return pl.DataFrame({"enterprise_id": [1], **{k: [v] for k, v in cums.items()}})


def one(result: pl.DataFrame) -> dict:
    row = result.row(0, named=True)
    row["derived"], row["issues"] = json.loads(row["derived"]), json.loads(row["issues"])
    return row


def test_january_cumulative_is_the_month():
    row = one(derive(frame(output_month=5.0), None, 1))
    assert (row["output_month"], row["output_cum"], row["derived"]) == (5.0, 5.0, ["output_cum"])
    row = one(derive(frame(output_cum=7.0), None, 1))
    assert (row["output_month"], row["derived"]) == (7.0, ["output_month"])


def test_month_from_cumulatives_and_back():
    prev = previous(output_cum=100.0, revenue_cum=50.0)
    row = one(derive(frame(output_cum=130.0, revenue_month=20.0), prev, 4))
    assert (row["output_month"], row["revenue_cum"]) == (30.0, 70.0)
    assert row["derived"] == ["output_month", "revenue_cum"] and row["issues"] == []


def test_mismatch_is_flagged_beyond_the_tolerance():
    prev = previous(output_cum=100.0)
    assert one(derive(frame(output_month=30.0, output_cum=131.0), prev, 4, tolerance=2))["issues"] == []
    flagged = one(derive(frame(output_month=30.0, output_cum=140.0), prev, 4, tolerance=2))
    assert (
        flagged["issues"] == ["output_cum:mismatch"] and flagged["output_cum"] == 140.0
    )  # kept as delivered


def test_no_previous_month_cannot_derive():
    row = one(derive(frame(output_month=30.0), previous(output_cum=None), 4))
    assert row["output_cum"] is None and row["issues"] == ["output:no_previous"]


def test_falling_cumulative_gives_a_flagged_negative_month():
    row = one(derive(frame(tax_cum=90.0), previous(tax_cum=100.0), 4))
    assert row["tax_month"] == -10.0 and "tax_month:negative" in row["issues"]


def test_employees_cumulative_is_the_average_of_the_months():
    prev = previous(employees_cum=100)  # the average of January–March
    row = one(derive(frame(employees_month=120), prev, 4))
    assert row["employees_cum"] == 105  # (100 × 3 + 120) / 4
    row = one(derive(frame(employees_cum=105), prev, 4))
    assert row["employees_month"] == 120
    assert one(derive(frame(employees_month=120, employees_cum=110), prev, 4))["issues"] == [
        "employees_cum:mismatch"
    ]
