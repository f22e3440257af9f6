"""Pydantic schemas of the investment API: /api/projects, /api/arrivals and /api/investment/summary."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from jingkai.core.bounds import Date, Name, QueryText, Text, Year, for_field
from jingkai.investment.models import Arrival, Project, StageEvent


def column(name: str, **field):
    """The type of a value for Project.<name> (core.bounds: its length, digits or range)."""
    return for_field(Project, name, **field)


class ProjectFilters(Schema):
    q: QueryText | None = None
    stage: QueryText | None = None
    status: QueryText | None = None
    country: QueryText | None = None
    chain: QueryText | None = Field(None, description="chain code")
    owner: QueryText | None = Field(None, description="owner's username")
    rag: QueryText | None = Field(None, description="red | amber | green")
    year: Year | None = None


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


# A stage field's value: a date or an amount as text, a username, a number, or null to clear it.
StageValue = Text(300) | int | float | bool | None


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
    """A new project; every value is bounded by its column (core.bounds), a value outside is a 422."""

    code: column("code")
    name: column("name")
    investor: column("investor")
    country: column("country") = ""
    origin: column("origin") = "domestic"
    # Wider than the stored 5 characters: the service normalises "C 3421" and "3421".
    industry_code: column("industry_code", max_length=10) = ""
    chain: QueryText | None = Field(None, description="chain code")
    kind: column("kind")
    total_investment: column("total_investment") | None = None
    total_investment_currency: column("total_investment_currency") = "CNY"
    registered_capital_increase: column("registered_capital_increase") | None = None
    expected_output: column("expected_output") | None = None
    owner: QueryText | None = Field(None, description="username")
    enterprise: QueryText | None = Field(None, description="enterprise id or USCC")
    park: QueryText | None = Field(None, description="park code")
    land_area_mu: column("land_area_mu") | None = None
    leased_area_sqm: column("leased_area_sqm") | None = None
    first_contact_on: column("first_contact_on") | None = None
    note: column("note") = ""


class StageIn(Schema):
    stage: QueryText
    on: Date | None = None
    values: dict[Name, StageValue] = Field(
        default_factory=dict, max_length=50, description="the target stage's fields, e.g. contract_on"
    )
    override_reason: for_field(StageEvent, "override_reason") = ""
    note: for_field(StageEvent, "note") = ""


class ArrivalIn(Schema):
    on: for_field(Arrival, "on")
    kind: for_field(Arrival, "kind") = Field(..., description="foreign (USD) | domestic (CNY)")
    amount: for_field(Arrival, "amount") = Field(..., description="in base units: 美元 or 元")
    currency: for_field(Arrival, "currency") | None = None
    note: for_field(Arrival, "note") = ""


class ArrivalFilters(Schema):
    date_from: Date | None = Field(None, alias="from")
    date_to: Date | None = Field(None, alias="to")
    kind: QueryText | None = None


class SummaryFilters(Schema):
    year: Year | None = Field(None, description="A calendar year, 1900–2100 (default: this year)")
    date_from: Date | None = Field(None, alias="from")
    date_to: Date | None = Field(None, alias="to")
    by: QueryText | None = Field(None, description="country | chain | owner")
