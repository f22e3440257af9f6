"""/api/demands: list, create, read, similar, and POST /api/demands/{id}/transitions.

Every handler fetches through Demand.objects.visible_to(user). A refused step answers 409 with the
demand's current state (`{"detail": "...", "state": "..."}`) when the state does not allow it or changed
meanwhile (concurrent transitions: exactly one wins), 403 when the role may not take it, 422 for a bad
parameter.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from jingkai.core.api import Pagination, filtered
from jingkai.core.bounds import Id, QueryText, Text
from jingkai.core.models import Department
from jingkai.core.scoping import get_visible_or_404
from jingkai.demands import queries, services
from jingkai.demands.filtersets import DemandFilterSet
from jingkai.demands.models import Demand, DemandCategory
from jingkai.demands.schemas import (
    Conflict,
    DemandDetail,
    DemandFilters,
    DemandIn,
    DemandItem,
    SimilarOut,
    TransitionIn,
)
from jingkai.demands.similar import similar_demands
from jingkai.enterprises.models import Enterprise

router = Router(tags=["demands"])


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


@router.get("", response=list[DemandItem], summary="List demands")
@paginate(Pagination, page_items=lambda request, rows: [_item(d) for d in rows])
def list_demands(request, filters: Query[DemandFilters]):
    filterset = DemandFilterSet(
        filters.model_dump(exclude_none=True),
        Demand.objects.visible_to(request.user),
        today=timezone.localdate(),
    )
    return filtered(filterset).select_related(*queries.LIST_RELATED)


def _by_id_or_code(value: str) -> dict:
    """`pk` for a value written as an id (ASCII digits that fit 64 bits), else `code`."""
    value = str(value)
    return (
        {"pk": int(value)} if value.isascii() and value.isdecimal() and len(value) <= 18 else {"code": value}
    )


def _category(value: str) -> DemandCategory | None:
    return DemandCategory.objects.filter(**_by_id_or_code(value)).first()


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
def similar(request, text: Text(500), enterprise: Id | None = None, category: QueryText | None = None):
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
        lookup = _by_id_or_code(payload.department)
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
