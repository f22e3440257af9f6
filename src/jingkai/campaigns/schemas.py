"""Pydantic schemas of the campaign API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from jingkai.core.bounds import QueryText, Text

# One answer as a client sends it: text (no control or direction-override character), a number, yes/no, none.
AnswerValue = Text(20_000, multiline=True) | int | float | bool | None


class FormField(Schema):
    key: str
    label: str
    type: str
    required: bool
    choices: list[str] = []


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    description: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    scope_kind: str
    scope_above_size_only: bool
    form: list[FormField]
    targets: int = Field(description="Targets the caller may see")
    answered: int


class GridResult(Schema):
    grid: str | None
    name: str
    targets: int
    answered: int
    answer_rate: float | None = Field(description="Percent")
    averages: dict[str, float | None] = Field(description="Numeric and percent fields: key → average")
    choices: dict[str, dict[str, int]] = Field(description="Choice and yes/no fields: key → answer → count")


class ResultsOut(Schema):
    campaign: int
    grids: list[GridResult]
    total: GridResult


class ResponseOut(Schema):
    enterprise_id: int
    enterprise: str
    grid: str | None
    guide: str | None
    answered: bool
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    answers: dict[str, Any] | None = None


class ResponseFilters(Schema):
    answered: bool | None = Field(None, description="true: answered only; false: not yet answered")
    grid: QueryText | None = Field(None, description="Grid code at launch")


class AnswerIn(Schema):
    enterprise: QueryText = Field(description="Enterprise id or unified social credit code")
    answers: dict[QueryText, AnswerValue] = Field(max_length=500)
