"""Pydantic schemas of the visit API: what /api/visits accepts and answers."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jingkai.core.bounds import Date, Id, Name, QueryText, for_field
from jingkai.demands.models import Demand
from jingkai.visits.models import Visit, VisitKind


class VisitFilters(Schema):
    grid: QueryText | None = Field(
        None, description="Grid code, e.g. G01 (the grid at the time of the visit)"
    )
    enterprise: Id | None = Field(None, description="Enterprise id")
    kind: VisitKind | None = None
    from_: Date | None = Field(None, alias="from", description="Visited on or after")
    to: Date | None = Field(None, description="Visited on or before")


class Ref(Schema):
    id: int
    name: str


class VisitOut(Schema):
    id: int
    enterprise: Ref
    visited_on: dt.date
    kind: str
    kind_label: str
    grid: str | None = Field(None, description="Grid code at the time of the visit")
    community: str | None = None
    visitors: list[Ref]
    policies: str
    policy_tags: list[str]
    notes: str | None = Field(None, description="Null for enterprise contacts")
    demand_ids: list[int] = []
    created_by: str | None = None


class VisitDemandIn(Schema):
    """A demand raised during a visit (named apart from demands' DemandIn: OpenAPI names are global)."""

    category: QueryText = Field(description="Demand category code")
    description: for_field(Demand, "description")
    title: for_field(Demand, "title") = ""


class VisitIn(Schema):
    enterprise: QueryText = Field(description="Enterprise id or unified social credit code")
    visited_on: for_field(Visit, "visited_on")
    kind: VisitKind
    visitors: list[Name] = Field(
        [], max_length=100, description="Usernames of the other visitors (the caller is added)"
    )
    policies: for_field(Visit, "policies") = ""
    policy_tags: list[Name] = Field([], max_length=100)
    notes: for_field(Visit, "notes") = ""
    demands: list[VisitDemandIn] = Field(
        [], max_length=50, description="Demands raised during the visit (filed with channel visit)"
    )
