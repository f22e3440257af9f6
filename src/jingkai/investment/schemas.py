"""Pydantic schemas of the investment API: /api/projects, /api/arrivals and /api/investment/summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class ProjectFilters(Schema):
    q: str | None = None
    stage: str | None = None
    status: str | None = None
    country: str | None = None
    chain: str | None = Field(None, description="chain code")
    owner: str | None = Field(None, description="owner's username")
    rag: str | None = Field(None, description="red | amber | green")
    year: int | None = None


class ProjectItem(Schema):
    id: int
    code: str
    name: str
    investor: str
    country: str
    origin: str
    kind: str
    stage: str
    status: str
    rag: str | None = None
    total_investment: Decimal | None
    total_investment_currency: str
    contract_foreign_capital: Decimal | None
    owner: str | None = Field(None, alias="owner.username")
    enterprise_id: int | None
    contract_on: dt.date | None
    approval_on: dt.date | None


class StageEventOut(Schema):
    from_stage: str
    to_stage: str
    on: dt.date
    override_reason: str
    note: str


class MilestoneOut(Schema):
    stage: str
    planned_on: dt.date
    actual_on: dt.date | None


class ArrivalOut(Schema):
    id: int
    project_id: int
    on: dt.date
    kind: str
    amount: Decimal
    currency: str
    note: str


class ProjectDetail(ProjectItem):
    industry_code: str
    chain: str | None = Field(None, alias="chain.code")
    registered_capital_increase: Decimal | None
    expected_output: Decimal | None
    park: str | None = Field(None, alias="park.code")
    land_area_mu: Decimal | None
    leased_area_sqm: Decimal | None
    status_reason: str
    status_on: dt.date | None
    first_contact_on: dt.date | None
    approval_number: str
    started_on: dt.date | None
    production_on: dt.date | None
    full_production_on: dt.date | None
    key_project_on: dt.date | None
    capital_change_id: int | None
    stage_log: list[StageEventOut] = Field(..., alias="stage_events")
    milestones: list[MilestoneOut]
    arrivals: list[ArrivalOut]


class ProjectIn(Schema):
    code: str
    name: str
    investor: str
    country: str = ""
    origin: str = "domestic"
    industry_code: str = ""
    chain: str | None = Field(None, description="chain code")
    kind: str
    total_investment: Decimal | None = None
    total_investment_currency: str = "CNY"
    registered_capital_increase: Decimal | None = None
    expected_output: Decimal | None = None
    owner: str | None = Field(None, description="username")
    enterprise: str | None = Field(None, description="enterprise id or USCC")
    park: str | None = Field(None, description="park code")
    land_area_mu: Decimal | None = None
    leased_area_sqm: Decimal | None = None
    first_contact_on: dt.date | None = None
    note: str = ""


class StageIn(Schema):
    stage: str
    on: dt.date | None = None
    values: dict = Field(default_factory=dict, description="the target stage's fields, e.g. contract_on")
    override_reason: str = ""
    note: str = ""


class ArrivalIn(Schema):
    on: dt.date
    kind: str = Field(..., description="foreign (USD) | domestic (CNY)")
    amount: Decimal = Field(..., description="in base units: 美元 or 元")
    currency: str | None = None
    note: str = ""


class ArrivalFilters(Schema):
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    kind: str | None = None


class SummaryFilters(Schema):
    year: int | None = None
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    by: str | None = Field(None, description="country | chain | owner")
