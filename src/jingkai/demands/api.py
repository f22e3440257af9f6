"""/api/demands: list, create, read, similar, and POST /api/demands/{id}/transitions.

Every handler fetches through Demand.objects.visible_to(user). A refused step answers 409 with the
demand's current state (`{"detail": "...", "state": "..."}`) when the state does not allow it or changed
meanwhile (concurrent transitions: exactly one wins), 403 when the role may not take it, 422 for a bad
parameter.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingkai.api.errors import query_error
from jingkai.core.models import Department
from jingkai.core.scoping import get_visible_or_404
from jingkai.demands import queries, services
from jingkai.demands.models import Channel, Demand, DemandCategory
from jingkai.demands.similar import similar_demands
from jingkai.enterprises.models import Enterprise

router = Router(tags=["demands"])


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


class Page(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


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


class DemandPage(Schema):
    count: int
    items: list[DemandItem]


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


def _item(d: Demand, status: str = "") -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "enterprise_id": d.enterprise_id,
        "enterprise": d.enterprise.name,
        "category": str(d.category),
        "category_code": d.category.code,
        "channel": d.channel,
        "state": d.state,
        "state_display": str(d.get_state_display()),
        "title": d.title,
        "department": d.department.name if d.department_id else None,
        "submitted_at": d.submitted_at,
        "due_on": d.due_on,
        "deadline_status": getattr(d, "deadline_status", status),
        "escalation_level": d.escalation_level,
        "closed_at": d.closed_at,
        "rating": d.rating,
        "version": d.version,
    }


def _detail(user, demand_id: int) -> dict:
    today = timezone.localdate()
    demand = get_visible_or_404(
        queries.with_deadline_status(Demand.objects.select_related(*queries.LIST_RELATED), today),
        user,
        pk=demand_id,
    )
    events = demand.events.select_related("actor", "department")
    if not user.is_staff_role:
        events = events.filter(public=True)
    return {
        **_item(demand),
        "description": demand.description,
        "reply": demand.reply,
        "rating_comment": demand.rating_comment,
        "extension_status": demand.extension_status,
        "extension_until": demand.extension_until,
        "extension_reason": demand.extension_reason,
        "merged_into": demand.merged_into_id,
        "reopen_count": demand.reopen_count,
        "events": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": str(e.actor) if e.actor_id else None,
                "at": e.at,
                "note": e.note,
                "department": e.department.name if e.department_id else None,
                "due_on": e.due_on,
            }
            for e in events
        ],
        "allowed_transitions": [t.name for t in services.allowed_transitions(user, demand)],
    }


@router.get("", response=DemandPage, summary="List demands")
def list_demands(request, filters: Query[DemandFilters], page: Query[Page]):
    demands, errors = queries.apply_filters(
        Demand.objects.visible_to(request.user), filters.model_dump(exclude_none=True), timezone.localdate()
    )
    if errors:
        raise query_error(errors)
    count = demands.count()
    rows = demands.select_related(*queries.LIST_RELATED)[page.offset : page.offset + page.limit]
    return {"count": count, "items": [_item(d) for d in rows]}


def _category(value: str) -> DemandCategory | None:
    lookup = {"pk": int(value)} if str(value).isdigit() else {"code": value}
    return DemandCategory.objects.filter(**lookup).first()


@router.post("", response={201: DemandDetail}, summary="File a demand")
def create_demand(request, payload: DemandIn):
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=payload.enterprise)
    category = _category(payload.category)
    if category is None:
        raise ValidationError({"category": ["Unknown category"]})
    demand = services.submit_demand(
        actor=request.user,
        enterprise=enterprise,
        category=category,
        description=payload.description,
        channel=payload.channel,
        title=payload.title,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
    )
    return Status(201, _detail(request.user, demand.pk))


@router.get("/similar", response=list[SimilarOut], summary="Open demands similar to a text (duplicate check)")
def similar(request, text: str, enterprise: int | None = None, category: str | None = None):
    category_row = _category(category) if category else None
    matches = similar_demands(
        Demand.objects.visible_to(request.user),
        text=text,
        enterprise_id=enterprise,
        category_id=category_row.pk if category_row else None,
    )
    return [
        {
            "id": d.pk,
            "number": d.number,
            "title": d.title,
            "enterprise": d.enterprise.name,
            "state": d.state,
            "score": score,
        }
        for d, score in matches
    ]


@router.get("/{demand_id}", response=DemandDetail, summary="Read a demand with its timeline")
def get_demand(request, demand_id: int):
    return _detail(request.user, demand_id)


@router.post(
    "/{demand_id}/transitions",
    response={200: DemandDetail, 409: Conflict},
    summary="Take a step of the loop (accept, assign, take, reply, rate …)",
)
def post_transition(request, demand_id: int, payload: TransitionIn):
    user = request.user
    demand = get_visible_or_404(Demand.objects.all(), user, pk=demand_id)
    if payload.version is not None:
        demand.version = payload.version
    kwargs: dict = {"note": payload.note, "rating": payload.rating, "until": payload.until}
    if payload.department:
        lookup = (
            {"pk": int(payload.department)} if payload.department.isdigit() else {"code": payload.department}
        )
        kwargs["department"] = Department.objects.filter(is_active=True, **lookup).first()
        if kwargs["department"] is None:
            raise ValidationError(
                {"department": [_("Unknown department: %(value)s") % {"value": payload.department}]}
            )
    if payload.original is not None:
        kwargs["original"] = get_visible_or_404(Demand.objects.all(), user, pk=payload.original)
    try:
        services.transition(demand, payload.transition, actor=user, **kwargs)
    except services.TransitionConflict as exc:
        return Status(409, {"detail": exc.message, "state": exc.state})
    return Status(200, _detail(user, demand_id))
