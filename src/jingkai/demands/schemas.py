"""Pydantic schemas of the demand API: what /api/demands accepts and answers."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from jingkai.demands import services
from jingkai.demands.models import Channel


class DemandFilters(Schema):
    state: str | None = Field(None, description="A state (submitted … merged) or `open` (not yet closed)")
    category: str | None = Field(None, description="Category id or code (includes its sub-categories)")
    grid: str | None = Field(None, description="Grid code or id")
    community: str | None = Field(None, description="Community code or id")
    department: str | None = Field(None, description="Department code or id")
    deadline: str | None = Field(None, description="red (overdue), amber (due soon) or green")
    channel: str | None = None
    enterprise: str | None = Field(None, description="Enterprise id")
    q: str | None = Field(None, description="Text in the title, description or enterprise name")
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None


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
    enterprise: int
    category: str = Field(description="Category id or code")
    description: str
    channel: str = Field(Channel.PORTAL.value, description="portal, visit, hotline, staff or import")
    title: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class TransitionIn(Schema):
    transition: str = Field(description=", ".join(services.TRANSITIONS))
    note: str = ""
    department: str | None = Field(None, description="For assign/reassign: department code or id")
    rating: int | None = Field(None, description="For rate: 5 非常满意 … 1 非常不满意")
    until: dt.date | None = Field(None, description="For request_extension: the new deadline")
    original: int | None = Field(None, description="For merge: the original demand's id")
    version: int | None = Field(None, description="The version you read; a stale one gets 409")


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
