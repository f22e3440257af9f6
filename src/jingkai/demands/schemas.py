"""Pydantic schemas of the demand API: what /api/demands accepts and answers."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jingkai.core.bounds import Date, Id, QueryText, for_field
from jingkai.demands import services
from jingkai.demands.models import Channel, Demand, DemandEvent


class DemandFilters(Schema):
    state: QueryText | None = Field(
        None, description="A state (submitted … merged) or `open` (not yet closed)"
    )
    category: QueryText | None = Field(None, description="Category id or code (includes its sub-categories)")
    grid: QueryText | None = Field(None, description="Grid code or id")
    community: QueryText | None = Field(None, description="Community code or id")
    department: QueryText | None = Field(None, description="Department code or id")
    deadline: QueryText | None = Field(None, description="red (overdue), amber (due soon) or green")
    channel: QueryText | None = None
    enterprise: QueryText | None = Field(None, description="Enterprise id")
    q: QueryText | None = Field(None, description="Text in the title, description or enterprise name")
    submitted_from: Date | None = None
    submitted_to: Date | None = None


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    note: str
    department: str | None
    due_on: dt.date | None


class DemandItem(Schema):
    id: int
    number: str
    enterprise_id: int
    enterprise: str
    category: str
    category_code: str
    channel: str
    state: str
    state_display: str
    title: str
    department: str | None
    submitted_at: dt.datetime
    due_on: dt.date | None
    deadline_status: str
    escalation_level: int
    closed_at: dt.datetime | None
    rating: int | None
    version: int


class DemandDetail(DemandItem):
    description: str
    reply: str
    rating_comment: str
    extension_status: str
    extension_until: dt.date | None
    extension_reason: str
    merged_into: int | None
    reopen_count: int
    events: list[EventOut]
    allowed_transitions: list[str]


class DemandIn(Schema):
    """A new demand; every text is bounded by its column (core.bounds)."""

    enterprise: Id
    category: QueryText = Field(description="Category id or code")
    description: for_field(Demand, "description")
    channel: QueryText = Field(Channel.PORTAL.value, description="portal, visit, hotline, staff or import")
    title: for_field(Demand, "title") = ""
    contact_name: for_field(Demand, "contact_name") = ""
    contact_phone: for_field(Demand, "contact_phone") = ""


class TransitionIn(Schema):
    transition: QueryText = Field(description=", ".join(services.TRANSITIONS))
    note: for_field(DemandEvent, "note") = ""
    department: QueryText | None = Field(None, description="For assign/reassign: department code or id")
    rating: int | None = Field(None, ge=1, le=5, description="For rate: 5 非常满意 … 1 非常不满意")
    until: Date | None = Field(None, description="For request_extension: the new deadline")
    original: Id | None = Field(None, description="For merge: the original demand's id")
    version: for_field(Demand, "version") | None = Field(
        None, description="The version you read; a stale one gets 409"
    )


class Conflict(Schema):
    detail: str
    state: str


class SimilarOut(Schema):
    id: int
    number: str
    title: str
    enterprise: str
    state: str
    score: float
