"""Pydantic schemas of the visit API: what /api/visits accepts and answers."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jingkai.visits.models import VisitKind


class VisitFilters(Schema):
    grid: str | None = Field(None, description="Grid code, e.g. G01 (the grid at the time of the visit)")
    enterprise: int | None = Field(None, description="Enterprise id")
    kind: VisitKind | None = None
    from_: dt.date | None = Field(None, alias="from", description="Visited on or after")
    to: dt.date | None = Field(None, description="Visited on or before")


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

    category: str = Field(description="Demand category code")
    description: str
    title: str = ""


class VisitIn(Schema):
    enterprise: str = Field(description="Enterprise id or unified social credit code")
    visited_on: dt.date
    kind: VisitKind
    visitors: list[str] = Field([], description="Usernames of the other visitors (the caller is added)")
    policies: str = ""
    policy_tags: list[str] = []
    notes: str = ""
    demands: list[VisitDemandIn] = Field(
        [], description="Demands raised during the visit (filed with channel visit)"
    )
