"""Pydantic schemas of the statistics API: /api/stats/summary, /api/stats/targets, /api/enterprises/{ident}/stats."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Schema

from jingkai.core.bounds import QueryText


class SummaryQuery(Schema):
    period: QueryText | None = Field(
        None, description="YYYY-MM, 1900-01 to 2100-12 (default: the latest month with figures)"
    )
    by: QueryText = Field("chain", description="chain | grid | origin | park | group | digital | zone")
    measure: QueryText = "output"


class FiguresOut(Schema):
    key: str
    label: str
    enterprises: int
    comparable: int
    month: Decimal | None
    cum: Decimal | None
    yoy_month: float | None
    yoy_cum: float | None
    last_year_cum: Decimal | None


class SummaryOut(Schema):
    period: str
    by: str
    measure: str
    unit: str
    basis: str
    scope: str
    total: FiguresOut
    items: list[FiguresOut]


class TargetOut(Schema):
    id: int
    title: str
    scope: str
    member: str
    measure: str
    year: int
    kind: str
    value: Decimal
    period: str
    actual: Decimal | None
    goal: Decimal | None
    share: float | None
    time_share: float
    pace_needed: Decimal | None
    on_track: bool | None


class MeasureFiguresOut(Schema):
    month: Decimal | float | None
    cum: Decimal | float | None
    yoy_month: float | None
    yoy_cum: float | None


class PeriodOut(Schema):
    period: str
    measures: dict[str, MeasureFiguresOut]


class EnterpriseStatsOut(Schema):
    id: int
    name: str
    periods: list[PeriodOut]
